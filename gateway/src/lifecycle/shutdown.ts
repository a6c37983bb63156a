/**
 * Process-level safety: on SIGTERM/SIGINT the gateway drains and exits 0; on any exit every stdio child's process
 * group is killed so nothing is left behind; an uncaught error is logged, and the gateway keeps serving.
 */
import type { Logger } from "../observability/logger.js";
import { killAllProcessGroups } from "../upstream/stdio.js";

let exitHookInstalled = false;

/** Kills the stdio process groups when the process exits, however it exits. Idempotent. */
export function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", killAllProcessGroups);
}

/** SIGTERM/SIGINT: graceful `close()` then exit 0 (a second signal exits at once); uncaught errors are logged. */
export function installSignalHandlers(close: () => Promise<void>, logger: Logger): void {
  installExitHook();
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      killAllProcessGroups();
      process.exit(1);
    }
    closing = true;
    logger.info({ signal }, "shutting down");
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: (error as Error).message }, "shutdown failed");
        killAllProcessGroups();
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  // A last resort, not a routine exit: every request and backend message is handled where it arrives, so an error
  // that gets here is a bug to fix, and stopping would drop every other client and backend with it.
  const uncaught = (error: unknown) => {
    logger.error({ err: error instanceof Error ? error.stack : String(error) }, "uncaught error (a bug: please report it); still serving");
  };
  process.on("uncaughtException", uncaught);
  process.on("unhandledRejection", uncaught);
}
