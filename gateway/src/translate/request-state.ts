/**
 * The `requestState` the gateway gives a 2026-07-28 caller when a 2025 backend asked it for input mid-call: a sealed
 * token, `gw1.<base64url(payload)>.<base64url(MAC)>`, the MAC under the key every replica shares (purpose
 * `requestState`). The payload names the replica that holds the backend call and the call there, the round, who
 * may retry (a digest of the caller's key: its identity, else its address), what the retry must be (method and
 * target), and when the token expires. Signed, not encrypted: it holds no secret. Strict on the way in, like
 * session ids: canonical base64url parts, a MAC over the exact bytes, bounded length.
 */
import { createHash, timingSafeEqual } from "node:crypto";

export interface RequestStateClaims {
  /** The replica that holds the waiting backend call. */
  replica: string;
  /** The waiting call on that replica. */
  call: string;
  /** Which round of input this token answers (only the latest round's token is accepted). */
  round: number;
  /** Digest of the caller's key. */
  caller: string;
  method: string;
  /** The tool or prompt name, or the resource URI, the retry must name again. */
  target: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

type Sign = (purpose: string, text: string) => Buffer;

const PREFIX = "gw1.";
const MAX_TOKEN_LENGTH = 4096;
const PURPOSE = "requestState";

function canonical(part: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) return undefined;
  const bytes = Buffer.from(part, "base64url");
  return bytes.toString("base64url") === part ? bytes : undefined;
}

/** A short digest of a caller's key, for the token (the key itself may be an address). */
export function callerDigest(key: string): string {
  return createHash("sha256").update(key).digest().subarray(0, 12).toString("base64url");
}

export type Opened = { claims: RequestStateClaims } | { problem: "malformed" | "expired" };

export class RequestStateSeal {
  constructor(private readonly sign: Sign) {}

  seal(claims: RequestStateClaims): string {
    const body = Buffer.from(
      JSON.stringify({ r: claims.replica, i: claims.call, n: claims.round, c: claims.caller, m: claims.method, t: claims.target, e: claims.expiresAt }),
    ).toString("base64url");
    return `${PREFIX}${body}.${this.sign(PURPOSE, body).toString("base64url")}`;
  }

  /** What a token says, when it is one of ours, unaltered and unexpired at `now`. */
  open(token: unknown, now = Date.now()): Opened {
    if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH || !token.startsWith(PREFIX)) return { problem: "malformed" };
    const parts = token.slice(PREFIX.length).split(".");
    if (parts.length !== 2) return { problem: "malformed" };
    const [body, mac] = parts as [string, string];
    const payload = canonical(body);
    const given = canonical(mac);
    if (payload === undefined || given === undefined) return { problem: "malformed" };
    const expected = this.sign(PURPOSE, body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { problem: "malformed" };
    let p: { r?: unknown; i?: unknown; n?: unknown; c?: unknown; m?: unknown; t?: unknown; e?: unknown };
    try {
      p = JSON.parse(payload.toString("utf8")) as typeof p;
    } catch {
      return { problem: "malformed" };
    }
    if (typeof p.r !== "string" || typeof p.i !== "string" || typeof p.n !== "number" || typeof p.c !== "string" || typeof p.m !== "string" || typeof p.t !== "string" || typeof p.e !== "number") {
      return { problem: "malformed" };
    }
    if (p.e <= now) return { problem: "expired" };
    return { claims: { replica: p.r, call: p.i, round: p.n, caller: p.c, method: p.m, target: p.t, expiresAt: p.e } };
  }
}
