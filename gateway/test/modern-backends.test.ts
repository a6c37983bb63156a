/**
 * SDK v2 servers (`@modelcontextprotocol/server`, our fixture) as gateway backends over stdio and Streamable HTTP,
 * dual-era and 2026-only (`legacy: 'reject'`), reached by 2025 clients (the SDK v1 client: the gateway translates)
 * and 2026-07-28 clients (the SDK v2 client pinned to it: as is); and the per-server `protocol` setting.
 */
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from "@modelcontextprotocol/client";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BackendConfigInput } from "../src/config.js";
import type { RunningGateway } from "../src/gateway.js";
import { serveModernHttp, type LegacyPosture } from "./fixtures/modern-server.js";
import { REPO, connect, gateway, tempDir, textOf, waitFor } from "./helpers.js";

const MODERN = join(REPO, "gateway/test/fixtures/modern-server.ts");
const LEGACY = join(REPO, "gateway/test/fixtures/conformance-server.ts");
const STRICT = join(REPO, "gateway/test/fixtures/strict-legacy-server.ts");
const ROOT = { uri: "file:///work/project", name: "project" };
const WATCHED = "test://watched-resource";

type Posture = { transport: "stdio" | "http"; legacy: LegacyPosture };

/** A 2025 client (SDK v1) that answers what it is asked and records what it hears. */
async function legacyClient(url: string): Promise<{ client: Client; asked: string[]; logs: string[]; updates: string[]; listChanges: number[] }> {
  const client = await connect(url, { capabilities: { sampling: {}, elicitation: {}, roots: {} } });
  const heard = { client, asked: [] as string[], logs: [] as string[], updates: [] as string[], listChanges: [] as number[] };
  client.setRequestHandler(ElicitRequestSchema, () => (heard.asked.push("elicitation/create"), { action: "accept", content: { name: "Ada", username: "ada", email: "ada@example.com" } }));
  client.setRequestHandler(CreateMessageRequestSchema, () => (heard.asked.push("sampling/createMessage"), { role: "assistant", content: { type: "text", text: "Paris" }, model: "m" }));
  client.setRequestHandler(ListRootsRequestSchema, () => (heard.asked.push("roots/list"), { roots: [ROOT] }));
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void heard.logs.push(String(n.params.data)));
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void heard.updates.push(n.params.uri));
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => void heard.listChanges.push(Date.now()));
  return heard;
}

/** A 2026-07-28 client (SDK v2, pinned). */
async function modernClient(url: string): Promise<{ client: ClientV2; updates: string[] }> {
  const client = new ClientV2({ name: "modern-test", version: "1.0.0" }, { capabilities: { sampling: {}, elicitation: {}, roots: {} }, versionNegotiation: { mode: { pin: "2026-07-28" } } });
  const updates: string[] = [];
  client.setRequestHandler("elicitation/create", async () => ({ action: "accept", content: { name: "Ada" } }));
  client.setRequestHandler("sampling/createMessage", async () => ({ role: "assistant", content: { type: "text", text: "Paris" }, model: "m" }));
  client.setRequestHandler("roots/list", async () => ({ roots: [ROOT] }));
  client.setNotificationHandler("notifications/resources/updated", async (n) => void updates.push(n.params.uri));
  await client.connect(new TransportV2(new URL(url)));
  return { client, updates };
}

async function backendOf(posture: Posture): Promise<{ server: BackendConfigInput; close: () => Promise<void> }> {
  if (posture.transport === "http") {
    const served = await serveModernHttp({ legacy: posture.legacy });
    return { server: { name: "modern", transport: "http", url: served.url }, close: served.close };
  }
  const args = ["--import", "tsx", MODERN, ...(posture.legacy === "reject" ? ["--legacy", "reject"] : [])];
  return { server: { name: "modern", transport: "stdio", command: process.execPath, args, cwd: REPO }, close: async () => undefined };
}

const POSTURES: (Posture & { label: string })[] = [
  { label: "stdio, dual-era", transport: "stdio", legacy: "serve" },
  { label: "stdio, 2026-only (legacy: reject)", transport: "stdio", legacy: "reject" },
  { label: "Streamable HTTP, dual-era", transport: "http", legacy: "serve" },
  { label: "Streamable HTTP, 2026-only (legacy: reject)", transport: "http", legacy: "reject" },
];

