/**
 * The per-request streams of 2026-07-28 callers in front of 2025 backends: a request's stream carries its own
 * progress, and its logs only when it set a `logLevel` (at or above it); closing the stream cancels the call
 * upstream (the backend sees `notifications/cancelled`).
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "../src/gateway.js";
import { FIXTURE, REPO, gateway, textOf, waitFor } from "./helpers.js";
import { envelope, modernHeaders, modernPost } from "./modern-wire.js";

let gw: RunningGateway;

beforeAll(async () => {
  gw = await gateway({
    servers: [
      { name: "fixture", transport: "stdio", command: process.execPath, args: ["--import", "tsx", FIXTURE] },
      { name: "legacy", transport: "stdio", command: process.execPath, args: ["--import", "tsx", join(REPO, "gateway/test/fixtures/conformance-server.ts")], cwd: REPO },
    ],
  });
});

afterAll(async () => {
  await gw?.close();
});

const methods = (events: Record<string, unknown>[]) => events.map((e) => (e.method as string | undefined) ?? "result");

describe("a 2026-07-28 request's own stream", () => {
  it("carries its progress (under its own token), then its result", async () => {
    const answer = await modernPost(gw.url, "tools/call", { name: "fixture__progress", arguments: { steps: 3 } }, { meta: envelope({}, { progressToken: "p-1" }) });
    expect(answer.headers.get("content-type")).toBe("text/event-stream");
    expect(methods(answer.events)).toEqual(["notifications/progress", "notifications/progress", "notifications/progress", "result"]);
    expect(answer.events.slice(0, 3).map((e) => (e.params as { progressToken: unknown; progress: number }).progressToken)).toEqual(["p-1", "p-1", "p-1"]);
    expect(textOf(answer.body?.result)).toBe("done 3");
  });

  it("carries logs only when the request set a logLevel, and only at or above it", async () => {
    const withLevel = async (level?: string) => {
      const answer = await modernPost(gw.url, "tools/call", { name: "legacy__test_tool_with_logging", arguments: {} }, { meta: level === undefined ? envelope() : envelope({}, { "io.modelcontextprotocol/logLevel": level }) });
      expect(textOf(answer.body?.result)).toBe("Tool with logging executed successfully");
      return answer.events.filter((e) => e.method === "notifications/message").map((e) => (e.params as { data: unknown }).data);
    };
    expect(await withLevel("info")).toEqual(["Tool execution started", "Tool processing data", "Tool execution completed"]);
    expect(await withLevel()).toEqual([]);
    expect(await withLevel("error")).toEqual([]);
  });

  it("cancels the call upstream when the client closes it", async () => {
    const controller = new AbortController();
    const params = { name: "fixture__slow", arguments: { ms: 20_000, tag: "closed-stream" }, _meta: envelope() };
    const pending = fetch(gw.url, {
      method: "POST",
      headers: modernHeaders("tools/call", params),
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params }),
      signal: controller.signal,
    }).catch((error: Error) => error);
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    expect(await pending).toBeInstanceOf(Error);
    const cancelled = await waitFor(async () => {
      const tags = JSON.parse(textOf((await modernPost(gw.url, "tools/call", { name: "fixture__cancelled", arguments: {} })).body?.result)) as string[];
      return tags.includes("closed-stream") ? tags : undefined;
    }, "the backend to record the cancellation");
    expect(cancelled).toContain("closed-stream");
  });
});
