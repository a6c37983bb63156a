/**
 * `npm run bench:scale`: the gateway at fleet scale, in this process (heap measured with --expose-gc):
 * - 100 stdio backends (bench/scale/tiny-server.mjs) from start to every one up, and the aggregated `tools/list`
 *   over them, warm: p50/p99 of sequential calls through one session;
 * - 10,000 idle legacy sessions (initialize + initialized, then left alone): heap growth after GC.
 *
 *   npm run bench:scale -- [--backends 100] [--sessions 10000] [--lists 2000]
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { pino } from "pino";
import { parseGatewayConfig } from "../../gateway/src/config.js";
import { startGateway } from "../../gateway/src/gateway.js";
import { openSession, PROTOCOL_VERSION } from "../gateway/mcp-http.js";
import { ROOT } from "../gateway/targets.js";

const { values } = parseArgs({ options: { backends: { type: "string", default: "100" }, sessions: { type: "string", default: "10000" }, lists: { type: "string", default: "2000" } } });
const BACKENDS = Number(values.backends);
const SESSIONS = Number(values.sessions);
const LISTS = Number(values.lists);
const TINY = join(ROOT, "bench/scale/tiny-server.mjs");
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with node --expose-gc (npm run bench:scale does)");
const log = (line: string) => process.stdout.write(`${line}\n`);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const heapMb = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

const config = parseGatewayConfig({
  listen: { host: "127.0.0.1", port: 0 },
  sessions: { maxSessions: SESSIONS + 100, perClient: { burst: SESSIONS * 2, createPerMinute: SESSIONS * 60 } },
  servers: Array.from({ length: BACKENDS }, (_, i) => ({ name: `tiny-${i}`, transport: "stdio", command: process.execPath, args: [TINY] })),
});

const startedAt = performance.now();
const gw = await startGateway(config, { logger: pino({ level: "silent" }), sessionSecret: "bench-secret" });
const readyMs = performance.now() - startedAt;
const up = gw.status().filter((s) => s.state === "up").length;
log(`${BACKENDS} stdio backends: ${up} up ${readyMs.toFixed(0)} ms after start (startGateway resolved with every first attempt and list settled)`);

// Aggregated tools/list, warm: one session, sequential calls.
const session = await openSession("streamable", gw.url);
const first = await session.call("tools/list", {});
const tools = (first.result?.tools as unknown[] | undefined)?.length ?? 0;
for (let i = 0; i < 200; i++) await session.call("tools/list", {});
const lists: number[] = [];
for (let i = 0; i < LISTS; i++) {
  const t = performance.now();
  await session.call("tools/list", {});
  lists.push(performance.now() - t);
}
lists.sort((a, b) => a - b);
log(`tools/list over ${tools} tools of ${BACKENDS} servers, ${LISTS} sequential calls warm: p50 ${percentile(lists, 50).toFixed(2)} ms, p99 ${percentile(lists, 99).toFixed(2)} ms`);
await session.close();

// Idle legacy sessions: initialize + notifications/initialized each, over keep-alive fetch, 16 at a time.
const initialize = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "scale", version: "1" } } });
const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
const openIdle = async (): Promise<void> => {
  const res = await fetch(gw.url, { method: "POST", headers, body: initialize });
  await res.text();
  const id = res.headers.get("mcp-session-id");
  if (res.status !== 200 || id === null) throw new Error(`initialize: HTTP ${res.status}`);
  const done = await fetch(gw.url, { method: "POST", headers: { ...headers, "mcp-session-id": id, "mcp-protocol-version": PROTOCOL_VERSION }, body: '{"jsonrpc":"2.0","method":"notifications/initialized"}' });
  await done.text();
};
for (let i = 0; i < 100; i++) await openIdle(); // the client's pools and the gateway's caches exist before the baseline
const before = heapMb();
const sessionsAt = performance.now();
for (let opened = 0; opened < SESSIONS; opened += 16) await Promise.all(Array.from({ length: Math.min(16, SESSIONS - opened) }, openIdle));
const after = heapMb();
log(`${SESSIONS} idle legacy sessions opened in ${((performance.now() - sessionsAt) / 1000).toFixed(1)} s: heap ${before.toFixed(1)} -> ${after.toFixed(1)} MB after GC (+${(after - before).toFixed(1)} MB, ${(((after - before) * 1024 * 1024) / SESSIONS / 1024).toFixed(2)} KB per session)`);

await gw.close();
process.exit(0);
