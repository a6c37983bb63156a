/** Checks on an incoming HTTP request before any MCP handling: Host/Origin (DNS rebinding), media types, body size. */

import { isLoopbackHost, originAuthority, parseAuthority } from "./hosts.js";

/** What the guards read of a request. */
export interface RequestHeaders {
  readonly headers: Readonly<Record<string, string | undefined>>;
}

export interface OriginPolicy {
  /** The address the gateway is bound to. */
  bindHost: string;
  allowedHosts: readonly string[];
  allowedOrigins: readonly string[];
}

/** Why the request's Host or Origin is refused (403), or `undefined` when it is accepted. */
export function originProblem(req: RequestHeaders, policy: OriginPolicy): string | undefined {
  const host = req.headers.host;
  if (host === undefined) return "missing Host header";
  const authority = parseAuthority(host);
  if (authority === undefined) return `Host "${host}" is not a host name or address with an optional port`;
  if (policy.allowedHosts.length > 0) {
    if (!policy.allowedHosts.includes(host) && !policy.allowedHosts.includes(authority.hostname)) return `Host "${host}" is not allowed`;
  } else if (isLoopbackHost(policy.bindHost) && !isLoopbackHost(authority.hostname)) {
    return `Host "${host}" is not allowed: the gateway is bound to loopback (set http.allowedHosts to serve other names)`;
  }
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  if (policy.allowedOrigins.length > 0) {
    return policy.allowedOrigins.includes(origin) ? undefined : `Origin "${origin}" is not allowed`;
  }
  const originHost = originAuthority(origin);
  return originHost !== undefined && isLoopbackHost(originHost.hostname) ? undefined : `Origin "${origin}" is not allowed (set http.allowedOrigins)`;
}

/** Most (Host, Origin) pairs remembered by an origin check: clients send the same pair on every request. */
const MAX_REMEMBERED_PAIRS = 256;

/**
 * `originProblem` for one policy, remembering its answers for the (Host, Origin) pairs seen recently: the parse and
 * the checks run once per pair, not per request. Bounded: a client sending many pairs only empties the memory.
 */
export function originCheck(policy: OriginPolicy): (req: RequestHeaders) => string | undefined {
  const answers = new Map<string, string>(); // "" for an accepted pair
  return (req) => {
    const { host, origin } = req.headers;
    // Header values never hold a line break (http/h1 refuses them), so the key is exact.
    const key = `${host === undefined ? "-" : `+${host}`}\n${origin === undefined ? "-" : `+${origin}`}`;
    const known = answers.get(key);
    if (known !== undefined) return known === "" ? undefined : known;
    const problem = originProblem(req, policy);
    if (answers.size >= MAX_REMEMBERED_PAIRS) answers.clear();
    answers.set(key, problem ?? "");
    return problem;
  };
}

/** Answers for Accept header values seen recently (clients send the same one on every request). */
const acceptCache = new Map<string, boolean>();

/** Does the Accept header list this media type (or a wildcard covering it)? */
export function accepts(req: RequestHeaders, type: string): boolean {
  const accept = req.headers.accept;
  if (accept === undefined) return false;
  const key = `${type}\u0000${accept}`;
  const cached = acceptCache.get(key);
  if (cached !== undefined) return cached;
  const major = type.slice(0, type.indexOf("/"));
  const answer = accept.split(",").some((part) => {
    const media = part.split(";")[0]!.trim().toLowerCase();
    return media === type || media === "*/*" || media === `${major}/*`;
  });
  if (acceptCache.size >= 256) acceptCache.clear();
  acceptCache.set(key, answer);
  return answer;
}

export function isJsonContentType(req: RequestHeaders): boolean {
  const type = req.headers["content-type"];
  if (type === "application/json") return true; // what clients send
  return type !== undefined && type.split(";")[0]!.trim().toLowerCase() === "application/json";
}
