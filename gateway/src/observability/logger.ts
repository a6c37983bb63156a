/** The gateway's one structured logger: pino JSON lines on stderr (stdout stays free for the CLI). */
import { pino, destination, type Logger, type DestinationStream } from "pino";

export type { Logger };

export interface LoggerOptions {
  /** @default "info" */
  level?: string;
  /** Where lines go. @default stderr */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: "mcp-fleet-gateway",
      level: options.level ?? "info",
      base: { pid: process.pid },
      // Never log credentials that might sit in headers or env of a backend.
      redact: { paths: ["headers.authorization", "*.headers.authorization", "env", "*.env"], censor: "[redacted]" },
    },
    options.destination ?? destination({ fd: 2, sync: false }),
  );
}
