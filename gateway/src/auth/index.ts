/**
 * The authentication room: from `auth:` to the admission step that sets `caller.principal`, and the protected
 * resource metadata endpoints (RFC 9728) the HTTP server serves for it. Nothing with `mode: none`.
 */
import type { GatewayConfig } from "../config.js";
import { apiKeysFromEnvironment } from "../config/auth.js";
import type { H1Request, H1Response } from "../http/h1/server.js";
import type { Logger } from "../observability/logger.js";
import type { AdmissionStep } from "../steps/steps.js";
import { ApiKeys } from "./api-keys.js";
import { metadataPaths, protectedResourceMetadata } from "./metadata.js";
import { OAuthVerifier } from "./oauth.js";
import { authStep } from "./step.js";

export interface Authentication {
  /** The admission steps to run after the origin check (none without auth). */
  steps: AdmissionStep[];
  /** GET endpoints by path (the metadata documents). */
  endpoints: Map<string, (req: H1Request, res: H1Response) => void>;
}

export function authentication(config: GatewayConfig, logger: Logger, env: NodeJS.ProcessEnv = process.env): Authentication {
  const auth = config.auth;
  const endpoints = new Map<string, (req: H1Request, res: H1Response) => void>();
  if (auth.mode === "none") return { steps: [], endpoints };
  const keys = new ApiKeys([...auth.apiKeys, ...apiKeysFromEnvironment(auth, env)]);
  const oauth = auth.mode === "oauth" ? new OAuthVerifier(auth.oauth!, auth.resource!) : undefined;
  const metadata = protectedResourceMetadata(auth);
  if (metadata !== undefined) {
    const body = JSON.stringify(metadata);
    const serve = (_req: H1Request, res: H1Response): void => {
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body), "cache-control": "max-age=300", "access-control-allow-origin": "*" });
      res.end(body);
    };
    for (const path of metadataPaths(auth, config.listen.path)) endpoints.set(path, serve);
  }
  return { steps: [authStep({ auth, keys, oauth, logger })], endpoints };
}
