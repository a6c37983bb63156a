/**
 * The authentication step (admission, once per HTTP request to the MCP endpoint): the request's bearer credential
 * becomes `caller.principal`, or the request is refused with 401 (no, malformed or invalid credential) or 403
 * (insufficient scope), each with its `WWW-Authenticate` challenge. An API key is checked at once; a JWT verified
 * before answers from the cache at once; only a new JWT waits for its signature check (and, once, for the keys).
 */
import type { AuthConfig } from "../config/auth.js";
import type { Caller, Principal } from "../context.js";
import type { H1Request } from "../http/h1/server.js";
import { ErrorCode } from "../jsonrpc.js";
import type { Logger } from "../observability/logger.js";
import type { AdmissionStep, Refusal } from "../steps/steps.js";
import { sameSecret, type ApiKeys } from "./api-keys.js";
import { credentialOf, looksLikeJwt } from "./bearer.js";
import { challenge, type Challenge } from "./metadata.js";
import { TokenRefused, type OAuthVerifier } from "./oauth.js";

export interface AuthStepDeps {
  auth: AuthConfig;
  keys: ApiKeys;
  /** Set with `mode: oauth`. */
  oauth: OAuthVerifier | undefined;
  logger: Logger;
}

export function authStep(deps: AuthStepDeps): AdmissionStep {
  const { auth, keys, oauth, logger } = deps;
  const refuse = (req: H1Request, status: 401 | 403 | 503, c: Challenge, message: string): Refusal => {
    logger.info({ reqId: req.reqId, status, reason: c.description ?? "no credential" }, "refused: not authenticated");
    const headers: Record<string, string> = status === 503 ? { "retry-after": "5" } : { "www-authenticate": challenge(auth, c) };
    return { status, code: ErrorCode.InvalidRequest, message, headers };
  };
  const invalid = (req: H1Request, why: string): Refusal => refuse(req, 401, { error: "invalid_token", description: why }, `Unauthorized: ${why}`);
  // The API key each connection last presented, verified: the same header on its next request is that key again,
  // without hashing it (an adapter's every call comes from the central gateway with its key, on a few keep-alive
  // connections). Compared in constant time: behind a proxy, one connection carries several clients' requests.
  const keyOf = new WeakMap<object, { header: string; principal: Principal }>();
  const expects = auth.mode === "oauth" ? (keys.size > 0 ? "an OAuth access token or an API key" : "an OAuth access token") : "an API key";
  return {
    name: "auth",
    admit(req: H1Request, caller: Caller) {
      const header = req.headers.authorization;
      const remembered = keyOf.get(req.peer);
      if (remembered !== undefined && header !== undefined && sameSecret(remembered.header, header)) {
        caller.principal = remembered.principal;
        return undefined;
      }
      // The common case first: a client's next request with a token verified before (exactly as it was verified).
      if (oauth !== undefined && header !== undefined && header.startsWith("Bearer ")) {
        const known = oauth.cached(header.slice(7));
        if (known !== undefined) {
          caller.principal = known;
          caller.accessToken = header.slice(7);
          return undefined;
        }
      }
      const credential = credentialOf(header);
      if (credential.kind === "none") return refuse(req, 401, {}, `Unauthorized: this gateway needs ${expects} (Authorization: Bearer ...)`);
      if (credential.kind === "malformed") return refuse(req, 401, { error: "invalid_request", description: credential.why }, `Unauthorized: ${credential.why}`);
      const token = credential.token;
      if (oauth !== undefined && looksLikeJwt(token)) {
        const known = oauth.cached(token);
        if (known !== undefined) {
          caller.principal = known;
          caller.accessToken = token;
          return undefined;
        }
        return oauth.verify(token).then(
          (principal) => {
            caller.principal = principal;
            caller.accessToken = token;
            return undefined;
          },
          (error: unknown) => {
            if (!(error instanceof TokenRefused)) throw error;
            if (error.error === "insufficient_scope") {
              const scope = auth.oauth!.requiredScopes.join(" ");
              return refuse(req, 403, { error: "insufficient_scope", description: error.message, scope }, `Forbidden: ${error.message} (needs: ${scope})`);
            }
            if (error.error === "unavailable") return refuse(req, 503, { description: error.message }, `Service Unavailable: ${error.message}`);
            return invalid(req, error.message);
          },
        );
      }
      const principal = keys.verify(token);
      if (principal === undefined) return invalid(req, oauth !== undefined ? "the token is neither a valid access token nor a known API key" : "the API key is not known");
      keyOf.set(req.peer, { header: header!, principal });
      caller.principal = principal;
      return undefined;
    },
  };
}
