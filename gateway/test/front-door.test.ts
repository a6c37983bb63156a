/**
 * The front door under hostile input (issue "Front door"): each finding of the attack on the gateway is replayed
 * here with its own bytes, against real gateways (in process, and the real executable where a crash would take the
 * process down) and real backends.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { CreateMessageRequestSchema, ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGatewayConfig, type BackendConfigInput } from "../src/config.js";
import { startGateway, type RunningGateway } from "../src/gateway.js";
import type { JsonRpcMessage } from "../src/jsonrpc.js";
import { Backend } from "../src/upstream/backend.js";
import type { Channel } from "../src/upstream/channel.js";
import { redisInstalled, startRedis, type RedisServer } from "./fixtures/redis.js";
import { EVERYTHING, FIXTURE, REPO, connect, freePort, gateway, gatewayProcess, silentLogger, textOf, waitFor, type GatewayChild } from "./helpers.js";

const fixture: BackendConfigInput = { name: "fixture", transport: "stdio", command: "node", args: ["--import", "tsx", FIXTURE] };
const everything: BackendConfigInput = { name: "everything", transport: "stdio", command: "node", args: [EVERYTHING, "stdio"] };
const ACCEPT = "application/json, text/event-stream";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The JSON-RPC message of the answer (the last `data:` of an SSE answer). */
  message: { id?: unknown; result?: Record<string, unknown>; error?: { code: number; message: string } } | undefined;
}

/** One raw POST with node:http (any Host, any local address), bounded in time. */
function post(url: string, body: string, headers: Record<string, string> = {}, localAddress?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: "POST", localAddress, headers: { "content-type": "application/json", accept: ACCEPT, "content-length": String(Buffer.byteLength(body)), ...headers }, timeout: 10_000 },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (c: string) => (text += c));
        res.on("end", () => {
          let message;
          const json = String(res.headers["content-type"]).startsWith("text/event-stream") ? text.split("\n").filter((l) => l.startsWith("data: ")).pop()?.slice(6) : text;
          try {
            message = json === undefined || json === "" ? undefined : JSON.parse(json);
          } catch {
            message = undefined;
          }
          resolve({ status: res.statusCode!, headers: res.headers, body: text, message });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within 10 s to ${body.slice(0, 80)}`)));
    req.on("error", reject);
    req.end(body);
  });
}

const rpc = (id: unknown, method: string, params?: unknown) => JSON.stringify(params === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params });
const initBody = (version = "2025-11-25", capabilities: Record<string, unknown> = {}) =>
  rpc(1, "initialize", { protocolVersion: version, capabilities, clientInfo: { name: "attacker", version: "1" } });

async function session(url: string, version = "2025-11-25", localAddress?: string): Promise<string> {
  const a = await post(url, initBody(version), {}, localAddress);
  expect(a.status).toBe(200);
  const id = String(a.headers["mcp-session-id"]);
  expect((await post(url, JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }), { "mcp-session-id": id }, localAddress)).status).toBe(202);
  return id;
}

/** `[[[...]]]`, `depth` levels. */
const nested = (depth: number, inner = "1") => `${"[".repeat(depth)}${inner}${"]".repeat(depth)}`;

describe("a deeply nested request", () => {
  let gw: GatewayChild;
  beforeAll(async () => {
    gw = await gatewayProcess({ servers: [fixture], sessions: { idleTimeoutSeconds: 2 } });
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it("does not crash the process: a progressToken nested 5,000 deep gets 400 naming the limit, and the gateway keeps serving", async () => {
    const id = await session(gw.url);
    const body = `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"fixture__progress","arguments":{"steps":3},"_meta":{"progressToken":${nested(5000)}}}}`;
    const a = await post(gw.url, body, { "mcp-session-id": id });
    expect(a.status).toBe(400);
    expect(a.message!.error).toEqual({ code: -32600, message: "Invalid Request: the body nests objects and arrays deeper than 64 levels (http.maxJsonDepth)" });
    const ok = await post(gw.url, rpc(8, "tools/call", { name: "fixture__progress", arguments: { steps: 3 }, _meta: { progressToken: "p" } }), { "mcp-session-id": id });
    expect(ok.status).toBe(200);
    expect(textOf(ok.message!.result)).toBe("done 3");
    expect(gw.child.exitCode).toBeNull();
  });

  it("gets 400 wherever the nesting is (id, uri, prompt name, level, taskId), and holds nothing: the session still idles out", async () => {
    const id = await session(gw.url);
    const bodies = [
      `{"jsonrpc":"2.0","id":${nested(5000)},"method":"ping"}`,
      `{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":${nested(5000)}}}`,
      `{"jsonrpc":"2.0","id":2,"method":"prompts/get","params":{"name":${nested(5000)}}}`,
      `{"jsonrpc":"2.0","id":3,"method":"logging/setLevel","params":{"level":${nested(5000)}}}`,
      `{"jsonrpc":"2.0","id":4,"method":"tasks/get","params":{"taskId":${nested(5000)}}}`,
    ];
    for (const body of bodies) {
      const a = await post(gw.url, body, { "mcp-session-id": id });
      expect(a.status).toBe(400);
      expect(a.message!.error!.message).toMatch(/\(http\.maxJsonDepth\)$/);
    }
    // Nothing is in flight for the session, so it expires after idleTimeoutSeconds (2).
    await new Promise((r) => setTimeout(r, 3500));
    expect((await post(gw.url, rpc(5, "ping"), { "mcp-session-id": id })).status).toBe(404);
  });

  it("is served when it stays within the limit", async () => {
    const id = await session(gw.url);
    const a = await post(gw.url, rpc(9, "tools/call", { name: "fixture__progress", arguments: { steps: 1, extra: JSON.parse(nested(60)) } }), { "mcp-session-id": id });
    expect(a.status).toBe(200);
    expect(textOf(a.message!.result)).toBe("done 1");
  });
});

