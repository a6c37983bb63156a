/** The credential of a request: its `Authorization: Bearer <token>` header (RFC 6750 section 2.1), read strictly. */

export type Credential =
  | { kind: "none" }
  | { kind: "bearer"; token: string }
  /** `why` is safe to answer and log: it never repeats the header. */
  | { kind: "malformed"; why: string };

/** RFC 6750 `b64token`. */
const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** Longest token read (the whole request head is bounded at 16 KiB anyway). */
export const MAX_TOKEN_LENGTH = 8192;

export function credentialOf(header: string | undefined): Credential {
  if (header === undefined) return { kind: "none" };
  const space = header.indexOf(" ");
  const scheme = space === -1 ? header : header.slice(0, space);
  if (scheme.toLowerCase() !== "bearer") return { kind: "malformed", why: "the Authorization header must use the Bearer scheme" };
  const token = header.slice(space + 1).replace(/^ +/, "");
  // Two Authorization headers arrive joined by ", " (http/h1/head.ts): never a valid token.
  if (token.includes(",")) return { kind: "malformed", why: "the request carries more than one Authorization credential; send exactly one" };
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !TOKEN.test(token)) return { kind: "malformed", why: "the bearer token is not a well-formed token" };
  return { kind: "bearer", token };
}

/** Three base64url parts: a JWS in compact form (anything else is tried as an API key). */
export function looksLikeJwt(token: string): boolean {
  const first = token.indexOf(".");
  const second = first > 0 ? token.indexOf(".", first + 1) : -1;
  return second > first + 1 && token.indexOf(".", second + 1) === -1;
}
