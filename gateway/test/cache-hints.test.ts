/**
 * Cache hints for 2026-07-28 callers (server/utilities/caching.mdx): a list takes the most conservative hint of its
 * backends (a 2025 backend gives none: immediately stale), `private` when any backend's is or when the caller's
 * view is narrower than the whole catalog; discovery the same over the backends' discoveries; a read without a hint
 * is immediately stale and private. 2025 callers get no hints.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ClientCall, CatalogView } from "../src/context.js";
import type { RunningGateway } from "../src/gateway.js";
import type { JsonRpcResponse } from "../src/jsonrpc.js";
import { listRoute } from "../src/routes/lists.js";
import { REPO, connect, gateway } from "./helpers.js";
import { modernPost } from "./modern-wire.js";

const JOBS = { name: "jobs", transport: "stdio" as const, command: process.execPath, args: ["--import", "tsx", join(REPO, "gateway/test/fixtures/modern-tasks-server.ts")], cwd: REPO };
const LEGACY = { name: "legacy", transport: "stdio" as const, command: process.execPath, args: ["--import", "tsx", join(REPO, "gateway/test/fixtures/conformance-server.ts")], cwd: REPO };
const MODERN = { name: "modern", transport: "stdio" as const, command: process.execPath, args: ["--import", "tsx", join(REPO, "gateway/test/fixtures/modern-server.ts")], cwd: REPO };

const gateways: RunningGateway[] = [];
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
});

async function hints(servers: (typeof JOBS)[]): Promise<Record<string, [unknown, unknown]>> {
  const gw = await gateway({ servers });
  gateways.push(gw);
  const out: Record<string, [unknown, unknown]> = {};
  for (const method of ["server/discover", "tools/list"]) {
    const result = (await modernPost(gw.url, method)).body!.result!;
    out[method] = [result.ttlMs, result.cacheScope];
  }
  return out;
}

describe("cache hints of merged lists and discovery", () => {
  it("keep a 2026-07-28 backend's own hints when it is alone", async () => {
    expect(await hints([JOBS])).toEqual({ "server/discover": [30_000, "public"], "tools/list": [60_000, "public"] });
  });

  it("take the most conservative: a 2025 backend's lists are immediately stale", async () => {
    expect(await hints([JOBS, LEGACY])).toEqual({ "server/discover": [0, "public"], "tools/list": [0, "public"] });
  });

  it("are private when one backend's are (the SDK v2 server answers 0, private)", async () => {
    expect(await hints([JOBS, MODERN])).toEqual({ "server/discover": [0, "private"], "tools/list": [0, "private"] });
  });

  it("mark a read without a hint immediately stale and private, and give 2025 callers none", async () => {
    const gw = gateways[1]!;
    const read = await modernPost(gw.url, "resources/read", { uri: "test://static-text" });
    expect(read.body?.result).toMatchObject({ resultType: "complete", ttlMs: 0, cacheScope: "private" });
    const client = await connect(gw.url);
    const listed = (await client.listTools()) as Record<string, unknown>;
    expect(["ttlMs" in listed, "cacheScope" in listed, "resultType" in listed]).toEqual([false, false, false]);
    await client.close();
  });
});

describe("a list that varies by caller", () => {
  it("is private whatever its backends say (the caller's view is narrower than the whole catalog)", () => {
    const full = { tools: [{ name: "a" }, { name: "b" }] } as unknown as CatalogView;
    const narrowed = { tools: [{ name: "a" }] } as unknown as CatalogView;
    const route = listRoute("tools", { full, hint: () => ({ ttlMs: 60_000, cacheScope: "public" }) });
    const answer = (view: CatalogView): JsonRpcResponse => {
      let response: JsonRpcResponse | undefined;
      const call = { ctx: { era: "stateless", view } } as unknown as ClientCall;
      route.serve(call, { jsonrpc: "2.0", id: 1, method: "tools/list" }, { kind: "gateway" }, (r) => (response = r));
      return response!;
    };
    expect(answer(full).result).toEqual({ tools: [{ name: "a" }, { name: "b" }], ttlMs: 60_000, cacheScope: "public" });
    expect(answer(narrowed).result).toEqual({ tools: [{ name: "a" }], ttlMs: 60_000, cacheScope: "private" });
  });
});
