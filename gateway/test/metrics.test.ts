/** /metrics: exactly the contract's families (plus prom-client defaults), with values that follow traffic. */
import type { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractMetricNames, METRICS } from "../src/observability/metrics-contract.js";
import type { RunningGateway } from "../src/gateway.js";
import { FIXTURE, connect, gateway } from "./helpers.js";

let gw: RunningGateway;

beforeAll(async () => {
  gw = await gateway({ servers: [{ name: "fixture", transport: "stdio", command: "node", args: ["--import", "tsx", FIXTURE] }], sessions: { maxSessions: 7 } });
});
afterAll(async () => {
  await gw?.close();
});

async function scrape(): Promise<string> {
  const res = await fetch(`${new URL(gw.url).origin}/metrics`);
  expect(res.headers.get("content-type")).toContain("text/plain");
  return res.text();
}

describe("metrics", () => {
  it("exports every contract metric, and no other mcp_gateway_* family", async () => {
    const text = await scrape();
    const families = new Set([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => m[1]!));
    for (const name of contractMetricNames()) expect(families).toContain(name);
    const ours = [...families].filter((f) => f.startsWith("mcp_gateway_")).sort();
    expect(ours).toEqual(Object.values(METRICS).map((m) => m.name).sort());
    for (const def of Object.values(METRICS)) expect(text).toContain(`# TYPE ${def.name} ${def.type}`);
  });

  it("counts tool calls by server, tool and outcome, sessions, and backend state", async () => {
    const client = await connect(gw.url);
    await client.callTool({ name: "fixture__pid" });
    await client.callTool({ name: "fixture__pid" });
    await expect(client.callTool({ name: "fixture__nope" })).rejects.toThrow();
    const text = await scrape();
    expect(text).toContain('mcp_gateway_tool_calls_total{server="fixture",tool="pid",outcome="ok",version="stable"} 2');
    expect(text).toContain('mcp_gateway_tool_calls_total{server="unknown",tool="unknown",outcome="error",version="stable"} 1');
    expect(text).toContain('mcp_gateway_backend_up{server="fixture",transport="stdio"} 1');
    expect(text).toContain("mcp_gateway_sessions_active 1");
    expect(text).toContain("mcp_gateway_sessions_max 7");
    expect(text).toContain("mcp_gateway_sessions_created_total 1");
    expect(text).toMatch(/mcp_gateway_http_requests_total\{method="POST",code="200"\} \d+/);
    expect(text).toContain('mcp_gateway_rpc_requests_total{method="tools/call",outcome="ok"} 2');
    await (client.transport as StreamableHTTPClientTransport).terminateSession();
    await client.close();
    const after = await scrape();
    expect(after).toContain("mcp_gateway_sessions_active 0");
  });
});