describe.each(POSTURES)("an SDK v2 server as backend over $label", (posture) => {
  let gw: RunningGateway;
  let closeBackend: () => Promise<void>;

  beforeAll(async () => {
    const { server, close } = await backendOf(posture);
    closeBackend = close;
    gw = await gateway({ servers: [server] });
  });

  afterAll(async () => {
    await gw?.close();
    await closeBackend?.();
  });

  it("comes up speaking 2026-07-28 (protocol: auto)", () => {
    expect(gw.status().map((s) => [s.name, s.state, s.protocol])).toEqual([["modern", "up", "2026-07-28"]]);
  });

  it("serves a 2025 client: the gateway asks it for what the backend's input_required rounds need, and forwards progress, logs, updates and list changes", async () => {
    const heard = await legacyClient(gw.url);
    try {
      expect(textOf(await heard.client.callTool({ name: "modern__test_simple_text", arguments: {} }))).toBe("This is a simple text response for testing.");
      expect(textOf(await heard.client.callTool({ name: "modern__test_input_required_result_elicitation", arguments: {} }))).toBe("Hello, Ada!");
      expect(textOf(await heard.client.callTool({ name: "modern__test_sampling", arguments: { prompt: "Capital of France?" } }))).toBe("LLM response: Paris");
      expect(textOf(await heard.client.callTool({ name: "modern__test_get_roots", arguments: {} }))).toBe(`roots: ${ROOT.uri}`);
      expect(textOf(await heard.client.callTool({ name: "modern__test_input_required_result_multi_round", arguments: {} }))).toBe("Multi-round complete: Ada likes unknown");
      expect(heard.asked).toEqual(["elicitation/create", "sampling/createMessage", "roots/list", "elicitation/create", "elicitation/create"]);

      const progress: number[] = [];
      await heard.client.callTool({ name: "modern__test_tool_with_progress", arguments: {} }, undefined, { onprogress: (p) => void progress.push(p.progress) });
      expect(progress).toEqual([0, 50, 100]);

      await heard.client.setLoggingLevel("info");
      await heard.client.callTool({ name: "modern__test_tool_with_logging", arguments: {} });
      await waitFor(() => (heard.logs.length >= 3 ? true : undefined), "three log messages");
      expect(heard.logs.slice(0, 3)).toEqual(["Tool execution started", "Tool processing data", "Tool execution completed"]);

      await heard.client.subscribeResource({ uri: WATCHED });
      await waitFor(async () => (textOf(await heard.client.callTool({ name: "modern__test_touch_resource", arguments: { uri: WATCHED } })) && heard.updates.includes(WATCHED) ? true : undefined), "a resource update", 40);

      await heard.client.callTool({ name: "modern__test_trigger_tool_change", arguments: {} });
      await waitFor(() => (heard.listChanges.length > 0 ? true : undefined), "tools/list_changed");
      const names = (await heard.client.listTools()).tools.map((t) => t.name);
      await heard.client.callTool({ name: "modern__test_trigger_tool_change", arguments: {} });
      expect(names).toContain("modern__test_extra_tool");
    } finally {
      await heard.client.close();
    }
  });

  it("serves a 2026-07-28 client as is: input_required rounds, a listen stream, Mcp-Param headers, and cancellation by closing the stream", async () => {
    const { client, updates } = await modernClient(gw.url);
    try {
      expect(textOf(await client.callTool({ name: "modern__test_input_required_result_elicitation", arguments: {} }))).toBe("Hello, Ada!");
      expect(textOf(await client.callTool({ name: "modern__test_x_mcp_header", arguments: { region: "eu-west-1" } }))).toBe("region=eu-west-1");

      const subscription = await client.listen({ resourceSubscriptions: [WATCHED] });
      expect(subscription.honoredFilter).toEqual({ resourceSubscriptions: [WATCHED] });
      await client.callTool({ name: "modern__test_touch_resource", arguments: { uri: WATCHED } });
      await waitFor(() => (updates.includes(WATCHED) ? true : undefined), "the update on the listen stream");
      await subscription.close();

      const before = Number(textOf(await client.callTool({ name: "modern__test_cancelled", arguments: {} })));
      const abort = new AbortController();
      const slow = client.callTool({ name: "modern__test_slow", arguments: { ms: 30_000 } }, { signal: abort.signal });
      await new Promise((r) => setTimeout(r, 300));
      abort.abort();
      await expect(slow).rejects.toThrow();
      await waitFor(async () => (Number(textOf(await client.callTool({ name: "modern__test_cancelled", arguments: {} }))) === before + 1 ? true : undefined), "the backend to see the cancellation");
    } finally {
      await client.close();
    }
  });
});

