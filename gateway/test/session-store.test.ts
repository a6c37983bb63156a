/** The session store alone: ended ids stay refused however many sessions end after them; tokens are canonical. */
import { describe, expect, it } from "vitest";
import { SessionStore } from "../src/session/store.js";
import { SessionSealer } from "../src/session/token.js";

const seed = { protocolVersion: "2025-11-25", capabilities: { sampling: false, elicitation: false, roots: false }, createdAt: 0 };

function store(now: () => number = Date.now): SessionStore {
  return new SessionStore({ sealer: new SessionSealer("k"), idleTimeoutMs: 60_000, maxSessions: 100_000, onClose: () => undefined, now });
}

describe("the session store", () => {
  it("refuses a deleted id after 10,001 later deletions (no count-bounded memory of ended sessions)", () => {
    const s = store();
    const first = s.create(seed);
    const token = first.token!;
    s.end(first);
    for (let i = 0; i < 10_001; i++) s.end(s.create(seed));
    expect(s.lookup(token)).toBeUndefined();
    s.closeAll();
  });

  it("forgets an ended session once every token of it has expired, and refuses the token by its expiry then", () => {
    let now = 1_000_000;
    const s = store(() => now);
    const session = s.create(seed);
    const token = session.token!;
    s.end(session);
    now += 60_001;
    expect(s.lookup(token)).toBeUndefined();
    s.closeAll();
  });

  it("accepts only the exact token it issued: a re-encoding of the same bytes is refused", () => {
    const sealer = new SessionSealer("k");
    const token = sealer.seal(seed, "sid", Date.now() + 60_000);
    expect(sealer.unseal(token)?.sid).toBe("sid");
    const [body, mac] = token.split(".") as [string, string];
    // Standard base64 of the same payload bytes, and padding: same bytes, other text.
    expect(sealer.unseal(`${Buffer.from(body, "base64url").toString("base64")}.${mac}`)).toBeUndefined();
    expect(sealer.unseal(`${body}=.${mac}`)).toBeUndefined();
    expect(sealer.unseal(`${body}.${mac}.`)).toBeUndefined();
    expect(sealer.unseal(token, Date.now() + 60_001)).toBeUndefined();
  });
});
