/**
 * A bounded storm of hostile input against the real gateway executable: random and structured garbage (bytes,
 * heads, headers, JSON-RPC envelopes, nesting, sizes, ids, session tokens, and 2026-07-28 shapes: `_meta`
 * envelopes, `Mcp-Method`/`Mcp-Name`/`Mcp-Param-*` headers plain and Base64, `requestState` and `inputResponses`,
 * `subscriptions/listen` filters), seeded so a failure replays. Asserted:
 * the process stays alive, every answer is an expected status (and a well-formed JSON-RPC error where there is a
 * body), nothing waits longer than its timeout, memory comes back near where it started, and a normal client is
 * served afterwards.
 */
import { request as httpRequest } from "node:http";
import { connect as tcpConnect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVERYTHING, FIXTURE, REPO, connect, gatewayProcess, textOf, type GatewayChild } from "./helpers.js";

const SEED = Number(process.env.HOSTILE_SEED ?? 20261202);
const HTTP_CASES = 1200;
const RAW_CASES = 150;
const CONCURRENCY = 8;
/** Longest any single exchange may take: every limit of the gateway answers well within it. */
const EXCHANGE_TIMEOUT_MS = 8000;

/** mulberry32: small, seeded, good enough to pick cases. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = rng(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (max: number) => Math.floor(random() * max);
const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));

const ALLOWED_STATUS = new Set([200, 202, 400, 403, 404, 405, 406, 408, 409, 413, 415, 429, 431, 501, 503, 505]);
const ALLOWED_CODES = new Set([-32700, -32600, -32601, -32602, -32603, -32001, -32002, -32029, -32020, -32021, -32022]);

/** Deep values are spliced into the serialized body as text (building them as objects would recurse as deep). */
const DEEP = /"__deep_(\d+)__"/g;
const deepText = (depth: number) => `${"[".repeat(depth)}1${"]".repeat(depth)}`;

/** A JSON value of the given nesting depth, with awkward leaves. */
function value(depth: number): unknown {
  if (depth > 200) return `__deep_${depth}__`;
  if (depth <= 0) return pick([null, true, 0, -1, 1e308, "", "x".repeat(int(3000)), "\u0000\ud800", "gw-1", "../../etc/passwd", { __proto__: { a: 1 } }]);
  return random() < 0.5 ? [value(depth - 1)] : { [pick(["a", "_meta", "__proto__", "constructor", "id"])]: value(depth - 1) };
}

const METHODS = ["initialize", "ping", "tools/list", "tools/call", "resources/list", "resources/read", "resources/subscribe", "resources/templates/list", "prompts/list", "prompts/get", "completion/complete", "logging/setLevel", "tasks/get", "tasks/result", "tasks/cancel", "tasks/list", "sampling/createMessage", "nope/nope", "", "notifications/cancelled", "notifications/initialized", "notifications/roots/list_changed"];

const MODERN_METHODS = ["server/discover", "tools/list", "tools/call", "prompts/get", "resources/read", "subscriptions/listen", "initialize", "ping", "logging/setLevel", "resources/subscribe", "tasks/get", "nope/nope"];
const META_VERSION = "io.modelcontextprotocol/protocolVersion";
const META_CAPS = "io.modelcontextprotocol/clientCapabilities";
const b64 = (text: string) => `=?base64?${Buffer.from(text).toString("base64")}?=`;

