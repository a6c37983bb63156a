/**
 * Rate limits through real gateways: token buckets per identity, per server and per tool, in memory and in a real
 * redis-server shared by two replicas; over the limit a single request gets 429 with Retry-After, a request inside
 * a larger answer its JSON-RPC error; Redis killed mid-run behaves as `onUnavailable` says, without hanging.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BackendConfigInput, GatewayConfigInput } from "../src/config.js";
import type { RunningGateway } from "../src/gateway.js";
import { redisInstalled, startRedis, type RedisServer } from "./fixtures/redis.js";
import { bearer, openSession, rpc, send } from "./fixtures/raw-http.js";
import { FIXTURE, gateway } from "./helpers.js";

const sha256 = (key: string) => createHash("sha256").update(key).digest("hex");
const ALICE = "alice-key-0123456789";
const BOB = "bob-key-0123456789";
const fixture: BackendConfigInput = { name: "fixture", transport: "stdio", command: "node", args: ["--import", "tsx", FIXTURE], access: [{ roles: ["*"], tools: ["*"] }] };
const auth: GatewayConfigInput["auth"] = { mode: "apiKey", apiKeys: [{ name: "alice", sha256: sha256(ALICE), roles: [] }, { name: "bob", sha256: sha256(BOB), roles: [] }] };
const callPid = (id: number) => rpc(id, "tools/call", { name: "fixture__pid", arguments: {} });

describe("rate limits in memory", () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await gateway({
      auth,
      rateLimits: { rules: [{ key: "identity", perMinute: 1, burst: 2 }] },
      servers: [{ ...fixture, rateLimits: [{ key: "tool", tool: "cancelled", perMinute: 1, burst: 1 }] }],
    });
  });
  afterAll(async () => gw?.close());

  it("gives each identity its burst, then answers a single request 429 with Retry-After and the rule", async () => {
    const session = await openSession(gw.url, [bearer(ALICE)]);
    const h: [string, string][] = [bearer(ALICE), ["mcp-session-id", session]];
    expect((await send("POST", gw.url, callPid(2), h)).status).toBe(200);
    expect((await send("POST", gw.url, callPid(3), h)).status).toBe(200);
    const over = await send("POST", gw.url, callPid(4), h);
    expect(over.status).toBe(429);
    expect(Number(over.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(over.message!.error!.code).toBe(-32029);
    expect(over.message!.error!.message).toMatch(/^Rate limited: rateLimits\.rules\[0\] allows 1 per minute \(burst 2\) per identity; retry in \d+ s$/);
    // Lists are the gateway's own answers: not counted.
    expect((await send("POST", gw.url, rpc(5, "tools/list"), h)).status).toBe(200);
    // Bob has a budget of his own.
    const bob = await openSession(gw.url, [bearer(BOB)]);
    expect((await send("POST", gw.url, callPid(6), [bearer(BOB), ["mcp-session-id", bob]])).status).toBe(200);
    expect(await gw.metrics.render()).toMatch(/mcp_gateway_rate_limited_total\{server="fixture"\} 1\n/);
  });

  it("counts a per-tool rule of a server across identities", async () => {
    const a = await openSession(gw.url, [bearer(ALICE)]);
    const b = await openSession(gw.url, [bearer(BOB)]);
    // Bob still has one token of his identity's burst; the tool's single token goes to him.
    expect((await send("POST", gw.url, rpc(7, "tools/call", { name: "fixture__cancelled", arguments: {} }), [bearer(BOB), ["mcp-session-id", b]])).status).toBe(200);
    const later = await send("POST", gw.url, rpc(8, "tools/call", { name: "fixture__cancelled", arguments: {} }), [bearer(ALICE), ["mcp-session-id", a]]);
    expect(later.status).toBe(429);
  });
});

describe("a limited request inside a larger answer", () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await gateway({ auth, rateLimits: { rules: [{ key: "identity", perMinute: 1, burst: 2 }] }, servers: [fixture] });
  });
  afterAll(async () => gw?.close());

  it("gets its JSON-RPC error in the batch, the others their results, with status 200", async () => {
    const init = await send("POST", gw.url, rpc(1, "initialize", { protocolVersion: "2025-03-26", capabilities: {}, clientInfo: { name: "t", version: "1" } }), [bearer(ALICE)]);
    const session = String(init.headers["mcp-session-id"]);
    const batch = `[${callPid(2)},${callPid(3)},${callPid(4)}]`;
    const answer = await send("POST", gw.url, batch, [bearer(ALICE), ["mcp-session-id", session], ["mcp-protocol-version", "2025-03-26"]]);
    expect(answer.status).toBe(200);
    const messages = JSON.parse(answer.body) as { id: number; result?: unknown; error?: { code: number } }[];
    expect(messages.filter((m) => m.result !== undefined)).toHaveLength(2);
    expect(messages.filter((m) => m.error?.code === -32029)).toHaveLength(1);
  });
});

describe.skipIf(!redisInstalled)("rate limits in Redis", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => redis?.stop());

  const replicas = (onUnavailable: "closed" | "open", keyPrefix: string) =>
    Promise.all(
      [0, 1].map(() =>
        gateway({
          auth,
          rateLimits: { store: { type: "redis", url: redis.url, keyPrefix, timeoutMs: 300, onUnavailable }, rules: [{ key: "identity", perMinute: 1, burst: 3 }] },
          servers: [fixture],
        }),
      ),
    );

  it("is shared by two replicas: the burst is spent across both", async () => {
    const [a, b] = await replicas("closed", "shared-test:");
    try {
      const sa = await openSession(a!.url, [bearer(ALICE)]);
      const sb = await openSession(b!.url, [bearer(ALICE)]);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const [url, s] = i % 2 === 0 ? [a!.url, sa] : [b!.url, sb];
        statuses.push((await send("POST", url, callPid(10 + i), [bearer(ALICE), ["mcp-session-id", s]])).status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await Promise.all([a!.close(), b!.close()]);
    }
  });

  const refusal = { error: { code: -32603, message: "Service Unavailable: rate limits cannot be checked, the shared store (rateLimits.store, redis) is unreachable and onUnavailable is closed; retry shortly", data: { retryAfterSeconds: 1 } } };
  const served = { result: { content: [{ type: "text" }] } };
  for (const [mode, status, code, outcome] of [["closed", 200, -32603, refusal], ["open", 200, undefined, served]] as const) {
    it(`with Redis killed mid-run and onUnavailable ${mode}, ${code === undefined ? "lets calls through" : "refuses calls at once"}`, async () => {
      const [a, b] = await replicas(mode, `kill-${mode}:`);
      try {
        const s = await openSession(a!.url, [bearer(BOB)]);
        const h: [string, string][] = [bearer(BOB), ["mcp-session-id", s]];
        expect((await send("POST", a!.url, callPid(20), h)).status).toBe(200);
        await redis.kill();
        const answer = await send("POST", a!.url, callPid(21), h);
        expect(answer.status).toBe(status);
        expect(answer.message).toMatchObject(outcome);
      } finally {
        await redis.restart();
        await Promise.all([a!.close(), b!.close()]);
      }
    });
  }
});
