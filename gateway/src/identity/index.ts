/**
 * The identity room: how a backend that asks for it (`servers[].credentials.identity`) learns who calls. The
 * client's own credential never goes upstream; instead each call carries a short-lived JWT the gateway signs
 * (signer.ts, keys from keys.ts), as a header on that request (HTTP, SSE) or in its `_meta` (stdio), and the public
 * keys are served at `/.well-known/jwks.json`.
 *
 * Without authentication there is no caller to vouch for: nothing is signed. A gateway with `auth.mode: none` on a
 * trusted network (an adapter, which only the fleet's gateway reaches) relays the token that gateway sent it, so a
 * server behind its adapter sees the same token.
 */
import type { BackendConfig, GatewayConfig } from "../config.js";
import { IDENTITY_META_KEY, JWKS_PATH, type IdentityPresentation } from "../config/identity.js";
import type { Caller, ClientCall } from "../context.js";
import type { H1Request, H1Response } from "../http/h1/server.js";
import type { Logger } from "../observability/logger.js";
import type { AdmissionStep } from "../steps/steps.js";
import type { CallPresentation } from "../upstream/backend.js";
import { jwksOf, loadSigningKeys, type SigningKey } from "./keys.js";
import { TokenCache } from "./signer.js";

/** A relayed token: a compact JWS, bounded. */
const COMPACT_JWS = /^[A-Za-z0-9_-]{1,4096}\.[A-Za-z0-9_-]{1,8192}\.[A-Za-z0-9_-]{1,1024}$/;

/** Callers that carry relayed tokens, by lowercased header name. */
const relayed = new WeakMap<Caller, Map<string, string>>();

export interface IdentityRoom {
  /** GET endpoints by path: the JWKS, when the gateway signs. */
  endpoints: Map<string, (req: H1Request, res: H1Response) => void>;
  /** Admission steps (the relay's: it picks up the tokens of the gateway in front). */
  steps: AdmissionStep[];
  /** What each call to this server carries, or `undefined` when the server asks for nothing (no per-call work). */
  presenter(config: BackendConfig): ((call: ClientCall) => CallPresentation | undefined) | undefined;
}

const NOTHING: CallPresentation = Object.freeze({});

/** How a token travels to a server of this transport. */
function carrier(config: BackendConfig, identity: IdentityPresentation): (token: string) => CallPresentation {
  if (config.transport === "stdio") return (token) => Object.freeze({ meta: Object.freeze({ [IDENTITY_META_KEY]: token }) });
  const header = identity.header.toLowerCase();
  return (token) => Object.freeze({ headers: Object.freeze({ [header]: token }) });
}

/** A stdio request must not carry a token its client wrote into `_meta`: it is removed when the gateway has none to send. */
function absent(config: BackendConfig): CallPresentation {
  return config.transport === "stdio" ? Object.freeze({ meta: Object.freeze({ [IDENTITY_META_KEY]: undefined }) }) : NOTHING;
}

export function identityRoom(config: GatewayConfig, logger: Logger, env: NodeJS.ProcessEnv = process.env): IdentityRoom {
  const endpoints = new Map<string, (req: H1Request, res: H1Response) => void>();
  const asked = config.servers.some((s) => s.credentials.identity !== undefined);
  const signs = config.auth.mode !== "none";
  let keys: SigningKey[] = [];
  if (config.identity.signingKeyEnv !== undefined && (signs || asked)) {
    keys = loadSigningKeys(config.identity.signingKeyEnv, env);
    const body = JSON.stringify(jwksOf(keys));
    endpoints.set(JWKS_PATH, (_req, res) => {
      res.writeHead(200, { "content-type": "application/jwk-set+json", "content-length": Buffer.byteLength(body), "cache-control": "max-age=300", "access-control-allow-origin": "*" });
      res.end(body);
    });
    logger.info({ kids: keys.map((k) => k.kid), env: config.identity.signingKeyEnv }, "identity signing keys loaded");
  }
  const relays = !signs && config.auth.trustedNetwork;
  const relayHeaders = relays ? [...new Set(config.servers.flatMap((s) => (s.credentials.identity === undefined ? [] : [s.credentials.identity.header.toLowerCase()])))] : [];
  const steps: AdmissionStep[] = relayHeaders.length === 0 ? [] : [
    {
      name: "identity-relay",
      admit(req: H1Request, caller: Caller) {
        let found: Map<string, string> | undefined;
        for (const name of relayHeaders) {
          const value = req.headers[name];
          if (value !== undefined && COMPACT_JWS.test(value)) (found ??= new Map()).set(name, value);
        }
        if (found !== undefined) relayed.set(caller, found);
        return undefined;
      },
    },
  ];
  const issuer = config.identity.issuer ?? config.auth.resource ?? "";
  return {
    endpoints,
    steps,
    presenter(server: BackendConfig) {
      const identity = server.credentials.identity;
      if (identity === undefined) return undefined;
      const wrap = carrier(server, identity);
      const none = absent(server);
      if (relays) {
        const header = identity.header.toLowerCase();
        return (call) => {
          const token = relayed.get(call.ctx.caller)?.get(header);
          return token === undefined ? none : wrap(token);
        };
      }
      const key = keys[0];
      if (!signs || key === undefined) return () => none;
      const cache = new TokenCache(key, { issuer, audience: identity.audience ?? server.name, ttlSeconds: identity.ttlSeconds }, wrap);
      return (call) => {
        const principal = call.ctx.caller.principal;
        return principal === undefined ? none : cache.for(principal);
      };
    },
  };
}
