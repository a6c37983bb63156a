/**
 * Identity and access for 2026-07-28 callers (no session: every request carries its own credentials): no key is
 * 401 like a 2025 caller's; each identity's lists are its own view (and so `private`); a tool outside the view is
 * unknown; an input round's requestState and a task handle issued to one identity are refused to another; a rate
 * limit answers 429 with Retry-After.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayConfigInput } from "../src/config.js";
import type { RunningGateway } from "../src/gateway.js";
import { EVERYTHING, REPO, gateway } from "./helpers.js";
import { envelope, modernPost } from "./modern-wire.js";

const sha256 = (key: string) => createHash("sha256").update(key).digest("hex");
const ALICE = "alice-key-0123456789";
const BOB = "bob-key-0123456789";
const LEGACY = join(REPO, "gateway/test/fixtures/conformance-server.ts");
const ELICIT = "legacy__test_input_required_result_elicitation";

const auth: GatewayConfigInput["auth"] = {
  mode: "apiKey",
  apiKeys: [
    { name: "alice", sha256: sha256(ALICE), roles: ["support"] },
    { name: "bob", sha256: sha256(BOB), roles: ["billing"] },
  ],
};
const as = (key: string) => ({ authorization: `Bearer ${key}` });
const names = (answer: Awaited<ReturnType<typeof modernPost>>) => (answer.body?.result?.tools as { name: string }[]).map((t) => t.name).sort();

describe("2026-07-28 callers with identities", () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await gateway({
      auth,
      rateLimits: { rules: [{ key: "identity", perMinute: 1, burst: 1_000 }] },
      servers: [
        { name: "everything", transport: "stdio", command: "node", args: [EVERYTHING, "stdio"], access: [{ roles: ["support", "billing"], tools: ["echo", "simulate-research-query"] }] },
        {
          name: "legacy",
          transport: "stdio",
          command: process.execPath,
          args: ["--import", "tsx", LEGACY],
          cwd: REPO,
          access: [{ roles: ["support"], tools: ["test_simple_text", "test_input_required_result_elicitation"] }, { roles: ["billing"], tools: ["test_input_required_result_elicitation"] }],
        },
      ],
    });
  });
  afterAll(async () => gw?.close());

  it("refuses a request without credentials with 401 and the resource metadata", async () => {
    const answer = await modernPost(gw.url, "tools/list");
    expect(answer.status).toBe(401);
    expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer /);
  });

  it("lists each identity's own view, private, and refuses a tool outside it as unknown", async () => {
    const alice = await modernPost(gw.url, "tools/list", {}, { headers: as(ALICE) });
    const bob = await modernPost(gw.url, "tools/list", {}, { headers: as(BOB) });
    expect(names(alice)).toEqual(["everything__echo", "everything__simulate-research-query", ELICIT, "legacy__test_simple_text"].sort());
    expect(names(bob)).toEqual(["everything__echo", "everything__simulate-research-query", ELICIT].sort());
    expect([alice.body?.result?.cacheScope, bob.body?.result?.cacheScope]).toEqual(["private", "private"]);
    const theirs = await modernPost(gw.url, "tools/call", { name: "legacy__test_simple_text", arguments: {} }, { headers: as(BOB) });
    expect(theirs.body?.error).toMatchObject({ code: -32602, message: 'Unknown tool: "legacy__test_simple_text". Call tools/list for the tools this gateway exposes.' });
    const own = await modernPost(gw.url, "tools/call", { name: "legacy__test_simple_text", arguments: {} }, { headers: as(ALICE) });
    expect(own.body?.result).toMatchObject({ resultType: "complete", content: [{ type: "text", text: "This is a simple text response for testing." }] });
  });

  it("refuses an input round's requestState to another identity, and completes it for its own", async () => {
    const meta = envelope({ elicitation: {} });
    const round = await modernPost(gw.url, "tools/call", { name: ELICIT, arguments: {} }, { headers: as(ALICE), meta });
    expect(round.body?.result).toMatchObject({ resultType: "input_required" });
    const retry = { name: ELICIT, arguments: {}, inputResponses: { user_name: { action: "accept", content: { name: "Ada" } } }, requestState: round.body!.result!.requestState };
    const stolen = await modernPost(gw.url, "tools/call", retry, { headers: as(BOB), meta, id: 2 });
    expect(stolen.body?.error).toEqual({ code: -32602, message: "Invalid requestState: requestState was issued to another caller", data: { reason: "invalid_request_state" } });
    const own = await modernPost(gw.url, "tools/call", retry, { headers: as(ALICE), meta, id: 3 });
    expect(own.body?.result).toMatchObject({ resultType: "complete", content: [{ type: "text", text: "Hello, Ada!" }] });
  });

  it("binds a task handle to the identity that created it", async () => {
    const tasks = envelope({ extensions: { "io.modelcontextprotocol/tasks": {} } });
    const created = await modernPost(gw.url, "tools/call", { name: "everything__simulate-research-query", arguments: { topic: "gateways" } }, { headers: as(ALICE), meta: tasks });
    const task = created.body?.result as { resultType?: string; taskId?: string } | undefined;
    expect(task?.resultType).toBe("task");
    const theirs = await modernPost(gw.url, "tasks/get", { taskId: task!.taskId }, { headers: as(BOB), meta: tasks, id: 2 });
    expect(theirs.body?.error?.code).toBe(-32602);
    const own = await modernPost(gw.url, "tasks/get", { taskId: task!.taskId }, { headers: as(ALICE), meta: tasks, id: 3 });
    expect(own.body?.result).toMatchObject({ taskId: task!.taskId });
    await modernPost(gw.url, "tasks/cancel", { taskId: task!.taskId }, { headers: as(ALICE), meta: tasks, id: 4 });
  });
});

describe("2026-07-28 callers over a rate limit", () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await gateway({
      auth: { mode: "apiKey", apiKeys: [{ name: "alice", sha256: sha256(ALICE), roles: [] }] },
      rateLimits: { rules: [{ key: "identity", perMinute: 1, burst: 2 }] },
      servers: [{ name: "everything", transport: "stdio", command: "node", args: [EVERYTHING, "stdio"], access: [{ roles: ["*"], tools: ["*"] }] }],
    });
  });
  afterAll(async () => gw?.close());

  it("get 429 with Retry-After once the identity's bucket is empty", async () => {
    const echo = (id: number) => modernPost(gw.url, "tools/call", { name: "everything__echo", arguments: { message: "hi" } }, { headers: as(ALICE), id });
    expect((await echo(1)).status).toBe(200);
    expect((await echo(2)).status).toBe(200);
    const over = await echo(3);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(over.body?.error?.message).toMatch(/^Rate limited: rateLimits\.rules\[0\] allows 1 per minute \(burst 2\) per identity; retry in \d+ s$/);
  });
});
