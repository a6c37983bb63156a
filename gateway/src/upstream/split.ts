/**
 * The canary split of a server: which side (stable or canary) serves a call, by weight, sticky per session (or per
 * caller, `sticky: caller`, and for calls without a session): the same key always lands on the same side while
 * the weight stays, and raising the weight only moves keys from stable to canary.
 */
import { callerKey, type ClientCall } from "../context.js";

export type Track = "stable" | "canary";

/** FNV-1a, 32 bits: cheap, stable across replicas and restarts. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class CanarySplit {
  constructor(
    private readonly server: string,
    /** Percent of keys on the canary. */
    readonly weight: number,
    private readonly sticky: "session" | "caller",
  ) {}

  /** The key a call is split by. */
  keyOf(call: ClientCall): string {
    return this.sticky === "session" && call.session.id !== undefined ? `s:${call.session.id}` : callerKey(call.ctx.caller);
  }

  track(call: ClientCall | undefined): Track {
    if (this.weight <= 0 || call === undefined) return "stable";
    if (this.weight >= 100) return "canary";
    return hash(`${this.server}\n${this.keyOf(call)}`) % 100 < this.weight ? "canary" : "stable";
  }
}
