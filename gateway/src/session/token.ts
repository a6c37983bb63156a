/**
 * Session ids are sealed tokens: `base64url(payload).base64url(HMAC-SHA256(payload))[:16 bytes]`. The payload holds
 * what any replica needs to rebuild the session (protocol version, the client's capabilities, creation time), so a
 * replica that never saw the session can serve it, and a forged or altered id is rejected.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export interface SessionSeed {
  /** Negotiated protocol version. */
  protocolVersion: string;
  /** Client capabilities the gateway forwards requests for. */
  capabilities: { sampling: boolean; elicitation: boolean; roots: boolean };
  /** Milliseconds since the epoch. */
  createdAt: number;
}

interface Payload {
  v: string;
  c: number;
  t: number;
  n: string;
}

const MAC_BYTES = 16;

export class SessionSealer {
  private readonly key: Buffer;

  /** @param secret the shared key of every replica; random per process when omitted (sessions then stay on one replica). */
  constructor(secret?: string) {
    this.key = secret !== undefined && secret !== "" ? Buffer.from(secret, "utf8") : randomBytes(32);
  }

  seal(seed: SessionSeed): string {
    const c = (seed.capabilities.sampling ? 1 : 0) | (seed.capabilities.elicitation ? 2 : 0) | (seed.capabilities.roots ? 4 : 0);
    const payload: Payload = { v: seed.protocolVersion, c, t: seed.createdAt, n: randomBytes(9).toString("base64url") };
    const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
    return `${body}.${this.mac(body).toString("base64url")}`;
  }

  /** The seed sealed in `token`, or `undefined` when the token is malformed or was not sealed with this key. */
  unseal(token: string): SessionSeed | undefined {
    const dot = token.indexOf(".");
    if (dot <= 0 || token.length > 512) return undefined;
    const body = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), "base64url");
    const expected = this.mac(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const p = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Payload;
      if (typeof p.v !== "string" || typeof p.c !== "number" || typeof p.t !== "number") return undefined;
      return { protocolVersion: p.v, capabilities: { sampling: (p.c & 1) !== 0, elicitation: (p.c & 2) !== 0, roots: (p.c & 4) !== 0 }, createdAt: p.t };
    } catch {
      return undefined;
    }
  }

  private mac(body: string): Buffer {
    return createHmac("sha256", this.key).update(body).digest().subarray(0, MAC_BYTES);
  }

  /** A MAC of `text` under the same key, for other sealed ids (task handles); `purpose` keeps the uses apart. */
  sign(purpose: string, text: string): Buffer {
    return createHmac("sha256", this.key).update(`${purpose}\n${text}`).digest().subarray(0, MAC_BYTES);
  }
}