/** A 2026-07-28 request (no session), mostly well formed, with one thing wrong or odd. */
function modernMessage(): { body: string; headers: Record<string, string> } {
  const depth = pick([0, 1, 3, 10, 65, 200, 3000]);
  const method = pick(MODERN_METHODS);
  const name = pick(["modern__test_simple_text", "modern__test_x_mcp_header", "modern__test_input_required_result_elicitation", "fixture__sampling", "fixture__pid", "unknown", "ünïcode tool"]);
  const meta = pick<unknown>([
    undefined,
    "x",
    [],
    null,
    {},
    { [META_VERSION]: "2026-07-28" },
    { [META_CAPS]: {} },
    { [META_VERSION]: "2026-07-28", [META_CAPS]: pick<unknown>([{}, { elicitation: {} }, { sampling: {} }, [], "all", value(depth)]) },
    { [META_VERSION]: pick<unknown>(["v999", "", 2026, value(depth)]), [META_CAPS]: {} },
    { [META_VERSION]: "2026-07-28", [META_CAPS]: {}, "io.modelcontextprotocol/logLevel": pick<unknown>(["debug", "loud", 3, value(depth)]) },
    { [META_VERSION]: "2026-07-28", [META_CAPS]: {}, progressToken: pick<unknown>(["t", 1, value(depth)]) },
  ]);
  const params: Record<string, unknown> = { name, arguments: pick<unknown>([{}, { region: pick(["eu", "ü", " x ", "=?base64?eA==?="]) }, { ms: 5 }, value(depth)]) };
  if (method === "resources/read") params.uri = pick(["test://static-text", "nowhere://x", value(depth)]);
  if (method === "subscriptions/listen") {
    params.notifications = pick<unknown>([{}, { toolsListChanged: true }, { bogus: true }, { toolsListChanged: "yes" }, { resourceSubscriptions: pick<unknown>([["test://static-text"], [1], "x", Array.from({ length: 1001 }, (_, i) => `u://${i}`)]) }, "x", value(depth)]);
  }
  if (random() < 0.3) {
    params.requestState = pick<unknown>(["gw1.e30.AAAAAAAAAAAAAAAAAAAAAA", "gw1." + bytes(40).toString("base64url") + "." + bytes(16).toString("base64url"), "x".repeat(5000), value(depth), ""]);
    params.inputResponses = pick<unknown>([{}, null, [], { "elicitation-1": { action: "accept", content: {} } }, { user_name: 12345 }, value(depth)]);
  }
  if (meta !== undefined) params._meta = meta;
  const envelope: Record<string, unknown> = { jsonrpc: "2.0", id: pick<unknown>([1, "m", null, 2.5]), method, params };
  if (random() < 0.05) delete envelope.id; // a notification
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json, text/event-stream" };
  headers["mcp-protocol-version"] = pick(["2026-07-28", "2026-07-28", "2026-07-28", "v999", "2025-11-25"]);
  const mcpMethod = pick<string | undefined>([method, method, method, "tools/call", undefined, "TOOLS/LIST"]);
  if (mcpMethod !== undefined) headers["mcp-method"] = mcpMethod;
  const mcpName = pick<string | undefined>([name, name, b64(name), "=?base64?!!!?=", b64("\uFFFF\uD800"), "other", undefined, "x".repeat(int(3000))]);
  if (mcpName !== undefined && /^[\x20-\x7e]*$/.test(mcpName)) headers["mcp-name"] = mcpName;
  if (random() < 0.3) headers["mcp-param-region"] = pick(["eu", b64("ü"), "=?base64?%%?=", ""]);
  if (random() < 0.1) headers["mcp-session-id"] = "a.b";
  const json = JSON.stringify(envelope).replace(DEEP, (_, n: string) => deepText(Number(n)));
  return { body: random() < 0.05 ? `[${json},${json}]` : json, headers };
}

function message(session: string): { body: string; headers: Record<string, string> } {
  if (random() < 0.3) return modernMessage();
  const depth = pick([0, 1, 3, 10, 63, 64, 65, 200, 3000, 6000, 12_000]);
  const id = pick<unknown>([1, "a", null, undefined, 1.5, -0, [1], { a: 1 }, value(depth), "x".repeat(int(200))]);
  const method = pick(METHODS);
  const params = pick<unknown>([
    undefined,
    {},
    null,
    "x",
    [],
    { name: pick(["fixture__pid", "fixture__progress", "fixture__slow", "everything__echo", "unknown", value(depth)]), arguments: pick([{}, { steps: 2 }, { ms: 5 }, { message: "hi" }, value(depth)]) },
    { _meta: pick<unknown>(["x", null, [], { progressToken: value(depth) }, { progressToken: "t" }]), name: "fixture__progress", arguments: { steps: 2 } },
    { uri: value(depth) },
    { level: value(depth) },
    { taskId: value(depth) },
    { protocolVersion: pick(["2025-11-25", "1999-01-01", value(depth)]), capabilities: value(depth), clientInfo: { name: "h", version: "1" } },
    { ref: value(depth), argument: value(depth) },
  ]);
  const envelope: Record<string, unknown> = { jsonrpc: pick(["2.0", "2.0", "2.0", "1.0", 2, undefined]), method };
  if (id !== undefined) envelope.id = id;
  if (params !== undefined) envelope.params = params;
  if (random() < 0.1) {
    delete envelope.method;
    envelope.result = value(depth);
  }
  let body: string;
  const shape = random();
  const json = JSON.stringify(envelope).replace(DEEP, (_, n: string) => deepText(Number(n)));
  if (shape < 0.7) body = json;
  else if (shape < 0.8) body = `[${Array.from({ length: pick([0, 1, 2, 100, 101, 500]) }, () => json).join(",")}]`;
  else if (shape < 0.9) body = json.slice(0, int(60));
  else body = bytes(int(2000)).toString("latin1");
  const headers: Record<string, string> = {
    "content-type": pick(["application/json", "application/json", "text/plain", "application/json; charset=utf-8", "application/jsonx"]),
    accept: pick(["application/json, text/event-stream", "application/json, text/event-stream", "*/*", "text/html", ""]),
  };
  const token = pick([session, session, session, `${session}!`, `${session.slice(0, -1)}A`, "", "a.b", "x".repeat(600), bytes(20).toString("base64url"), undefined]);
  if (token !== undefined) headers["mcp-session-id"] = token;
  if (random() < 0.2) headers["mcp-protocol-version"] = pick(["2025-11-25", "2025-03-26", "2026-07-28", "garbage", ""]);
  if (random() < 0.1) headers.origin = pick(["http://127.0.0.1.evil.com", "null", "http://localhost:1", "https://evil.example"]);
  if (random() < 0.05) headers.host = pick(["127.evil.com", "127.0.0.1:1@evil.com", "[::1]", "localhost"]);
  return { body, headers };
}

