/**
 * OpenTelemetry traces through two real gateways (central -> adapter in passthrough -> stdio server), exported over
 * OTLP/HTTP to a receiver on loopback: the caller's `traceparent` header parents the request span, each JSON-RPC
 * request gets a route span and each attempt an upstream span; the context goes on to the adapter in the
 * `traceparent` header (its request span's parent) and in `_meta` (the stdio server sees it); a request's own
 * `_meta.traceparent` wins for that request. A gateway without an endpoint exports nothing.
 */
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { RunningGateway } from "../src/gateway.js";
import { REPO, gateway, textOf, waitFor } from "./helpers.js";

const SERVER = join(REPO, "gateway/test/fixtures/resilience-server.mjs");
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: { stringValue?: string } }[];
}
const exported: { service: string; span: OtlpSpan }[] = [];
let receiver: Server;
let collector = "";
const gateways: RunningGateway[] = [];
let client: Client;

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT = "00f067aa0ba902b7";

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (c: string) => (body += c));
    req.on("end", () => {
      const data = JSON.parse(body) as { resourceSpans: { resource: { attributes: { key: string; value: { stringValue: string } }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[] };
      for (const rs of data.resourceSpans) {
        const service = rs.resource.attributes.find((a) => a.key === "service.name")?.value.stringValue ?? "";
        for (const ss of rs.scopeSpans) for (const span of ss.spans) exported.push({ service, span });
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  collector = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/v1/traces`;
  const adapter = await gateway({
    naming: { passthrough: true },
    tracing: { endpoint: collector, serviceName: "adapter", exportIntervalMs: 50 },
    servers: [{ name: "s", transport: "stdio", command: process.execPath, args: [SERVER] }],
  });
  gateways.push(adapter);
  const central = await gateway({ tracing: { endpoint: collector, serviceName: "central", exportIntervalMs: 50 }, servers: [{ name: "remote", transport: "http", url: adapter.url }] });
  gateways.push(central);
  client = new Client({ name: "tracing-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(central.url), { requestInit: { headers: { traceparent: `00-${TRACE}-${PARENT}-01` } } }));
});

afterAll(async () => {
  await client?.close();
  for (const gw of gateways.reverse()) await gw.close();
  receiver?.close();
});

const spansOf = (service: string, traceId: string) => exported.filter((e) => e.service === service && e.span.traceId === traceId).map((e) => e.span);

describe("traces", () => {
  it("parents the request on the caller's traceparent, nests route and upstream spans, and carries the context to the adapter and the server", async () => {
    const meta = JSON.parse(textOf(await client.callTool({ name: "remote__meta", arguments: {} }))) as { traceparent?: string };
    const spans = await waitFor(() => {
      const central = spansOf("central", TRACE);
      const adapter = spansOf("adapter", TRACE);
      const call = (list: OtlpSpan[], name: string) => list.find((s) => s.name === name && s.attributes.some((a) => a.key === "rpc.method" && a.value.stringValue === "tools/call"));
      const found = { cRoute: call(central, "tools/call"), cUp: call(central, "tools/call upstream"), aRoute: call(adapter, "tools/call"), aUp: call(adapter, "tools/call upstream") };
      return Object.values(found).every((s) => s !== undefined) ? (found as Record<keyof typeof found, OtlpSpan>) : undefined;
    }, "the spans of both gateways", 100, 50);
    const cPost = spansOf("central", TRACE).find((s) => s.spanId === spans.cRoute.parentSpanId)!;
    expect(cPost).toMatchObject({ name: "POST /mcp", parentSpanId: PARENT });
    expect(spans.cUp.parentSpanId).toBe(spans.cRoute.spanId);
    expect(spans.cUp.attributes).toContainEqual({ key: "mcp.server", value: { stringValue: "remote" } });
    // The adapter's HTTP request span is parented by the header, its route by _meta: both the central upstream span.
    expect(spans.aRoute.parentSpanId).toBe(spans.cUp.spanId);
    expect(spansOf("adapter", TRACE).filter((s) => s.name === "POST /mcp").map((s) => s.parentSpanId)).toContain(spans.cUp.spanId);
    expect(spans.aUp.parentSpanId).toBe(spans.aRoute.spanId);
    expect(meta.traceparent).toBe(`00-${TRACE}-${spans.aUp.spanId}-01`);
  });

  it("a request's own _meta.traceparent parents its route span", async () => {
    const own = "0af7651916cd43dd8448eb211c80319c";
    await client.callTool({ name: "remote__who", arguments: {}, _meta: { traceparent: `00-${own}-b7ad6b7169203331-01` } });
    const route = await waitFor(() => spansOf("central", own).find((s) => s.name === "tools/call"), "the route span in the caller's trace", 100, 50);
    expect(route.parentSpanId).toBe("b7ad6b7169203331");
  });

  it("exports nothing from a gateway without an endpoint", async () => {
    const quiet = await gateway({ servers: [{ name: "s", transport: "stdio", command: process.execPath, args: [SERVER] }] });
    gateways.push(quiet);
    const c = new Client({ name: "tracing-test", version: "1.0.0" });
    const silent = "11111111111111111111111111111111";
    await c.connect(new StreamableHTTPClientTransport(new URL(quiet.url), { requestInit: { headers: { traceparent: `00-${silent}-${PARENT}-01` } } }));
    const meta = JSON.parse(textOf(await c.callTool({ name: "s__meta", arguments: {} }))) as Record<string, unknown>;
    await c.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(exported.filter((e) => e.span.traceId === silent)).toEqual([]);
    expect(meta.traceparent).toBeUndefined();
  });
});
