/**
 * Per-identity access through real gateways and real backends: two API-key identities with different roles see
 * different lists and cannot call each other's tools, read each other's resources or use each other's sessions;
 * a hidden item is answered byte for byte like a missing one; a server without rules shows nothing.
 */
import { createHash } from "node:crypto";
import { Agent } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BackendConfigInput, GatewayConfigInput } from "../src/config.js";
import type { RunningGateway } from "../src/gateway.js";
import { bearer, openSession, rpc, send, type Answer } from "./fixtures/raw-http.js";
import { EVERYTHING, FIXTURE, MEMORY, gateway, tempDir } from "./helpers.js";

const sha256 = (key: string) => createHash("sha256").update(key).digest("hex");
const ALICE = "alice-key-0123456789";
const BOB = "bob-key-0123456789";

function servers(fixtureTools: { deny: string[] } = { deny: [] }): BackendConfigInput[] {
  return [
    {
      name: "everything",
      transport: "stdio",
      command: "node",
      args: [EVERYTHING, "stdio"],
      access: [{ roles: ["support"], tools: ["echo", "get-sum"], resources: ["demo://resource/static/document/*"], prompts: ["simple-prompt"] }],
    },
    { name: "fixture", transport: "stdio", command: "node", args: ["--import", "tsx", FIXTURE], tools: fixtureTools, access: [{ roles: ["billing"], tools: ["pid"] }] },
    // No rules: nobody sees it.
    { name: "memory", transport: "stdio", command: "node", args: [MEMORY], env: { MEMORY_FILE_PATH: `${tempDir("access-memory")}/memory.jsonl` } },
  ];
}

function config(fixtureTools?: { deny: string[] }): Omit<GatewayConfigInput, "listen"> {
  return {
    auth: { mode: "apiKey", apiKeys: [{ name: "alice", sha256: sha256(ALICE), roles: ["support"] }, { name: "bob", sha256: sha256(BOB), roles: ["billing"] }] },
    servers: servers(fixtureTools),
  };
}

async function call(url: string, key: string, session: string, body: string): Promise<Answer> {
  return send("POST", url, body, [bearer(key), ["mcp-session-id", session]]);
}

describe("access by identity", () => {
  let gw: RunningGateway;
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    gw = await gateway(config());
    alice = await openSession(gw.url, [bearer(ALICE)]);
    bob = await openSession(gw.url, [bearer(BOB)]);
  });
  afterAll(async () => gw?.close());

  it("shows each identity only what its roles grant, and a server without rules to nobody", async () => {
    const names = async (key: string, session: string, method: string, field: string, prop: string) =>
      ((await call(gw.url, key, session, rpc(2, method))).message!.result![field] as Record<string, string>[]).map((i) => i[prop]);
    expect(await names(ALICE, alice, "tools/list", "tools", "name")).toEqual(["everything__echo", "everything__get-sum"]);
    expect(await names(BOB, bob, "tools/list", "tools", "name")).toEqual(["fixture__pid"]);
    expect((await names(ALICE, alice, "resources/list", "resources", "uri")).every((u) => u.startsWith("demo://resource/static/document/"))).toBe(true);
    expect((await names(ALICE, alice, "resources/list", "resources", "uri")).length).toBeGreaterThan(0);
    expect(await names(BOB, bob, "resources/list", "resources", "uri")).toEqual([]);
    expect(await names(ALICE, alice, "prompts/list", "prompts", "name")).toEqual(["everything__simple-prompt"]);
    expect(await names(BOB, bob, "prompts/list", "prompts", "name")).toEqual([]);
  });

  it("lets each identity call its own tools and not the other's", async () => {
    const own = await call(gw.url, ALICE, alice, rpc(3, "tools/call", { name: "everything__echo", arguments: { message: "hi" } }));
    expect(own.message!.result).toMatchObject({ content: [{ type: "text", text: "Echo: hi" }] });
    const theirs = await call(gw.url, ALICE, alice, rpc(4, "tools/call", { name: "fixture__pid", arguments: {} }));
    expect(theirs.message!.error).toEqual({ code: -32602, message: 'Unknown tool: "fixture__pid". Call tools/list for the tools this gateway exposes.' });
    const bobs = await call(gw.url, BOB, bob, rpc(5, "tools/call", { name: "fixture__pid", arguments: {} }));
    expect(Number((bobs.message!.result!.content as { text: string }[])[0]!.text)).toBeGreaterThan(0);
    const notBobs = await call(gw.url, BOB, bob, rpc(6, "tools/call", { name: "everything__echo", arguments: { message: "hi" } }));
    expect(notBobs.message!.error!.code).toBe(-32602);
  });

  it("refuses reads, prompts and completions outside the caller's rules like unknown ones", async () => {
    const uri = ((await call(gw.url, ALICE, alice, rpc(7, "resources/list"))).message!.result!.resources as { uri: string }[])[0]!.uri;
    expect((await call(gw.url, ALICE, alice, rpc(8, "resources/read", { uri }))).message!.result).toBeDefined();
    const read = await call(gw.url, BOB, bob, rpc(9, "resources/read", { uri }));
    expect(read.message!.error).toEqual({ code: -32002, message: `Unknown resource: "${uri}". No server lists it or a template matching it.`, data: { uri } });
    const prompt = await call(gw.url, BOB, bob, rpc(10, "prompts/get", { name: "everything__simple-prompt" }));
    expect(prompt.message!.error).toEqual({ code: -32602, message: 'Unknown prompt: "everything__simple-prompt". Call prompts/list for the prompts this gateway exposes.' });
    const complete = await call(gw.url, BOB, bob, rpc(11, "completion/complete", { ref: { type: "ref/prompt", name: "everything__simple-prompt" }, argument: { name: "x", value: "" } }));
    expect(complete.message!.error).toEqual({ code: -32602, message: 'Unknown prompt: "everything__simple-prompt"' });
    const subscribe = await call(gw.url, BOB, bob, rpc(12, "resources/subscribe", { uri }));
    expect(subscribe.message!.error).toEqual({ code: -32002, message: `Unknown resource: "${uri}"`, data: { uri } });
  });

  it("answers another identity's session id with 404, exactly like an unknown session", async () => {
    const replayed = await call(gw.url, BOB, alice, rpc(13, "tools/list"));
    const unknown = await call(gw.url, BOB, `${alice.slice(0, -4)}AAAA`, rpc(13, "tools/list"));
    expect(replayed.status).toBe(404);
    expect(replayed.body).toBe(unknown.body);
    // The owner keeps using it.
    expect((await call(gw.url, ALICE, alice, rpc(14, "tools/list"))).status).toBe(200);
    // Not even to end it.
    expect((await send("DELETE", gw.url, undefined, [bearer(BOB), ["mcp-session-id", alice]])).status).toBe(404);
    expect((await call(gw.url, ALICE, alice, rpc(15, "tools/list"))).status).toBe(200);
  });
});