interface Outcome {
  status: number;
  body: string;
  type: string;
}

function exchange(url: string, method: string, body: string, headers: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) }, timeout: EXCHANGE_TIMEOUT_MS }, (res) => {
      if (method === "GET" && res.statusCode === 200) {
        // The session's standalone stream: open for as long as the client wants it. Its head is the answer.
        resolve({ status: 200, body: "", type: String(res.headers["content-type"]) });
        req.destroy();
        return;
      }
      if (res.statusCode === 200 && headers["mcp-method"] === "subscriptions/listen" && String(res.headers["content-type"]).startsWith("text/event-stream")) {
        // A listen stream stays open for as long as the client wants it: its first event (the acknowledgement) is the answer.
        let first = "";
        res.setEncoding("utf8").on("data", (c: string) => {
          first += c;
          const end = first.indexOf("\n\n");
          if (end === -1) return;
          resolve({ status: 200, body: first.slice(0, end + 2), type: "text/event-stream" });
          req.destroy();
        });
        return;
      }
      let text = "";
      res.setEncoding("utf8").on("data", (c: string) => (text.length < 1_000_000 ? (text += c) : undefined));
      res.on("end", () => resolve({ status: res.statusCode!, body: text, type: String(res.headers["content-type"] ?? "") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${EXCHANGE_TIMEOUT_MS} ms: ${method} ${body.slice(0, 120)}`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** Raw bytes on a socket, then a half-close: resolves with what came back once the server closes. */
function raw(port: number, data: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, "127.0.0.1");
    let text = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`raw exchange still open after ${EXCHANGE_TIMEOUT_MS} ms: ${JSON.stringify(data.toString("latin1").slice(0, 80))}`));
    }, EXCHANGE_TIMEOUT_MS);
    socket.on("data", (c: Buffer) => (text += c.toString("latin1")));
    socket.on("error", () => undefined); // a reset is an answer too
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(text);
    });
    socket.end(data);
  });
}

/** JSON-RPC messages in an answer body (JSON or SSE). */
function messagesOf(outcome: Outcome): unknown[] {
  const texts = outcome.type.startsWith("text/event-stream")
    ? outcome.body.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6))
    : outcome.type.startsWith("application/json") && outcome.body !== ""
      ? [outcome.body]
      : [];
  return texts.flatMap((t) => {
    const parsed = JSON.parse(t) as unknown;
    return Array.isArray(parsed) ? parsed : [parsed];
  });
}

async function metric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return Number(line?.split(" ")[1] ?? NaN);
}

let gw: GatewayChild;
let base: string;

beforeAll(async () => {
  gw = await gatewayProcess({
    servers: [
      { name: "fixture", transport: "stdio", command: "node", args: ["--import", "tsx", FIXTURE], timeoutMs: 3000 },
      { name: "everything", transport: "stdio", command: "node", args: [EVERYTHING, "stdio"], timeoutMs: 3000 },
      { name: "modern", transport: "stdio", command: "node", args: ["--import", "tsx", "gateway/test/fixtures/modern-server.ts"], cwd: REPO, timeoutMs: 3000 },
    ],
    http: { maxBodyBytes: 256 * 1024 },
    sessions: { perClient: { createPerMinute: 600, burst: 100 } },
  });
  base = new URL(gw.url).origin;
});

afterAll(async () => {
  await gw?.stop();
});

describe("a storm of hostile input", () => {
  it(`leaves the gateway alive, answering every request with an expected status or JSON-RPC error (seed ${SEED})`, async () => {
    const session = await fetchSession();
    const heapBefore = await metric(base, "nodejs_heap_size_used_bytes");

    const problems: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const cases = Array.from({ length: HTTP_CASES }, () => ({ ...message(session), method: pick(["POST", "POST", "POST", "POST", "GET", "DELETE", "PUT"]) }));
    const deadline = Date.now() + 90_000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < cases.length && Date.now() < deadline) {
          const c = cases[next++]!;
          // A DELETE of the shared session would end the storm's session: keep it for forged ids.
          if (c.method === "DELETE" && c.headers["mcp-session-id"] === session) c.headers["mcp-session-id"] = `${session}x`;
          try {
            const outcome = await exchange(gw.url, c.method, c.method === "GET" || c.method === "DELETE" ? "" : c.body, c.headers);
            statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
            if (!ALLOWED_STATUS.has(outcome.status)) problems.push(`status ${outcome.status} for ${c.method} ${c.body.slice(0, 100)}`);
            for (const m of messagesOf(outcome)) {
              const error = (m as { error?: { code?: unknown; message?: unknown } }).error;
              if (error !== undefined && (!ALLOWED_CODES.has(error.code as number) || typeof error.message !== "string")) problems.push(`error ${JSON.stringify(error).slice(0, 200)} for ${c.body.slice(0, 100)}`);
            }
          } catch (error) {
            problems.push((error as Error).message);
          }
        }
      }),
    );
    expect(next).toBe(cases.length); // all sent within the time bound

    const rawCases: Buffer[] = Array.from({ length: RAW_CASES }, () =>
      pick([
        () => bytes(int(4000)),
        () => Buffer.from(`POST /mcp HTTP/1.1\nHost: 127.0.0.1\n\n`),
        () => Buffer.from(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello`),
        () => Buffer.from(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n${bytes(50).toString("hex")}\r\n`),
        () => Buffer.from(`GET /${"a".repeat(int(20_000))} HTTP/1.1\r\nHost: x\r\n\r\n`),
        () => Buffer.from(`${pick(["GET", "POST", "BREW", "\u0000"])} ${pick(["/mcp", "*", "http://x/mcp", "/../"])} HTTP/${pick(["1.1", "1.0", "2.0", "9"])}\r\n${bytes(int(200)).toString("latin1")}\r\n\r\n`),
      ])(),
    );
    for (let i = 0; i < rawCases.length; i += CONCURRENCY) {
      const answers = await Promise.all(rawCases.slice(i, i + CONCURRENCY).map((data) => raw(Number(new URL(base).port), data).catch((e: Error) => `FAILED ${e.message}`)));
      for (const text of answers) {
        if (text.startsWith("FAILED")) problems.push(text);
        else if (text !== "" && !/^HTTP\/1\.1 (\d{3})/.test(text)) problems.push(`raw answer not HTTP: ${text.slice(0, 80)}`);
        else if (text !== "" && !ALLOWED_STATUS.has(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)![1]))) problems.push(`raw status: ${text.slice(0, 40)}`);
      }
    }

    expect(problems).toEqual([]);
    expect(gw.child.exitCode).toBeNull();
    expect(statuses.get(400) ?? 0).toBeGreaterThan(100); // the storm did reach the checks

    // Served as usual afterwards.
    const client = await connect(gw.url);
    expect(textOf(await client.callTool({ name: "fixture__progress", arguments: { steps: 2 } }))).toBe("done 2");
    await client.close();

    // Memory comes back near its start once the storm is over (a leak of held calls or buffers would not).
    let heapAfter = Infinity;
    for (let i = 0; i < 20 && heapAfter > heapBefore + 48 * 1024 * 1024; i++) {
      await new Promise((r) => setTimeout(r, 250));
      heapAfter = await metric(base, "nodejs_heap_size_used_bytes");
    }
    expect(heapAfter).toBeLessThan(heapBefore + 48 * 1024 * 1024);
  });
});

async function fetchSession(): Promise<string> {
  const res = await fetch(gw.url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-03-26", capabilities: { sampling: {} }, clientInfo: { name: "h", version: "1" } } }),
  });
  return res.headers.get("mcp-session-id")!;
}
