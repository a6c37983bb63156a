/** The load generator's own correctness: if it misparsed answers, the benchmark's error counts would lie. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveHttp } from "../../gateway/test/fixtures/conformance-server.js";
import type { PhaseResult } from "./load.js";
import { serveModernHttp } from "../../gateway/test/fixtures/modern-server.js";
import { StatelessSession, StreamableSession, parseSse } from "./mcp-http.js";
import { aggregate, percentile, table } from "./report.js";

describe("parseSse", () => {
  it("splits complete events, joins multi-line data, keeps the incomplete rest, and accepts CRLF", () => {
    const { events, rest } = parseSse('id: 1\nevent: message\ndata: {"a":1}\n\nevent: endpoint\ndata: /messages?\ndata: x=1\r\n\r\ndata: {"par');
    expect(events).toEqual([
      { event: "message", data: '{"a":1}' },
      { event: "endpoint", data: "/messages?\nx=1" },
    ]);
    expect(rest).toBe('data: {"par');
  });

  it("skips events without data (priming events carry only an id)", () => {
    expect(parseSse("id: abc\n\n").events).toEqual([]);
  });
});

describe("StreamableSession against a real SDK server", () => {
  let fixture: Awaited<ReturnType<typeof serveHttp>>;
  beforeAll(async () => {
    fixture = await serveHttp();
  });
  afterAll(async () => {
    await fixture.close();
  });

  it("initializes, keeps the session, and reads each call's own response from an SSE answer", async () => {
    const session = await StreamableSession.open(fixture.url);
    try {
      const listed = await session.call("tools/list", {});
      expect((listed.result?.tools as Array<{ name: string }>).map((t) => t.name)).toContain("test_simple_text");
      // Progress notifications precede the response on the same stream: the call must resolve with the response.
      const withProgress = await session.call("tools/call", { name: "test_tool_with_progress", arguments: {}, _meta: { progressToken: 7 } });
      expect(withProgress.result?.content).toEqual([{ type: "text", text: "Tool with progress executed (token 7)" }]);
      const unknown = await session.call("tools/call", { name: "no_such_tool", arguments: {} });
      expect(JSON.stringify(unknown.result ?? unknown.error)).toContain("no_such_tool");
    } finally {
      await session.close();
    }
  });
});

describe("StatelessSession against a real 2026-07-28-only SDK v2 server", () => {
  let fixture: Awaited<ReturnType<typeof serveModernHttp>>;
  beforeAll(async () => {
    fixture = await serveModernHttp({ legacy: "reject" });
  });
  afterAll(async () => {
    await fixture.close();
  });

  it("sends the envelope and headers the server requires, and reads each call's own response (JSON or SSE)", async () => {
    const session = await StatelessSession.open(fixture.url);
    try {
      const listed = await session.call("tools/list", {});
      expect((listed.result?.tools as Array<{ name: string }>).map((t) => t.name)).toContain("test_simple_text");
      const withProgress = await session.call("tools/call", { name: "test_tool_with_progress", arguments: {}, _meta: { progressToken: 7 } });
      expect(withProgress.result?.content).toEqual([{ type: "text", text: "Tool with progress executed (token 7)" }]);
      const simple = await session.call("tools/call", { name: "test_simple_text", arguments: {} });
      expect(simple.result).toMatchObject({ resultType: "complete", content: [{ type: "text", text: "This is a simple text response for testing." }] });
    } finally {
      await session.close();
    }
  });
});

describe("report", () => {
  it("takes nearest-rank percentiles", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([5], 99)).toBe(5);
  });

  it("sums phases into one row and states ratios against direct and the gateway", () => {
    const phase = (ok: number, wallMs: number, cpuMs: number, latencies: number[]): PhaseResult => ({ ok, errors: 0, latencies, wallMs, cpuMs, generatorCpuMs: cpuMs / 5, peakRssBytes: 64 * 1024 * 1024 });
    const direct = aggregate("direct", 8, [phase(1000, 1000, 500, [1, 2]), phase(3000, 1000, 1500, [3])]);
    expect(direct).toMatchObject({ callsPerSecond: 2000, cpuMsPerCall: 0.5, p50Ms: 2, peakRssMiB: 64, rounds: 2 });
    const gateway = aggregate("gateway", 8, [phase(4000, 1000, 1000, [1])]);
    const markdown = table([direct, gateway]);
    expect(markdown.split("\n")[2]).toBe("| direct | 2000 | 2.00 | 3.00 | 0 | 0.500 | 64 | 0.100 | 1.00x | 0.50x | 1.00x | 2.00x |");
    expect(markdown.split("\n")[3]).toBe("| gateway | 4000 | 1.00 | 1.00 | 0 | 0.250 | 64 | 0.050 | 2.00x | 1.00x | 0.50x | 1.00x |");
  });
});
