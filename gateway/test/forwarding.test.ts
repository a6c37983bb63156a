/**
 * Forwarding in both directions through the gateway: progress (every notification, the last one included),
 * logging, sampling and elicitation answered by the client, list_changed, resource updates, cancellation, and
 * backend->client requests reaching the right client when two call at once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import type { RunningGateway } from "../src/gateway.js";
import { EVERYTHING, FIXTURE, connect, gateway, textOf, waitFor } from "./helpers.js";

let gw: RunningGateway;
const clients: Client[] = [];

async function samplingClient(answer: string): Promise<Client> {
  const client = await connect(gw.url, { capabilities: { sampling: {}, elicitation: { form: {} } } });
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
    const question = JSON.stringify(request.params.messages);
    return { role: "assistant", model: "test-model", content: { type: "text", text: `${answer} to ${question.length}` } };
  });
  client.setRequestHandler(ElicitRequestSchema, async () => ({ action: "accept", content: { name: answer } }));
  clients.push(client);
  return client;
}

beforeAll(async () => {
  gw = await gateway({
    servers: [
      { name: "everything", transport: "stdio", command: "node", args: [EVERYTHING, "stdio"] },
      { name: "fixture", transport: "stdio", command: "node", args: ["--import", "tsx", FIXTURE] },
      { name: "own", transport: "stdio", command: "node", args: ["--import", "tsx", FIXTURE], isolation: "session" },
    ],
  });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await gw?.close();
});

describe("forwarding", () => {
  it("forwards every progress notification in order, including the last one sent right before the result", async () => {
    const client = await samplingClient("p");
    for (let round = 0; round < 5; round++) {
      const seen: number[] = [];
      const result = await client.callTool({ name: "fixture__progress", arguments: { steps: 20 } }, undefined, {
        onprogress: (p) => seen.push(p.progress),
      });
      expect(textOf(result)).toBe("done 20");
      expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    }
    const seen: number[] = [];
    await client.callTool({ name: "everything__trigger-long-running-operation", arguments: { duration: 0.2, steps: 4 } }, undefined, {
      onprogress: (p) => seen.push(p.progress),
    });
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it("forwards a sampling request to the client and its answer back", async () => {
    const client = await samplingClient("sampled");
    const result = await client.callTool({ name: "everything__trigger-sampling-request", arguments: { prompt: "Say hi", maxTokens: 5 } });
    expect(textOf(result)).toContain("sampled to");
  });

  it("forwards an elicitation request to the client and its answer back", async () => {
    const client = await samplingClient("Ada");
    const result = await client.callTool({ name: "everything__trigger-elicitation-request", arguments: {} });
    expect(textOf(result)).toContain("Ada");
  });

  it("routes each client's sampling request to that client when two call at once (isolation: session)", async () => {
    const [a, b] = await Promise.all([samplingClient("alpha"), samplingClient("beta")]);
    const [ra, rb] = await Promise.all([
      a.callTool({ name: "own__ask", arguments: { question: "from a" } }),
      b.callTool({ name: "own__ask", arguments: { question: "from b, longer" } }),
    ]);
    expect(textOf(ra)).toMatch(/^answer: alpha to \d+$/);
    expect(textOf(rb)).toMatch(/^answer: beta to \d+$/);
    // Each session got its own backend process.
    const [pa, pb] = await Promise.all([a.callTool({ name: "own__pid" }), b.callTool({ name: "own__pid" })]);
    expect(textOf(pa)).not.toBe(textOf(pb));
  });

  it("refuses to guess on a shared connection when two sampling calls are in flight, naming the fix", async () => {
    const [a, b] = await Promise.all([samplingClient("one"), samplingClient("two")]);
    // Both calls are in flight on the one shared fixture process when it asks (after 300 ms).
    const results = await Promise.all([
      a.callTool({ name: "fixture__ask", arguments: { question: "q1", delayMs: 300 } }),
      b.callTool({ name: "fixture__ask", arguments: { question: "q2", delayMs: 300 } }),
    ]);
    for (const r of results) {
      expect(r.isError).toBe(true);
      expect(textOf(r)).toContain('mcp-fleet-gateway cannot tell which client sampling/createMessage from shared server "fixture" is for: 2 client calls are in flight on it. Set isolation: session for this server');
    }
    // One call alone is attributed exactly.
    expect(textOf(await a.callTool({ name: "fixture__ask", arguments: { question: "q3" } }))).toMatch(/^answer: one to \d+$/);
  });

  it("forwards roots/list to the client whose call asked, and its answer back", async () => {
    const client = await connect(gw.url, { capabilities: { roots: { listChanged: true } } });
    clients.push(client);
    client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: "file:///srv/project-x", name: "project-x" }] }));
    const result = await client.callTool({ name: "everything__get-roots-list", arguments: {} });
    expect(textOf(result)).toContain("URI: file:///srv/project-x");
  });

  it("sends backends the most verbose level any session set, and gives each session only the messages at or above its own", async () => {
    const [quiet, chatty] = await Promise.all([samplingClient("quiet"), samplingClient("chatty")]);
    const heard = { quiet: [] as unknown[], chatty: [] as unknown[] };
    quiet.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void heard.quiet.push(n.params.data));
    chatty.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void heard.chatty.push(n.params.data));
    await quiet.setLoggingLevel("error");
    await chatty.setLoggingLevel("warning");
    // The backend was set to the more verbose of the two.
    expect(textOf(await quiet.callTool({ name: "fixture__log_level" }))).toBe("warning");
    for (const level of ["notice", "warning", "error"] as const) {
      await chatty.callTool({ name: "fixture__say", arguments: { message: `at ${level}`, level } });
    }
    // One stdio connection delivers in order: once both heard the last message, everything earlier has arrived.
    await waitFor(() => (heard.quiet.includes("at error") && heard.chatty.includes("at error") ? true : undefined), "the error-level message");
    expect(heard.chatty).toEqual(["at warning", "at error"]); // notice: below the backend's level, never sent
    expect(heard.quiet).toEqual(["at error"]); // warning: filtered by the gateway for this session
  });

  it("passes tools/list_changed on and serves the new tool", async () => {
    const client = await samplingClient("lc");
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changed += 1;
    });
    const added = textOf(await client.callTool({ name: "fixture__add_tool" }));
    await waitFor(() => (changed > 0 ? true : undefined), "tools/list_changed");
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain(`fixture__${added}`);
    expect(textOf(await client.callTool({ name: `fixture__${added}` }))).toBe(added);
  });

  it("delivers resource updates to the subscribed session", async () => {
    const client = await samplingClient("sub");
    const updated: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updated.push(n.params.uri);
    });
    const uri = "demo://resource/dynamic/text/1";
    await client.subscribeResource({ uri });
    await client.callTool({ name: "everything__toggle-subscriber-updates", arguments: {} });
    try {
      await waitFor(() => (updated.includes(uri) ? true : undefined), "notifications/resources/updated", 300);
    } finally {
      await client.callTool({ name: "everything__toggle-subscriber-updates", arguments: {} });
      await client.unsubscribeResource({ uri });
    }
    expect(updated).toContain(uri);
  });

  it("forwards a client's cancellation to the backend", async () => {
    const client = await samplingClient("cancel");
    const controller = new AbortController();
    const call = client.callTool({ name: "fixture__slow", arguments: { ms: 20_000, tag: "to-cancel" } }, undefined, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 300));
    controller.abort("user pressed stop");
    await expect(call).rejects.toThrow();
    const cancelled = await waitFor(async () => {
      const list = JSON.parse(textOf(await client.callTool({ name: "fixture__cancelled" }))) as string[];
      return list.includes("to-cancel") ? list : undefined;
    }, "the backend to see the cancellation");
    expect(cancelled).toContain("to-cancel");
  });
});
