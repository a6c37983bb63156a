/**
 * Host names as the DNS-rebinding guard sees them: the `Host` header and the authority of an `Origin`, parsed by
 * grammar (RFC 3986 host and port, no userinfo), never by prefix. Loopback means the whole host `localhost`, an
 * IPv4 address in 127.0.0.0/8 written as four decimal octets, or `[::1]`.
 */
import { isIPv6 } from "node:net";

export interface Authority {
  /** Lowercase; IPv6 literals keep their brackets, normalized (`[::1]`). */
  hostname: string;
  port: number | undefined;
}

/** Names and IPv4 addresses: letters, digits, `-` and `.` (no userinfo, no percent-encoding, no empty labels). */
const NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;
const PORT = /^[0-9]{1,5}$/;
const OCTET = /^(?:0|[1-9][0-9]{0,2})$/;

/** `host[:port]` as in a Host header, or `undefined` when it is not exactly that. */
export function parseAuthority(text: string): Authority | undefined {
  let host: string;
  let rest: string;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close === -1) return undefined;
    const literal = text.slice(1, close);
    if (!isIPv6(literal)) return undefined;
    host = `[${normalizeIPv6(literal)}]`;
    rest = text.slice(close + 1);
  } else {
    const colon = text.indexOf(":");
    host = (colon === -1 ? text : text.slice(0, colon)).toLowerCase();
    rest = colon === -1 ? "" : text.slice(colon);
    if (!NAME.test(host)) return undefined;
  }
  if (rest === "") return { hostname: host, port: undefined };
  if (!rest.startsWith(":") || !PORT.test(rest.slice(1))) return undefined;
  const port = Number(rest.slice(1));
  return port <= 65535 ? { hostname: host, port } : undefined;
}

function normalizeIPv6(literal: string): string {
  return new URL(`http://[${literal}]/`).hostname.slice(1, -1);
}

/** Is this hostname (from {@link parseAuthority}, or a bind address) a loopback host? */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === "localhost") return true;
  if (host === "[::1]" || host === "::1") return true;
  const octets = host.split(".");
  return octets.length === 4 && octets.every((o) => OCTET.test(o) && Number(o) <= 255) && octets[0] === "127";
}

/** The authority of an `Origin` header value (`scheme://host[:port]`, nothing else), or `undefined`. */
export function originAuthority(origin: string): Authority | undefined {
  const match = /^(https?):\/\/([^/?#@]+)$/i.exec(origin);
  return match === null ? undefined : parseAuthority(match[2]!);
}
