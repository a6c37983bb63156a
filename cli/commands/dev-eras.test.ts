/**
 * `npm start` (the shipped fleet behind one gateway) serves clients of both MCP eras on its one endpoint: the SDK v1
 * client (2025-11-25), and the SDK v2 client in each of its modes (`legacy`: initialize; `auto`: probes
 * server/discover and stays on 2026-07-28; pinned `2026-07-28`). Each mode gets a fleet of its own (the shipped
 * servers keep per-connection state, e.g. the roots they fetched) and runs the same operations: lists, a call, a
 * resource and a templated resource, a prompt, progress, logging, a resource subscription, and every sampling,
 * elicitation and roots tool of server-everything, answered by the client's own handlers (pushed requests for a
 * 2025 client; input_required rounds that the v2 client fulfils for a 2026-07-28 one).
 */
import { Client as ClientV2, LOG_LEVEL_META_KEY, StreamableHTTPClientTransport as TransportV2 } from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as TransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { startDevFleet, type DevFleet } from "./dev-fleet.test-helper.js";

type Mode = "v1" | "v2 legacy" | "v2 auto" | "v2 pinned 2026-07-28";

const ROOT = { uri: "file:///work/project", name: "project" };
const SAMPLED = "Paris, obviously.";

/** What the tests need of a client, whichever SDK and era. */
interface EraClient {
  era: "legacy" | "modern";
  tools(): Promise<string[]>;
  call(name: string, args: Record<string, unknown>, options?: { onProgress?: () => void; logLevel?: string }): Promise<string>;
  resources(): Promise<string[]>;
  read(uri: string): Promise<string>;
  prompts(): Promise<string[]>;
  prompt(name: string, args: Record<string, string>): Promise<string>;
  /** Asks for logs: `logging/setLevel` (2025), or a per-request `logLevel` (2026, see `call`). */
  setLogLevel(level: "debug"): Promise<void>;
  /** Watches a resource: `resources/subscribe` (2025) or a `subscriptions/listen` stream (2026). */
  watch(uri: string): Promise<void>;
  logs: string[];
  updates: string[];
  /** What the client was asked (by method). */
  asked: string[];
  close(): Promise<void>;
}

const textOf = (result: object): string =>
  (((result as { content?: unknown }).content ?? []) as { type: string; text?: string }[])
    .filter((c) => c.type === "text")
    .map((c) => c.text)
    .join("\n");

async function connectV1(url: string): Promise<EraClient> {
  const client = new ClientV1({ name: "eras-v1", version: "1.0.0" }, { capabilities: { sampling: {}, elicitation: {}, roots: {} } });
  const out = { logs: [] as string[], updates: [] as string[], asked: [] as string[] };
  client.setRequestHandler(CreateMessageRequestSchema, () => {
    out.asked.push("sampling/createMessage");
    return { role: "assistant", content: { type: "text", text: SAMPLED }, model: "test-model", stopReason: "endTurn" };
  });
  client.setRequestHandler(ElicitRequestSchema, () => {
    out.asked.push("elicitation/create");
    return { action: "accept", content: { name: "Ada", check: true } };
  });
  client.setRequestHandler(ListRootsRequestSchema, () => {
    out.asked.push("roots/list");
    return { roots: [ROOT] };
  });
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void out.logs.push(String(n.params.level)));
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void out.updates.push(n.params.uri));
  await client.connect(new TransportV1(new URL(url)));
  return {
    era: "legacy",
    ...out,
    tools: async () => (await client.listTools()).tools.map((t) => t.name),
    call: async (name, args, options = {}) =>
      textOf(await client.callTool({ name, arguments: args }, undefined, options.onProgress === undefined ? {} : { onprogress: options.onProgress, timeout: 30_000 })),
    resources: async () => (await client.listResources()).resources.map((r) => r.uri),
    read: async (uri) => JSON.stringify((await client.readResource({ uri })).contents),
    prompts: async () => (await client.listPrompts()).prompts.map((p) => p.name),
    prompt: async (name, args) => JSON.stringify((await client.getPrompt({ name, arguments: args })).messages),
    setLogLevel: async (level) => void (await client.setLoggingLevel(level)),
    watch: async (uri) => void (await client.subscribeResource({ uri })),
    close: () => client.close(),
  };
}

