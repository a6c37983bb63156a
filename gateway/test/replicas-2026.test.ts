/**
 * Two gateway replicas with one secret, in front of a shared 2026-07-28 backend over HTTP (SDK v2) and a 2025
 * backend each (stdio, one process per replica, as deployed): any 2026-07-28 request is served by either; a client
 * balanced over both works, the backend's own MRTR rounds included; the input round of a 2025 backend is held by
 * the replica that asked, so a retry that reaches the other one gets a retryable 503 naming the holder, and the
 * same retry at the holder completes. Forged state is refused on both. A gateway in front of both replicas (a
 * round-robin per request, as a Service does) retries such a retry until it reaches the holder, so its 2025 client's
 * elicitation completes.
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import { join } from "node:path";
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "../src/gateway.js";
import { serveModernHttp } from "./fixtures/modern-server.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { REPO, connect, gateway, textOf } from "./helpers.js";
import { envelope, modernPost } from "./modern-wire.js";

const LEGACY = join(REPO, "gateway/test/fixtures/conformance-server.ts");

let modern: { url: string; close: () => Promise<void> };
let a: RunningGateway;
let b: RunningGateway;

beforeAll(async () => {
  modern = await serveModernHttp();
  const servers = () => [
    { name: "modern", transport: "http" as const, url: modern.url },
    { name: "legacy", transport: "stdio" as const, command: process.execPath, args: ["--import", "tsx", LEGACY], cwd: REPO },
  ];
  [a, b] = await Promise.all([gateway({ servers: servers() }), gateway({ servers: servers() })]);
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await modern?.close();
});

const ELICIT = "legacy__test_input_required_result_elicitation";

describe("two replicas with one secret, 2026-07-28 callers", () => {
  it("serve any 2026-07-28 request on either replica, with the same answers", async () => {
    for (const gw of [a, b]) {
      const discover = await modernPost(gw.url, "server/discover");
      expect(discover.status).toBe(200);
      expect(discover.body?.result).toMatchObject({ resultType: "complete", supportedVersions: ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"] });
      for (const name of ["modern__test_simple_text", "legacy__test_simple_text"]) {
        const call = await modernPost(gw.url, "tools/call", { name, arguments: {} });
        expect([call.status, textOf(call.body?.result)]).toEqual([200, "This is a simple text response for testing."]);
      }
    }
    const names = async (gw: RunningGateway) => ((await modernPost(gw.url, "tools/list")).body?.result?.tools as { name: string }[]).map((t) => t.name);
    expect(await names(a)).toEqual(await names(b));
  });

  it("serve a client balanced over both (every request to the next replica), a 2026 backend's input rounds included", async () => {
    let turn = 0;
    const balanced: typeof fetch = (input, init) => {
      const target = [a, b][turn++ % 2]!;
      const url = new URL(typeof input === "string" || input instanceof URL ? input.toString() : input.url);
      return fetch(new URL(url.pathname, target.url), init);
    };
    const client = new ClientV2({ name: "balanced", version: "1.0.0" }, { capabilities: { elicitation: {} }, versionNegotiation: { mode: { pin: "2026-07-28" } } });
    client.setRequestHandler("elicitation/create", async (request) => {
      const content: Record<string, string> = request.params.message.startsWith("Step 2") ? { color: "blue" } : { name: "Ada" };
      return { action: "accept", content };
    });
    await client.connect(new TransportV2(new URL(a.url), { fetch: balanced }));
    try {
      const result = await client.callTool({ name: "modern__test_input_required_result_multi_round", arguments: {} });
      expect(textOf(result)).toBe("Multi-round complete: Ada likes blue");
      expect(turn).toBeGreaterThanOrEqual(3);
    } finally {
      await client.close();
    }
  });

  it("hold a 2025 backend's input round on the replica that asked: the retry elsewhere gets 503 and a retryable error naming it; the same retry at the holder completes", async () => {
    const round = await modernPost(a.url, "tools/call", { name: ELICIT, arguments: {} }, { meta: envelope({ elicitation: {} }) });
    expect(round.status).toBe(200);
    const result = round.body!.result!;
    expect(result.resultType).toBe("input_required");
    expect(Object.keys(result.inputRequests as object)).toEqual(["user_name"]);
    const retry = { name: ELICIT, arguments: {}, inputResponses: { user_name: { action: "accept", content: { name: "Ada" } } }, requestState: result.requestState };

    const elsewhere = await modernPost(b.url, "tools/call", retry, { meta: envelope({ elicitation: {} }), id: 2 });
    expect(elsewhere.status).toBe(503);
    const error = elsewhere.body!.error!;
    expect(error.code).toBe(-32603);
    const holder = (error.data as { replica: string }).replica;
    expect(error.data).toEqual({ retryable: true, replica: holder });
    expect(error.message).toMatch(
      new RegExp(`^This call waits for its input on gateway replica "${holder}", not on this one \\("[A-Za-z0-9_-]+"\\); send the same retry again \\(it must reach that replica: give your load balancer affinity on requestState, or retry\\), or start over without requestState$`),
    );

    const owner = await modernPost(a.url, "tools/call", retry, { meta: envelope({ elicitation: {} }), id: 3 });
    expect([owner.status, owner.body?.result?.resultType, textOf(owner.body?.result)]).toEqual([200, "complete", "Hello, Ada!"]);
  });

  it("refuse an altered requestState on either replica (-32602), and the call it names keeps waiting for the real one", async () => {
    const round = await modernPost(a.url, "tools/call", { name: ELICIT, arguments: {} }, { meta: envelope({ elicitation: {} }) });
    const state = round.body!.result!.requestState as string;
    const answers = { user_name: { action: "accept", content: { name: "Bo" } } };
    const forged = `${state.slice(0, -2)}${state.endsWith("AA") ? "AB" : "AA"}`;
    for (const gw of [a, b]) {
      const refused = await modernPost(gw.url, "tools/call", { name: ELICIT, arguments: {}, inputResponses: answers, requestState: forged }, { meta: envelope({ elicitation: {} }), id: 2 });
      expect([refused.status, refused.body?.error]).toEqual([
        200,
        { code: -32602, message: "Invalid requestState: requestState is not one this gateway issued, or it was altered", data: { reason: "invalid_request_state" } },
      ]);
    }
    const real = await modernPost(a.url, "tools/call", { name: ELICIT, arguments: {}, inputResponses: answers, requestState: state }, { meta: envelope({ elicitation: {} }), id: 3 });
    expect(textOf(real.body?.result)).toBe("Hello, Bo!");
  });
});

/** A round-robin over two HTTP targets, one pick per request (no keep-alive toward them), on 127.0.0.1. */
async function roundRobin(targets: string[]): Promise<{ url: string; picks: string[]; close: () => Promise<void> }> {
  const picks: string[] = [];
  let turn = 0;
  const server: Server = createServer((req, res) => {
    const target = new URL(targets[turn++ % targets.length]!);
    picks.push(target.host);
    const upstream = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host }, agent: false }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    picks,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("a gateway in front of both replicas (a round-robin per request)", () => {
  it("speaks 2026-07-28 to them, retries a retry refused as retryable until it reaches the holder, and its 2025 client's elicitation completes", async () => {
    const balancer = await roundRobin([a.url, b.url]);
    const front = await gateway({ servers: [{ name: "replicas", transport: "http", url: balancer.url }] });
    try {
      expect(front.status().map((s) => [s.state, s.protocol])).toEqual([["up", "2026-07-28"]]);
      const client = await connect(front.url, { capabilities: { elicitation: {} } });
      client.setRequestHandler(ElicitRequestSchema, () => ({ action: "accept", content: { name: "Di" } }));
      for (let i = 0; i < 4; i++) {
        expect(textOf(await client.callTool({ name: "replicas__legacy__test_input_required_result_elicitation", arguments: {} }))).toBe("Hello, Di!");
      }
      await client.close();
      expect(new Set(balancer.picks).size).toBe(2);
    } finally {
      await front.close();
      await balancer.close();
    }
  });
});