describe("server-to-client requests", () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await gateway({ servers: [everything] });
  });
  afterAll(async () => {
    await gw?.close();
  });

  /**
   * A victim whose sampling/elicitation handler waits until the attacker has had its go. The attacker gets the
   * victim's real request id (as if it leaked) and answers it from its own session, then blind-guesses ids.
   */
  async function attack(tool: string, handler: "sampling" | "elicitation"): Promise<string> {
    let release!: () => void;
    const attackerDone = new Promise<void>((r) => (release = r));
    let seenId!: (id: string) => void;
    const requestId = new Promise<string>((r) => (seenId = r));
    const victim = await connect(gw.url, { capabilities: { sampling: {}, elicitation: { form: {} } } });
    // The SDK hands the handler the request id in `extra.requestId`.
    victim.setRequestHandler(CreateMessageRequestSchema, async (_request, extra) => {
      seenId(String(extra.requestId));
      await attackerDone;
      return { role: "assistant", model: "victim-model", content: { type: "text", text: "victim's own answer" } };
    });
    victim.setRequestHandler(ElicitRequestSchema, async (_request, extra) => {
      seenId(String(extra.requestId));
      await attackerDone;
      return { action: "accept", content: { name: "victim" } };
    });
    const call = victim.callTool({ name: `everything__${tool}`, arguments: handler === "sampling" ? { prompt: "hi", maxTokens: 5 } : {} });
    const attacker = await session(gw.url);
    const leaked = await requestId;
    const forged =
      handler === "sampling"
        ? { role: "assistant", model: "attacker", content: { type: "text", text: "ATTACKER TEXT" } }
        : { action: "accept", content: { name: "ATTACKER" } };
    const guesses = [leaked, ...Array.from({ length: 20 }, (_, i) => `gw-${i + 1}`)];
    for (const id of guesses) {
      const a = await post(gw.url, JSON.stringify({ jsonrpc: "2.0", id, result: forged }), { "mcp-session-id": attacker });
      expect(a.status).toBe(202);
    }
    release();
    const result = textOf(await call);
    await victim.close();
    return result;
  }

  it("a sampling request is answered only by the session it was sent to: another session's answer, even with the real id, is ignored", async () => {
    const result = await attack("trigger-sampling-request", "sampling");
    expect(result).toContain("victim's own answer");
    expect(result).not.toContain("ATTACKER");
  });

  it("an elicitation request is answered only by the session it was sent to", async () => {
    const result = await attack("trigger-elicitation-request", "elicitation");
    expect(result).toContain("victim");
    expect(result).not.toContain("ATTACKER");
  });
});

