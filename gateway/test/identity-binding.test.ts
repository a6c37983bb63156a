/** Sealed session ids and task handles carry the identity that created them; no other identity can use them. */
import { describe, expect, it } from "vitest";
import { SessionStore } from "../src/session/store.js";
import { TaskHandles } from "../src/session/tasks.js";
import { SessionSealer } from "../src/session/token.js";

const seed = { protocolVersion: "2025-11-25", capabilities: { sampling: false, elicitation: false, roots: false }, createdAt: 1 };

describe("identity binding", () => {
  it("a session sealed for one identity is found for it only, on this replica and on one that never saw it", () => {
    const sealer = new SessionSealer("k");
    const here = new SessionStore({ sealer, idleTimeoutMs: 60_000, maxSessions: 10, onClose: () => undefined });
    const session = here.create({ ...seed, owner: "alice-ref" });
    expect(here.lookup(session.token!, "bob-ref")).toBeUndefined();
    expect(here.lookup(session.token!, undefined)).toBeUndefined();
    expect(here.lookup(session.token!, "alice-ref")).toMatchObject({ session });
    const elsewhere = new SessionStore({ sealer, idleTimeoutMs: 60_000, maxSessions: 10, onClose: () => undefined });
    expect(elsewhere.lookup(session.token!, "bob-ref")).toBeUndefined();
    expect(elsewhere.lookup(session.token!, "alice-ref")).toMatchObject({ session: { id: session.id } });
    here.closeAll();
    elsewhere.closeAll();
  });

  it("a task handle opens only for the identity it was made for, even without a session (stateless)", () => {
    const handles = new TaskHandles((purpose, text) => new SessionSealer("k").sign(purpose, text));
    const ref = { server: "fixture", upstreamId: "t-1" };
    const handle = handles.handle(undefined, ref, "alice-ref");
    expect(handles.open(undefined, handle, "alice-ref")).toEqual(ref);
    expect(handles.open(undefined, handle, "bob-ref")).toBeUndefined();
    expect(handles.open(undefined, handle, undefined)).toBeUndefined();
    // Without auth, handles are what they were.
    expect(handles.handle("sid", ref)).toBe(handles.handle("sid", ref, undefined));
  });
});
