/**
 * The identity room: how a backend that asks for it (`servers[].credentials.identity`) learns who calls. The
 * client's own credential never goes upstream; instead each call carries a short-lived JWT the gateway signs
 * (signer.ts, keys from keys.ts), as a header on that request (HTTP, SSE) or in its `_meta` (stdio), and the public
 * keys are served at `/.well-known/jwks.json`; or (`token-exchange`) the caller's OAuth token exchanged for one of
 * the server's own (exchange.ts, RFC 8693), as `Authorization: Bearer`.
 *
 * Without authentication there is no caller to vouch for: nothing is signed. An adapter (which only the fleet's
 * gateway reaches) relays the token that gateway sent it for a server whose identity says `relay`, so a server
 * behind its adapter sees the same token.
 */
import type { BackendConfig, GatewayConfig } from "../config.js";
import { EXCHANGED_HEADER, IDENTITY_META_KEY, JWKS_PATH, type IdentityPresentation } from "../config/identity.js";
import type { Caller, ClientCall } from "../context.js";
import type { H1Request, H1Response } from "../http/h1/server.js";
import type { Logger } from "../observability/logger.js";
import type { AdmissionStep } from "../steps/steps.js";
import type { CallPresentation } from "../upstream/backend.js";
import { ErrorCode, RpcError } from "../jsonrpc.js";
import { ExchangeFailed, TokenExchanger } from "./exchange.js";
import { jwksOf, loadSigningKeys, type SigningKey } from "./keys.js";
import { TokenCache } from "./signer.js";

/** A relayed token: a compact JWS (a signed identity token), or a bearer credential (an exchanged token), bounded. */
const COMPACT_JWS = /^[A-Za-z0-9_-]{1,4096}\.[A-Za-z0-9_-]{1,8192}\.[A-Za-z0-9_-]{1,1024}$/;
const BEARER = /^Bearer [A-Za-z0-9._~+/-]{1,12288}=*$/;

/** Callers that carry relayed tokens, by lowercased header name. */
const relayed = new WeakMap<Caller, Map<string, string>>();

export interface IdentityRoom {
  /** GET endpoints by path: the JWKS, when the gateway signs. */
  endpoints: Map<string, (req: H1Request, res: H1Response) => void>;
  /** Admission steps (the relay's: it picks up the tokens of the gateway in front). */
  steps: AdmissionStep[];
  /** What each call to this server carries, or `undefined` when the server asks for nothing (no per-call work). */
  presenter(config: BackendConfig): ((call: ClientCall) => CallPresentation | Promise<CallPresentation> | undefined) | undefined;
}

const NOTHING: CallPresentation = Object.freeze({});

/** The request header a server's token travels in (lowercased). */
function headerOf(identity: IdentityPresentation): string {
  return identity.header.toLowerCase();
}

/** The request header a relaying gateway reads the token from (lowercased): an exchanged one arrives in its own header. */
function inboundHeaderOf(identity: IdentityPresentation): string {
  return identity.type === "token-exchange" ? EXCHANGED_HEADER.toLowerCase() : identity.header.toLowerCase();
}

/** How a token travels to a server of this transport. */
function carrier(config: BackendConfig, identity: IdentityPresentation): (token: string) => CallPresentation {
  if (config.transport === "stdio") return (token) => Object.freeze({ meta: Object.freeze({ [IDENTITY_META_KEY]: token }) });
  const header = headerOf(identity);
  return (token) => Object.freeze({ headers: Object.freeze({ [header]: token }) });
}

/** The presenter of a token-exchange server: the caller's exchanged token, or the call's error naming the server. */
function exchangePresenter(server: BackendConfig, identity: IdentityPresentation, exchanger: TokenExchanger, logger: Logger): (call: ClientCall) => CallPresentation | Promise<CallPresentation> {
  const header = headerOf(identity);
  const wrap = (token: string): CallPresentation => ({ headers: { [header]: `Bearer ${token}` } });
  return (call) => {
    const subject = call.ctx.caller.accessToken;
    if (subject === undefined) {
      const principal = call.ctx.caller.principal;
      const who = principal?.kind === "apiKey" ? `API key "${principal.name ?? principal.id}"` : "this caller";
      return Promise.reject(new RpcError(ErrorCode.InvalidRequest, `Server "${server.name}" sees its callers through an OAuth token exchange (credentials.identity), and ${who} has no OAuth access token to exchange. Call it with an OAuth access token.`));
    }
    const hit = exchanger.cached(subject);
    if (hit !== undefined) return wrap(hit);
    return exchanger.exchange(subject).then(wrap, (error: unknown) => {
      const why = error instanceof ExchangeFailed ? error.message : "it failed";
      logger.warn({ reqId: call.ctx.reqId, server: server.name, err: why }, "token exchange failed");
      throw new RpcError(ErrorCode.InternalError, `Server "${server.name}" was not called: exchanging the caller's token for one of its own failed (${why}).`);
    });
  };
}

/** A stdio request must not carry a token its client wrote into `_meta`: it is removed when the gateway has none to send. */
function absent(config: BackendConfig): CallPresentation {
  return config.transport === "stdio" ? Object.freeze({ meta: Object.freeze({ [IDENTITY_META_KEY]: undefined }) }) : NOTHING;
}

export function identityRoom(config: GatewayConfig, logger: Logger, env: NodeJS.ProcessEnv = process.env): IdentityRoom {
  const endpoints = new Map<string, (req: H1Request, res: H1Response) => void>();
  const asked = config.servers.some((s) => s.credentials.identity?.type === "signed-header" && !s.credentials.identity.relay);
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
  // Only an adapter relays (the server's `relay`, which the components render for adapters only): a gateway clients reach never passes their headers on.
  const relayHeaders = [...new Set(config.servers.flatMap((s) => (s.credentials.identity?.relay === true ? [inboundHeaderOf(s.credentials.identity)] : [])))];
  const steps: AdmissionStep[] = relayHeaders.length === 0 ? [] : [
    {
      name: "identity-relay",
      admit(req: H1Request, caller: Caller) {
        let found: Map<string, string> | undefined;
        for (const name of relayHeaders) {
          const value = req.headers[name];
          if (value !== undefined && (name === EXCHANGED_HEADER.toLowerCase() ? BEARER : COMPACT_JWS).test(value)) (found ??= new Map()).set(name, value);
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
      if (identity.relay) {
        const inbound = inboundHeaderOf(identity);
        return (call) => {
          const token = relayed.get(call.ctx.caller)?.get(inbound);
          return token === undefined ? none : wrap(token);
        };
      }
      if (!signs) return () => none;
      if (identity.type === "token-exchange") return exchangePresenter(server, identity, new TokenExchanger(server.name, identity, env), logger);
      const key = keys[0];
      if (key === undefined) {
        // A server added by a reload, while the gateway started without a signing key (identity takes effect on restart).
        logger.warn({ server: server.name }, "credentials.identity signed-header: the gateway started without identity.signingKeyEnv, so this server gets no identity token until a restart");
        return () => none;
      }
      const cache = new TokenCache(key, { issuer, audience: identity.audience ?? server.name, ttlSeconds: identity.ttlSeconds }, wrap);
      return (call) => {
        const principal = call.ctx.caller.principal;
        return principal === undefined ? none : cache.for(principal);
      };
    },
  };
}