describe("Host and Origin", () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await gateway({ servers: [fixture] });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("refuses hosts that only start like loopback, userinfo, and such origins (403)", async () => {
    const port = new URL(gw.url).port;
    const refused: Array<Record<string, string>> = [
      { host: "127.evil.com", origin: "http://127.0.0.1.evil.com" },
      { host: `127.0.0.1:${port}@evil.com` },
      { host: "127.0.0.1.evil.com" },
      { host: "localhost.evil.com" },
      { host: "127.1" },
      { host: `127.0.0.1:${port}`, origin: "http://127.0.0.1.evil.com" },
      { host: `127.0.0.1:${port}`, origin: `http://user@127.0.0.1:${port}` },
      { host: `127.0.0.1:${port}`, origin: "null" },
    ];
    for (const headers of refused) {
      const a = await post(gw.url, initBody(), headers);
      expect({ headers, status: a.status }).toEqual({ headers, status: 403 });
    }
    const accepted: Array<Record<string, string>> = [{ host: `127.0.0.1:${port}` }, { host: `localhost:${port}`, origin: "http://localhost:6274" }, { host: `127.5.6.7:${port}` }, { host: `[::1]:${port}` }];
    for (const headers of accepted) {
      const a = await post(gw.url, initBody(), headers);
      expect({ headers, status: a.status }).toEqual({ headers, status: 200 });
    }
  });
});

describe("session ids", () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await gateway({ servers: [fixture], sessions: { idleTimeoutSeconds: 2 } });
  });
  afterAll(async () => {
    await gw?.close();
  });

  const ping = (url: string, id: string) => post(url, rpc(2, "ping"), { "mcp-session-id": id });

  it("are refused when altered: any suffix, any other last character (404)", async () => {
    const id = await session(gw.url);
    for (const suffix of ["!", "=", ".", "~", "%", "A", "=="]) expect((await ping(gw.url, `${id}${suffix}`)).status).toBe(404);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let accepted = 0;
    for (const c of alphabet) {
      if (c === id.at(-1)) continue;
      if ((await ping(gw.url, `${id.slice(0, -1)}${c}`)).status !== 404) accepted += 1;
    }
    expect(accepted).toBe(0);
    expect((await ping(gw.url, id)).status).toBe(200);
  });

  it("are never valid again once deleted, here or on a replica started later with the same key", async () => {
    const id = await session(gw.url);
    expect((await fetch(gw.url, { method: "DELETE", headers: { "mcp-session-id": id } })).status).toBe(200);
    expect((await ping(gw.url, id)).status).toBe(404);
    // A replica started afterwards cannot know of the deletion without a shared store; the id dies with its expiry.
    const later = await gateway({ servers: [fixture], sessions: { idleTimeoutSeconds: 2 } });
    try {
      await new Promise((r) => setTimeout(r, 2200));
      expect((await ping(later.url, id)).status).toBe(404);
    } finally {
      await later.close();
    }
  });

  it("stay valid while in use: the gateway renews them, and the renewed id serves on every replica", async () => {
    const renewing = await gateway({ servers: [fixture], sessions: { idleTimeoutSeconds: 3 } });
    const first = await session(renewing.url);
    let current = first;
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 500));
      // One client adopts every renewed id; another keeps sending the first one (as some clients do).
      const a = await ping(renewing.url, current);
      expect(a.status).toBe(200);
      const renewed = a.headers["mcp-session-id"];
      if (typeof renewed === "string") current = renewed;
      expect((await ping(renewing.url, first)).status).toBe(200);
    }
    expect(current).not.toBe(first);
    // 4 s after it was created, the first id has expired (idleTimeoutSeconds 3): the replica holding the session
    // live still serves it (above), another replica does not, and the renewed one serves everywhere.
    const replica = await gateway({ servers: [fixture], sessions: { idleTimeoutSeconds: 3 } });
    try {
      expect((await ping(replica.url, first)).status).toBe(404);
      expect((await ping(replica.url, current)).status).toBe(200);
    } finally {
      await Promise.all([replica.close(), renewing.close()]);
    }
  });
});

