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
  return type !== undefined && type.split(";")[0]!.trim().toLowerCase() === "application/json";
}
