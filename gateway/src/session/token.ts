/**
 * Session ids are sealed tokens: `base64url(payload).base64url(HMAC-SHA256(key, payload)[:16])`. The payload holds
 * what any replica needs to rebuild the session (protocol version, the client's capabilities, when it was created,
 * the session's own stable id `sid`) and when this token expires. So a replica that never saw the session can serve
 * it, an altered token is refused, and an idle session dies on every replica at the same time.
 *
 * Strict on the way in: both parts must be canonical unpadded base64url (decode and re-encode to exactly the same
 * text; Node's decoder otherwise ignores stray characters and the spare bits of the last one), the MAC covers the
 * exact bytes of the payload part, and the token must not have expired.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export interface SessionSeed {
  /** Negotiated protocol version. */
  protocolVersion: string;
  /** Client capabilities the gateway forwards requests for. */
  capabilities: { sampling: boolean; elicitation: boolean; roots: boolean };
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** The identity that created the session (`Principal.ref`); only it may use the session. Unset without auth. */
  owner?: string;
}

/** What a valid token says. */
export interface SealedSession {
  seed: SessionSeed;
  /** The session's stable id: the same in every token of the session (renewals included). */
  sid: string;
  /** When this token stops being accepted, in milliseconds since the epoch. */
  expiresAt: number;
}

interface Payload {
  v: string;
  c: number;
  t: number;
  n: string;
  e: number;
  o?: string;
}

const MAC_BYTES = 16;
/** Longest token accepted (ours are about 150 characters). */
const MAX_TOKEN_LENGTH = 512;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function canonical(part: string): Buffer | undefined {
  if (!BASE64URL.test(part)) return undefined;
  const bytes = Buffer.from(part, "base64url");
  return bytes.toString("base64url") === part ? bytes : undefined;
}

/** A new random session id (128 bits, base64url). */
export function newSid(): string {
  return randomBytes(16).toString("base64url");
}

export class SessionSealer {
  private readonly key: Buffer;

  /** @param secret the shared key of every replica; random per process when omitted (sessions then stay on one replica). */
  constructor(secret?: string) {
    this.key = secret !== undefined && secret !== "" ? Buffer.from(secret, "utf8") : randomBytes(32);
  }

  seal(seed: SessionSeed, sid: string, expiresAt: number): string {
    const c = (seed.capabilities.sampling ? 1 : 0) | (seed.capabilities.elicitation ? 2 : 0) | (seed.capabilities.roots ? 4 : 0);
    const payload: Payload = { v: seed.protocolVersion, c, t: seed.createdAt, n: sid, e: expiresAt };
    if (seed.owner !== undefined) payload.o = seed.owner;
    const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
    return `${body}.${this.mac(body).toString("base64url")}`;
  }

  /**
   * What `token` says, or `undefined` when it is malformed, not canonical, not sealed with this key, or expired at
   * `now`.
   */
  unseal(token: string, now = Date.now()): SealedSession | undefined {
    if (token.length > MAX_TOKEN_LENGTH) return undefined;
    const dot = token.indexOf(".");
    if (dot <= 0 || token.indexOf(".", dot + 1) !== -1) return undefined;
    const body = token.slice(0, dot);
    const payloadBytes = canonical(body);
    const given = canonical(token.slice(dot + 1));
    if (payloadBytes === undefined || given === undefined) return undefined;
    const expected = this.mac(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let p: Payload;
    try {
      p = JSON.parse(payloadBytes.toString("utf8")) as Payload;
    } catch {
      return undefined;
    }
    if (typeof p.v !== "string" || typeof p.c !== "number" || typeof p.t !== "number" || typeof p.n !== "string" || typeof p.e !== "number") return undefined;
    if (p.e <= now || (p.o !== undefined && typeof p.o !== "string")) return undefined;
    const seed: SessionSeed = { protocolVersion: p.v, capabilities: { sampling: (p.c & 1) !== 0, elicitation: (p.c & 2) !== 0, roots: (p.c & 4) !== 0 }, createdAt: p.t };
    if (p.o !== undefined) seed.owner = p.o;
    return {
      seed,
      sid: p.n,
      expiresAt: p.e,
    };
  }

  private mac(body: string): Buffer {
    return createHmac("sha256", this.key).update(body).digest().subarray(0, MAC_BYTES);
  }

  /** A MAC of `text` under the same key, for other sealed ids (task handles); `purpose` keeps the uses apart. */
  sign(purpose: string, text: string): Buffer {
    return createHmac("sha256", this.key).update(`${purpose}\n${text}`).digest().subarray(0, MAC_BYTES);
  }
}