describe("bounded work per request", () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await gateway({ servers: [everything], http: { maxResponseBytes: 200_000 } });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("refuses a batch over http.maxBatchSize with 400, before doing any of it", async () => {
    const id = await session(gw.url, "2025-03-26");
    const batch = `[${Array.from({ length: 10_000 }, (_, i) => rpc(i + 1, "tools/list")).join(",")}]`;
    const a = await post(gw.url, batch, { "mcp-session-id": id, "mcp-protocol-version": "2025-03-26" });
    expect(a.status).toBe(400);
    expect(JSON.parse(a.body).error).toEqual({ code: -32600, message: "Invalid Request: a batch of 10000 messages is over the limit of 100 (http.maxBatchSize)" });
  });

  it("bounds the answer to a batch by http.maxResponseBytes: results past it become errors naming the setting", async () => {
    const id = await session(gw.url, "2025-03-26");
    const batch = `[${Array.from({ length: 100 }, (_, i) => rpc(i + 1, "tools/list")).join(",")}]`;
    const a = await post(gw.url, batch, { "mcp-session-id": id, "mcp-protocol-version": "2025-03-26" });
    expect(a.status).toBe(200);
    expect(Buffer.byteLength(a.body)).toBeLessThanOrEqual(200_000 + 100 * 300);
    const answers = JSON.parse(a.body) as Array<{ id: number; result?: unknown; error?: { code: number; message: string } }>;
    expect(answers).toHaveLength(100);
    const errors = answers.filter((x) => x.error !== undefined);
    expect(errors.length).toBeGreaterThan(0);
    expect(answers.filter((x) => x.result !== undefined).length).toBeGreaterThan(0);
    expect(errors[0]!.error).toEqual({
      code: -32603,
      message: "Response too large: it would take this answer past 200000 bytes (http.maxResponseBytes); ask for less (a page, a smaller resource)",
    });
  });
});

describe("the session table", () => {
  it("one client cannot fill it: past its burst it gets 429 with Retry-After, while another client still gets sessions", async () => {
    const gw = await gateway({ servers: [fixture], sessions: { perClient: { createPerMinute: 60, burst: 5 } } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await post(gw.url, initBody(), {}, "127.0.0.1")).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
      const refused = await post(gw.url, initBody(), {}, "127.0.0.1");
      expect(refused.headers["retry-after"]).toBe("1");
      expect(refused.message!.error).toEqual({
        code: -32029,
        message: "Too Many Requests: this client (127.0.0.1) created its 5 sessions and may create 60 per minute (sessions.perClient); retry in 1 s, or reuse a session",
      });
      expect((await post(gw.url, initBody(), {}, "127.0.0.2")).status).toBe(200);
    } finally {
      await gw.close();
    }
  });

  it("a full replica still serves a valid session sealed by a peer (it evicts an idle session to make room)", async () => {
    const [full, peer] = await Promise.all([gateway({ servers: [fixture], sessions: { maxSessions: 1 } }), gateway({ servers: [fixture] })]);
    try {
      await session(full.url);
      const fromPeer = await session(peer.url);
      const a = await post(full.url, rpc(3, "tools/call", { name: "fixture__pid" }), { "mcp-session-id": fromPeer });
      expect(a.status).toBe(200);
      expect(Number(textOf(a.message!.result))).toBeGreaterThan(0);
    } finally {
      await Promise.all([full.close(), peer.close()]);
    }
  });
});

