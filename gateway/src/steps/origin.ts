/** Admission: the Host and Origin of a request must be allowed (DNS-rebinding protection; http/guards.ts). */
import type { GatewayConfig } from "../config.js";
import { originCheck } from "../http/guards.js";
import { ErrorCode } from "../jsonrpc.js";
import type { Logger } from "../observability/logger.js";
import type { AdmissionStep } from "./steps.js";

export function originStep(config: GatewayConfig, logger: Logger): AdmissionStep {
  const problemOf = originCheck({ bindHost: config.listen.host, allowedHosts: config.http.allowedHosts, allowedOrigins: config.http.allowedOrigins });
  return {
    name: "origin",
    admit(req) {
      const problem = problemOf(req);
      if (problem === undefined) return undefined;
      logger.warn({ reqId: req.reqId, host: req.headers.host, origin: req.headers.origin }, `refused: ${problem}`);
      return { status: 403, code: ErrorCode.InvalidRequest, message: `Forbidden: ${problem}` };
    },
  };
}