async function connectV2(url: string, mode: "legacy" | "auto" | { pin: "2026-07-28" }): Promise<EraClient> {
  const client = new ClientV2({ name: "eras-v2", version: "1.0.0" }, { capabilities: { sampling: {}, elicitation: {}, roots: {} }, versionNegotiation: { mode } });
  const out = { logs: [] as string[], updates: [] as string[], asked: [] as string[] };
  client.setRequestHandler("sampling/createMessage", async () => {
    out.asked.push("sampling/createMessage");
    return { role: "assistant", content: { type: "text", text: SAMPLED }, model: "test-model", stopReason: "endTurn" };
  });
  client.setRequestHandler("elicitation/create", async () => {
    out.asked.push("elicitation/create");
    return { action: "accept", content: { name: "Ada", check: true } };
  });
  client.setRequestHandler("roots/list", async () => {
    out.asked.push("roots/list");
    return { roots: [ROOT] };
  });
  client.setNotificationHandler("notifications/message", async (n) => void out.logs.push(String(n.params.level)));
  client.setNotificationHandler("notifications/resources/updated", async (n) => void out.updates.push(n.params.uri));
  await client.connect(new TransportV2(new URL(url)));
  const era = client.getProtocolEra() === "modern" ? "modern" : "legacy";
  let logLevel: string | undefined;
  return {
    era,
    ...out,
    tools: async () => (await client.listTools()).tools.map((t) => t.name),
    call: async (name, args, options = {}) => {
      const level = options.logLevel ?? logLevel;
      const params = era === "modern" && level !== undefined ? { name, arguments: args, _meta: { [LOG_LEVEL_META_KEY]: level } } : { name, arguments: args };
      return textOf(await client.callTool(params as Parameters<ClientV2["callTool"]>[0], options.onProgress === undefined ? {} : { onprogress: options.onProgress, timeout: 30_000 }));
    },
    resources: async () => (await client.listResources()).resources.map((r) => r.uri),
    read: async (uri) => JSON.stringify((await client.readResource({ uri })).contents),
    prompts: async () => (await client.listPrompts()).prompts.map((p) => p.name),
    prompt: async (name, args) => JSON.stringify((await client.getPrompt({ name, arguments: args })).messages),
    setLogLevel: async (level) => {
      if (era === "modern") logLevel = level;
      else await client.setLoggingLevel(level);
    },
    watch: async (uri) => {
      if (era === "modern") await client.listen({ resourceSubscriptions: [uri] });
      else await client.subscribeResource({ uri });
    },
    close: () => client.close(),
  };
}

const CONNECT: Record<Mode, (url: string) => Promise<EraClient>> = {
  v1: connectV1,
  "v2 legacy": (url) => connectV2(url, "legacy"),
  "v2 auto": (url) => connectV2(url, "auto"),
  "v2 pinned 2026-07-28": (url) => connectV2(url, { pin: "2026-07-28" }),
};
const ERA: Record<Mode, "legacy" | "modern"> = { v1: "legacy", "v2 legacy": "legacy", "v2 auto": "modern", "v2 pinned 2026-07-28": "modern" };

async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let fleet: DevFleet | undefined;
let client: EraClient | undefined;
afterEach(async () => {
  await client?.close().catch(() => undefined);
  await fleet?.stop();
  client = fleet = undefined;
});

describe.each(Object.keys(CONNECT) as Mode[])("npm start serves the shipped fleet to the %s client", (mode) => {
  it(`in its era (${ERA[mode]}): lists, calls, resources, prompts, progress, logging, a subscription, sampling, elicitation and roots`, async () => {
    fleet = await startDevFleet();
    client = await CONNECT[mode](fleet.endpoint);
    expect(client.era).toBe(ERA[mode]);

    const tools = await client.tools();
    expect(tools).toEqual(expect.arrayContaining(["everything__echo", "everything__trigger-sampling-request", "everything__trigger-elicitation-request", "everything__get-roots-list", "hello__greet", "memory__read_graph", "filesystem__list_allowed_directories", "sequential-thinking__sequentialthinking"]));
    expect(await client.call("everything__echo", { message: "both eras" })).toBe("Echo: both eras");
    expect(await client.call("hello__greet", { name: "Ada" })).toContain("Ada");

    const uris = await client.resources();
    const doc = uris.find((u) => u.startsWith("demo://resource/static/document/"));
    expect(doc).toBeDefined();
    expect(await client.read(doc!)).toContain(doc!);
    expect(await client.read("demo://resource/dynamic/text/7")).toContain("demo://resource/dynamic/text/7");
    expect(await client.prompts()).toContain("everything__args-prompt");
    expect(await client.prompt("everything__args-prompt", { city: "Paris" })).toContain("Paris");

    let progress = 0;
    const done = await client.call("everything__trigger-long-running-operation", { duration: 1, steps: 2 }, { onProgress: () => void (progress += 1) });
    expect(done).toContain("Long running operation");
    expect(progress).toBeGreaterThanOrEqual(1);

    // Logging: the toggle's first message is sent while the call runs (its stream, for a 2026-07-28 request that set a level).
    await client.setLogLevel("debug");
    await client.call("everything__toggle-simulated-logging", {}, { logLevel: "debug" });
    await until("a log message", () => client!.logs.length > 0);

    // A subscription: the toggle sends an update for every subscribed URI at once.
    await client.watch("demo://resource/static/document/architecture.md");
    await client.call("everything__toggle-subscriber-updates", {});
    await until("a resource update", () => client!.updates.includes("demo://resource/static/document/architecture.md"));

    // Every request server-everything makes of a client, answered by this client's handlers.
    expect(await client.call("everything__trigger-sampling-request", { prompt: "What is the capital of France?", maxTokens: 20 })).toContain(SAMPLED);
    expect(await client.call("everything__trigger-elicitation-request", {})).toContain("Ada");
    expect(await client.call("everything__get-roots-list", {})).toContain(ROOT.uri);
    expect(client.asked).toEqual(expect.arrayContaining(["sampling/createMessage", "elicitation/create", "roots/list"]));
  });
});