describe("prompt refusals", () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await gateway({ servers: [fixture] });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('refuses "_meta" that is not an object, and a progressToken that is neither string nor number, with -32602 at once', async () => {
    const id = await session(gw.url);
    const a = await post(gw.url, rpc(4, "tools/call", { name: "fixture__pid", _meta: "x" }), { "mcp-session-id": id });
    expect(a.status).toBe(200);
    expect(a.message).toEqual({ jsonrpc: "2.0", id: 4, error: { code: -32602, message: 'Invalid params: "_meta" must be an object' } });
    const b = await post(gw.url, rpc(5, "tools/call", { name: "fixture__pid", _meta: { progressToken: { a: 1 } } }), { "mcp-session-id": id });
    expect(b.message!.error).toEqual({ code: -32602, message: 'Invalid params: "_meta.progressToken" must be a string or a number' });
  });

  it("refuses a request whose id is in flight in the same session, and the first call still completes", async () => {
    const id = await session(gw.url);
    const first = post(gw.url, rpc(42, "tools/call", { name: "fixture__slow", arguments: { ms: 800, tag: "first" } }), { "mcp-session-id": id });
    await new Promise((r) => setTimeout(r, 200)); // the first is in flight (it takes 800 ms)
    const second = await post(gw.url, rpc(42, "tools/call", { name: "fixture__slow", arguments: { ms: 10, tag: "second" } }), { "mcp-session-id": id });
    expect(second.message).toEqual({
      jsonrpc: "2.0",
      id: 42,
      error: { code: -32600, message: "Invalid Request: id 42 is already used by a request in flight in this session; use a new id for each request" },
    });
    expect(textOf((await first).message!.result)).toBe("slept 800 first");
  });
});