describe("a hidden tool and an unknown tool", () => {
  let shown: RunningGateway;
  let missing: RunningGateway;
  beforeAll(async () => {
    shown = await gateway(config());
    // The same fleet, where fixture's pid does not exist at all.
    missing = await gateway(config({ deny: ["pid"] }));
  });
  afterAll(async () => {
    await shown?.close();
    await missing?.close();
  });

  it("get byte-identical answers", async () => {
    const hidden = await call(shown.url, ALICE, await openSession(shown.url, [bearer(ALICE)]), rpc(1, "tools/call", { name: "fixture__pid", arguments: {} }));
    const unknown = await call(missing.url, ALICE, await openSession(missing.url, [bearer(ALICE)]), rpc(1, "tools/call", { name: "fixture__pid", arguments: {} }));
    expect(hidden.status).toBe(unknown.status);
    expect(hidden.headers["content-type"]).toBe(unknown.headers["content-type"]);
    expect(hidden.body).toBe(unknown.body);
  });
});

describe("API keys", () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await gateway(config());
  });
  afterAll(async () => gw?.close());

  it("refuses a request without a key, and an unknown key, with 401 and the challenge", async () => {
    const none = await send("POST", gw.url, rpc(1, "tools/list"));
    expect(none.status).toBe(401);
    expect(none.headers["www-authenticate"]).toBe('Bearer realm="mcp-fleet"');
    expect(none.message!.error).toEqual({ code: -32600, message: "Unauthorized: this gateway needs an API key (Authorization: Bearer ...)" });
    const wrong = await send("POST", gw.url, rpc(1, "tools/list"), [bearer("not-a-key-of-ours")]);
    expect(wrong.status).toBe(401);
    expect(wrong.headers["www-authenticate"]).toBe('Bearer realm="mcp-fleet", error="invalid_token", error_description="the API key is not known"');
    expect(wrong.body.includes("not-a-key-of-ours")).toBe(false);
  });

  it("judges each request on a keep-alive connection by its own key: another, a wrong one or none after a valid one", async () => {
    const alice = await openSession(gw.url, [bearer(ALICE)]);
    const bob = await openSession(gw.url, [bearer(BOB)]);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const tools = (a: Answer) => (a.message!.result!.tools as { name: string }[]).map((t) => t.name);
      const list = (headers: [string, string][]) => send("POST", gw.url, rpc(2, "tools/list"), headers, agent);
      const first = await list([bearer(ALICE), ["mcp-session-id", alice]]);
      expect(tools(first)).toEqual(["everything__echo", "everything__get-sum"]);
      const other = await list([bearer(BOB), ["mcp-session-id", bob]]);
      expect(tools(other)).toEqual(["fixture__pid"]);
      const wrong = await list([bearer(`${ALICE}x`), ["mcp-session-id", alice]]);
      expect(wrong.status).toBe(401);
      const none = await list([["mcp-session-id", alice]]);
      expect(none.status).toBe(401);
      const again = await list([bearer(ALICE), ["mcp-session-id", alice]]);
      expect(tools(again)).toEqual(["everything__echo", "everything__get-sum"]);
      expect([other, wrong, none, again].map((a) => a.reusedSocket)).toEqual([true, true, true, true]);
    } finally {
      agent.destroy();
    }
  });

  it("serves no protected resource metadata without OAuth", async () => {
    expect((await fetch(new URL("/.well-known/oauth-protected-resource", gw.url))).status).toBe(404);
  });
});