describe("the per-server protocol setting", () => {
  const gateways: RunningGateway[] = [];
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
  });
  const start = async (server: BackendConfigInput): Promise<RunningGateway> => {
    const gw = await gateway({ servers: [server] });
    gateways.push(gw);
    return gw;
  };
  const stdio = (name: string, file: string, extra: Partial<BackendConfigInput> = {}, args: string[] = []): BackendConfigInput =>
    ({ name, transport: "stdio", command: process.execPath, args: ["--import", "tsx", file, ...args], cwd: REPO, startTimeoutMs: 10_000, ...extra }) as BackendConfigInput;

  it("auto falls back to initialize for a 2025 server (SDK v1) and speaks 2025-11-25 with it", async () => {
    const gw = await start(stdio("legacy", LEGACY));
    expect(gw.status().map((s) => [s.state, s.protocol])).toEqual([["up", "2025-11-25"]]);
  });

  it("2025-11-25 speaks initialize to a dual-era server, whose input_required tools still reach a 2025 client (the SDK's own shim asks it)", async () => {
    const gw = await start(stdio("modern", MODERN, { protocol: "2025-11-25" }));
    expect(gw.status().map((s) => [s.state, s.protocol])).toEqual([["up", "2025-11-25"]]);
    const heard = await legacyClient(gw.url);
    expect(textOf(await heard.client.callTool({ name: "modern__test_input_required_result_elicitation", arguments: {} }))).toBe("Hello, Ada!");
    await heard.client.close();
  });

  it("2025-11-25 cannot speak to a 2026-only server: it is down with the server's own refusal (-32022, naming what it supports)", async () => {
    const gw = await start(stdio("modern", MODERN, { protocol: "2025-11-25", startTimeoutMs: 2000 }, ["--legacy", "reject"]));
    const status = await waitFor(() => (gw.status()[0]!.lastError !== undefined ? gw.status()[0] : undefined), "the failed handshake");
    expect(status.state).not.toBe("up");
    expect(status.lastError).toBe('Server "modern" does not speak 2025-11-25 (it supports 2026-07-28): Unsupported protocol version: 2025-11-25. Set its protocol to auto or 2026-07-28.');
  });

  it("2026-07-28 does not fall back: a 2025 server is down, with why", async () => {
    const gw = await start(stdio("legacy", LEGACY, { protocol: "2026-07-28", startTimeoutMs: 2000 }));
    const status = await waitFor(() => (gw.status()[0]!.lastError !== undefined ? gw.status()[0] : undefined), "the failed probe");
    expect(status.state).not.toBe("up");
    expect(status.lastError).toMatch(/^Server "legacy" did not answer server\/discover with 2026-07-28 \(protocol: 2026-07-28\): /);
  });

  it("auto: a 2025 server that exits on the probe comes up on its next process with initialize, and is not probed again", async () => {
    const dir = tempDir("strict");
    const starts = join(dir, "starts");
    const methods = join(dir, "methods");
    writeFileSync(starts, "");
    writeFileSync(methods, "");
    const gw = await start(stdio("strict", STRICT, { env: { STRICT_SERVER_STARTS: starts, STRICT_SERVER_METHODS: methods } } as Partial<BackendConfigInput>));
    await waitFor(() => (gw.status()[0]!.state === "up" ? true : undefined), "the strict server to come up", 200);
    expect(gw.status()[0]!.protocol).toBe("2025-11-25");
    const pids = readFileSync(starts, "utf8").trim().split("\n").map(Number);
    expect(pids).toHaveLength(2);
    // A new process after a crash: straight to initialize.
    appendFileSync(methods, "--- killed\n");
    process.kill(pids[1]!, "SIGKILL");
    await waitFor(() => (readFileSync(starts, "utf8").trim().split("\n").length === 3 && gw.status()[0]!.state === "up" ? true : undefined), "the strict server to restart", 200);
    const seen = readFileSync(methods, "utf8").trim().split("\n");
    expect(seen.slice(0, 2)).toEqual(["server/discover", "initialize"]);
    expect(seen.slice(seen.indexOf("--- killed") + 1)[0]).toBe("initialize");
    expect(seen.filter((m) => m === "server/discover")).toHaveLength(1);
  });
});
