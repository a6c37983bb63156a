/** The audit room: the log file of `audit.file` and the recorder the routes call (nothing when unset). */
import type { CatalogView } from "../context.js";
import type { GatewayConfig } from "../config.js";
import type { Logger } from "../observability/logger.js";
import { AuditLog } from "./log.js";
import { CallAudit } from "./recorder.js";

export { GENESIS, chainLine, verifyChain, type Verification } from "./chain.js";

export function openAudit(config: GatewayConfig, catalog: CatalogView, logger: Logger, env: NodeJS.ProcessEnv = process.env): { log: AuditLog; calls: CallAudit } | undefined {
  const { file, keyFromEnv, arguments: fields } = config.audit;
  if (file === undefined) return undefined;
  let key: Buffer | undefined;
  if (keyFromEnv !== undefined) {
    const value = env[keyFromEnv];
    if (value === undefined || value === "") throw new Error(`audit.keyFromEnv names ${keyFromEnv}, which is unset. Set it to the audit key, or remove keyFromEnv.`);
    key = Buffer.from(value, "utf8");
  }
  const log = new AuditLog(file, key, logger);
  return { log, calls: new CallAudit(log, catalog, fields) };
}
