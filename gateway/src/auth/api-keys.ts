/**
 * API keys for machine clients: the config holds only each key's SHA-256, never the key. A presented key is hashed
 * and compared with every configured hash in constant time (no early exit), so neither the comparison nor the
 * number of keys tried tells an attacker anything about a key. Keys never reach logs, metrics or errors.
 */
import { hash, timingSafeEqual } from "node:crypto";
import type { ApiKeyConfig } from "../config/auth.js";
import type { Principal } from "../context.js";
import { makePrincipal } from "./principal.js";

export class ApiKeys {
  private readonly entries: { hash: Buffer; principal: Principal }[];

  constructor(keys: readonly ApiKeyConfig[]) {
    this.entries = keys.map((key) => ({
      hash: Buffer.from(key.sha256, "hex"),
      principal: makePrincipal({ id: `apikey:${key.name}`, kind: "apiKey", roles: key.roles, scopes: key.scopes, name: key.name }),
    }));
  }

  get size(): number {
    return this.entries.length;
  }

  /** The principal of a key, or undefined. */
  verify(key: string): Principal | undefined {
    // One-shot hashing: no Hash object per request (an adapter verifies the central gateway's key on every call).
    const digest = hash("sha256", key, "buffer");
    let found: Principal | undefined;
    for (const entry of this.entries) if (timingSafeEqual(digest, entry.hash)) found = entry.principal;
    return found;
  }
}

/**
 * Whether `presented` is `known`, in time that depends on `presented`'s length only (no early exit): behind a proxy,
 * one upstream connection carries several clients' requests.
 */
export function sameSecret(known: string, presented: string): boolean {
  let diff = known.length ^ presented.length;
  for (let i = 0; i < presented.length; i++) diff |= (known.charCodeAt(i) | 0) ^ presented.charCodeAt(i);
  return diff === 0;
}