describe("backends that start slowly or fail", () => {
  it("a backend stuck in initialize neither blocks the listener nor hides from health: down after its startTimeoutMs", async () => {
    const port = await freePort();
    const stuck: BackendConfigInput = { name: "stuck", transport: "stdio", command: "node", args: ["-e", "process.stdin.resume(); setInterval(() => {}, 1e6)"], startTimeoutMs: 1500 };
    let resolved = false;
    const starting = startGateway(parseGatewayConfig({ listen: { host: "127.0.0.1", port }, servers: [fixture, stuck] }), { logger: silentLogger, sessionSecret: "s" }).then((gw) => {
      resolved = true;
      return gw;
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitFor(() => fetch(`${base}/healthz`).then((r) => (r.ok ? true : undefined), () => undefined), "the listener", 200, 10);
      expect(resolved).toBe(false); // listening while the stuck backend's first attempt is still running
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const down = await waitFor(async () => {
        const status = (await (await fetch(`${base}/status`)).json()) as { servers: { name: string; state: string }[] };
        return status.servers.find((s) => s.name === "stuck")?.state === "down" ? status : undefined;
      }, "the stuck backend to count as down");
      expect(down.servers.find((s) => s.name === "fixture")!.state).toBe("up");
      // Async: the gateway runs in this process and must answer the CLI.
      const health = await promisify(execFile)(process.execPath, [join(REPO, "cli/bin/mcp-fleet.js"), "health", "--url", base], { encoding: "utf8", cwd: REPO }).then(
        () => ({ code: 0, stdout: "" }),
        (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
      );
      expect(health.code).toBe(1);
      expect(health.stdout).toMatch(/1 of 2 backends down: stuck\./);
    } finally {
      await (await starting).close();
    }
  });

  it("reports a backend as connecting, not up with no tools, until its lists are read", async () => {
    const port = await freePort();
    const slow: BackendConfigInput = { name: "slow", transport: "stdio", command: "node", args: [join(REPO, "gateway/test/fixtures/slow-lists-server.mjs")], env: { LIST_DELAY_MS: "1500" } };
    const starting = startGateway(parseGatewayConfig({ listen: { host: "127.0.0.1", port }, servers: [slow] }), { logger: silentLogger, sessionSecret: "s" });
    try {
      const base = `http://127.0.0.1:${port}`;
      const seen = new Set<string>();
      for (let i = 0; i < 100; i++) {
        const status = await fetch(`${base}/status`).then((r) => r.json() as Promise<{ servers: { state: string; tools: number }[] }>, () => undefined);
        const s = status?.servers[0];
        if (s !== undefined) seen.add(`${s.state} ${s.tools}`);
        if (s?.state === "up") break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect([...seen].filter((v) => v.startsWith("up"))).toEqual(["up 1"]);
      expect(seen.has("connecting 0")).toBe(true);
    } finally {
      await (await starting).close();
    }
  });

  it("restart backoff grows while connections fail and resets once the backend has served a client call", async () => {
    const channels: FakeChannel[] = [];
    const backend = new Backend<object>({
      name: "flaky",
      transport: "stdio",
      timeoutMs: 1000,
      startTimeoutMs: 1000,
      logger: silentLogger,
      restart: { initialDelayMs: 5, maxDelayMs: 1000 },
      createChannel: () => {
        const channel = new FakeChannel();
        channels.push(channel);
        return channel;
      },
    });
    await backend.start();
    const delays: number[] = [];
    for (let i = 1; i <= 4; i++) {
      channels.at(-1)!.crash();
      delays.push(backend.restartDelayMs);
      await waitFor(() => (channels.length === i + 1 && backend.state === "up" ? true : undefined), "the reconnect", 200, 5);
    }
    expect(delays).toEqual([10, 20, 40, 80]);
    await backend.request("tools/call", { name: "x" }, { label: "tools/call", context: {} });
    expect(backend.restartDelayMs).toBe(5);
    await backend.stop();
  });
});

/** A channel that answers every request at once and can "crash" (close) on demand. */
class FakeChannel implements Channel {
  onmessage?: (message: JsonRpcMessage) => void;
  onclose?: (info: { reason: string }) => void;
  async start(): Promise<void> {}
  send(message: JsonRpcMessage): void {
    if ("method" in message && "id" in message) {
      const result = message.method === "initialize" ? { protocolVersion: "2025-11-25", capabilities: {}, serverInfo: { name: "fake", version: "1" } } : {};
      queueMicrotask(() => this.onmessage?.({ jsonrpc: "2.0", id: message.id, result }));
    }
  }
  crash(): void {
    this.onclose?.({ reason: "crashed" });
  }
  async close(): Promise<void> {}
}

describe.skipIf(!redisInstalled)("ended sessions shared through Redis (rateLimits.store: redis)", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  const ping = (url: string, id: string) => post(url, rpc(2, "ping"), { "mcp-session-id": id });
  const replica = (onUnavailable: "open" | "closed" = "closed") =>
    gateway({ servers: [fixture], rateLimits: { store: { type: "redis", url: redis.url, onUnavailable, timeoutMs: 300 } } });

  it("a session deleted on one replica is 404 on the others: one holding it live, and one started afterwards", async () => {
    const [a, b] = await Promise.all([replica(), replica()]);
    let c: RunningGateway | undefined;
    try {
      const id = await session(a.url);
      expect((await ping(b.url, id)).status).toBe(200); // live on b now
      expect((await fetch(a.url, { method: "DELETE", headers: { "mcp-session-id": id } })).status).toBe(200);
      expect(await waitFor(async () => ((await ping(b.url, id)).status === 404 ? true : undefined), "b to drop the session", 50, 20)).toBe(true);
      c = await replica();
      expect((await ping(c.url, id)).status).toBe(404);
      expect((await ping(c.url, await session(a.url))).status).toBe(200);
    } finally {
      await Promise.all([a.close(), b.close(), c?.close()]);
    }
  });

  it("with Redis down, a session not live here gets 503 (onUnavailable: closed) or is served (open), promptly; live sessions keep working", async () => {
    const [closed, open, origin] = await Promise.all([replica("closed"), replica("open"), replica()]);
    try {
      const live = await session(closed.url);
      const elsewhere = await session(origin.url);
      await redis.kill();
      const refused = await ping(closed.url, elsewhere);
      expect(refused.status).toBe(503);
      expect(refused.headers["retry-after"]).toBe("1");
      expect(JSON.parse(refused.body).error.message).toBe(
        "Service Unavailable: the shared session store (rateLimits.store) cannot be reached to check this session; retry shortly",
      );
      expect((await ping(open.url, elsewhere)).status).toBe(200);
      expect((await ping(closed.url, live)).status).toBe(200);
      await redis.restart();
      expect(await waitFor(async () => ((await ping(closed.url, elsewhere)).status === 200 ? true : undefined), "the store to be back", 100, 50)).toBe(true);
    } finally {
      await Promise.all([closed.close(), open.close(), origin.close()]);
    }
  });
});
