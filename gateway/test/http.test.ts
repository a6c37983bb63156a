/**
 * The Streamable HTTP front with raw HTTP: every kind of bad input gets the right status and JSON-RPC error, and
 * the gateway keeps serving; sessions are sealed (forged ids 404, deleted ids 404, another replica with the same key
 * serves them); batches follow the protocol version; stateless mode.
 */
import { request as httpRequest } from "node:http";
import { connect as tcpConnect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BackendConfigInput } from "../src/config.js";
import type { RunningGateway } from "../src/gateway.js";
import { FIXTURE, connect, gateway, textOf, waitFor } from "./helpers.js";

let gw: RunningGateway;
let replica: RunningGateway;
let stateless: RunningGateway;

const fixture: BackendConfigInput = { name: "fixture", transport: "stdio", command: "node", args: ["--import", "tsx", FIXTURE] };
const ACCEPT = "application/json, text/event-stream";

beforeAll(async () => {
  [gw, replica, stateless] = await Promise.all([
    gateway({ servers: [fixture], http: { maxBodyBytes: 1024 } }),
    gateway({ servers: [fixture] }),
    gateway({ servers: [fixture], sessions: { mode: "stateless" } }),
  ]);
});

afterAll(async () => {
  await Promise.all([gw?.close(), replica?.close(), stateless?.close()]);
});

interface Answer {
  status: number;
  headers: Headers;
  body: string;
  json?: { jsonrpc?: string; id?: unknown; result?: Record<string, unknown>; error?: { code: number; message: string } } & unknown[];
}

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: ACCEPT, ...headers }, body });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, body: text, json };
}

const init = (version = "2025-11-25") =>
  JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: version, capabilities: {}, clientInfo: { name: "raw", version: "1" } } });

async function session(url: string, version = "2025-11-25"): Promise<string> {
  const answer = await post(url, init(version));
  expect(answer.status).toBe(200);
  const id = answer.headers.get("mcp-session-id")!;
  const done = await post(url, JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }), { "mcp-session-id": id });
  expect(done.status).toBe(202);
  return id;
}

describe("bad input", () => {
  it("answers malformed JSON with 400 and a -32700 parse error", async () => {
    const a = await post(gw.url, "{not json");
    expect(a.status).toBe(400);
    expect(a.json!.error!.code).toBe(-32700);
    expect(a.json!.error!.message).toMatch(/^Parse error: the body is not valid JSON/);
  });

  it("answers an invalid envelope with 400 and a -32600 naming the field", async () => {
    const a = await post(gw.url, JSON.stringify({ jsonrpc: "1.0", id: 1, method: "ping" }));
    expect(a.status).toBe(400);
    expect(a.json!.error).toEqual({ code: -32600, message: 'Invalid Request: field "jsonrpc" must be "2.0"' });
    const b = await post(gw.url, JSON.stringify({ jsonrpc: "2.0", id: 1 }));
    expect(b.json!.error!.message).toBe('Invalid Request: a JSON-RPC message needs "method" (request, notification) or "result"/"error" (response)');
  });

  it("rejects JSON-RPC batches on 2025-06-18+ sessions and serves them on 2025-03-26", async () => {
    const id = await session(gw.url);
    const batch = JSON.stringify([
      { jsonrpc: "2.0", id: 2, method: "ping" },
      { jsonrpc: "2.0", id: 3, method: "tools/list" },
    ]);
    const a = await post(gw.url, batch, { "mcp-session-id": id, "mcp-protocol-version": "2025-11-25" });
    expect(a.status).toBe(400);
    expect(a.json!.error).toEqual({
      code: -32600,
      message: "Invalid Request: JSON-RPC batches were removed in protocol 2025-06-18; this session speaks 2025-11-25. Send one message per POST.",
    });
    const old = await session(gw.url, "2025-03-26");
    const b = await post(gw.url, batch, { "mcp-session-id": old, "mcp-protocol-version": "2025-03-26" });
    expect(b.status).toBe(200);
    expect((b.json as unknown as { id: number }[]).map((r) => r.id)).toEqual([2, 3]);
  });

  it("answers a wrong content type with 415 and a missing Accept type with 406", async () => {
    const a = await post(gw.url, init(), { "content-type": "text/plain" });
    expect(a.status).toBe(415);
    expect(a.json!.error!.message).toBe("Unsupported Media Type: Content-Type must be application/json");
    const b = await post(gw.url, init(), { accept: "application/json" });
    expect(b.status).toBe(406);
    expect(b.json!.error!.message).toBe("Not Acceptable: the Accept header must list both application/json and text/event-stream");
  });

  it("answers an oversize body with 413 without reading it all", async () => {
    const big = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping", params: { pad: "x".repeat(5000) } });
    const a = await post(gw.url, big);
    expect(a.status).toBe(413);
    expect(a.json!.error!.message).toBe("Payload Too Large: the body exceeds 1024 bytes (http.maxBodyBytes)");
    // Chunked (no Content-Length): stopped while streaming.
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(gw.url, { method: "POST", headers: { "content-type": "application/json", accept: ACCEPT } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on("error", reject);
      req.write(big.slice(0, 600));
      setTimeout(() => req.end(big.slice(600)), 50);
    });
    expect(status).toBe(413);
  });

  it("answers an unknown or forged session with 404, and a missing one with 400", async () => {
    const ping = JSON.stringify({ jsonrpc: "2.0", id: 5, method: "ping" });
    const forged = await post(gw.url, ping, { "mcp-session-id": "eyJ2IjoiMjAyNS0xMS0yNSJ9.AAAAAAAAAAAAAAAAAAAAAA" });
    expect(forged.status).toBe(404);
    expect(forged.json!.error!.message).toBe("Session not found: it expired, was closed, or was not issued by this gateway. Initialize a new session.");
    const missing = await post(gw.url, ping);
    expect(missing.status).toBe(400);
    expect(missing.json!.error!.message).toBe("Bad Request: Mcp-Session-Id header is required (send initialize first)");
  });

  it("answers an unknown tool with -32602 naming it", async () => {
    const id = await session(gw.url);
    const a = await post(gw.url, JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "fixture__nope", arguments: {} } }), { "mcp-session-id": id });
    expect(a.status).toBe(200);
    expect(a.json!.error).toEqual({ code: -32602, message: 'Unknown tool: "fixture__nope". Call tools/list for the tools this gateway exposes.' });
    const m = await post(gw.url, JSON.stringify({ jsonrpc: "2.0", id: 10, method: "nope/nope" }), { "mcp-session-id": id });
    expect(m.json!.error).toEqual({ code: -32601, message: "Method not found: nope/nope" });
  });

  it("refuses a foreign Host or Origin with 403 (DNS rebinding)", async () => {
    const status = (headers: Record<string, string>) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const body = init();
        const req = httpRequest(gw.url, { method: "POST", headers: { "content-type": "application/json", accept: ACCEPT, "content-length": Buffer.byteLength(body), ...headers } }, (res) => {
          let text = "";
          res.on("data", (c: Buffer) => (text += c.toString()));
          res.on("end", () => resolve({ status: res.statusCode!, body: text }));
        });
        req.on("error", reject);
        req.end(body);
      });
    const host = await status({ host: "evil.example.com" });
    expect(host.status).toBe(403);
    expect(JSON.parse(host.body).error.message).toBe(
      'Forbidden: Host "evil.example.com" is not allowed: the gateway is bound to loopback (set http.allowedHosts to serve other names)',
    );
    const origin = await status({ origin: "https://evil.example.com" });
    expect(origin.status).toBe(403);
    expect(JSON.parse(origin.body).error.message).toBe('Forbidden: Origin "https://evil.example.com" is not allowed (set http.allowedOrigins)');
    expect((await status({ origin: "http://localhost:3000" })).status).toBe(200);
  });

  it("answers other methods with 405 and an unsupported protocol version header with 400", async () => {
    const put = await fetch(gw.url, { method: "PUT" });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, POST, DELETE");
    const a = await post(gw.url, init(), { "mcp-protocol-version": "1999-01-01" });
    expect(a.status).toBe(400);
    expect(a.json!.error!.message).toBe('Bad Request: unsupported MCP-Protocol-Version "1999-01-01" (supported: 2025-11-25, 2025-06-18, 2025-03-26)');
  });

  it("keeps serving after all of that", async () => {
    const client = await connect(gw.url);
    expect(textOf(await client.callTool({ name: "fixture__pid" }))).toMatch(/^\d+$/);
    await client.close();
  });
});

describe("sessions", () => {
  it("negotiates the protocol version: echoes a supported one, else offers the latest", async () => {
    expect((await post(gw.url, init("2025-03-26"))).json!.result!.protocolVersion).toBe("2025-03-26");
    expect((await post(gw.url, init("2025-06-18"))).json!.result!.protocolVersion).toBe("2025-06-18");
    expect((await post(gw.url, init("2024-01-01"))).json!.result!.protocolVersion).toBe("2025-11-25");
  });

  it("ends a session on DELETE; the id then answers 404", async () => {
    const id = await session(gw.url);
    const del = await fetch(gw.url, { method: "DELETE", headers: { "mcp-session-id": id } });
    expect(del.status).toBe(200);
    const after = await post(gw.url, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }), { "mcp-session-id": id });
    expect(after.status).toBe(404);
  });

  it("lets another replica with the same key serve a session it never saw", async () => {
    const id = await session(gw.url);
    const call = JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "fixture__pid", arguments: {} } });
    const a = await post(replica.url, call, { "mcp-session-id": id });
    expect(a.status).toBe(200);
    expect(textOf(a.json!.result)).toMatch(/^\d+$/);
  });

  it("streams the answer as SSE when the call forwards something first", async () => {
    const id = await session(gw.url);
    const res = await fetch(gw.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: ACCEPT, "mcp-session-id": id },
      body: JSON.stringify({ jsonrpc: "2.0", id: 11, method: "tools/call", params: { name: "fixture__progress", arguments: { steps: 3 }, _meta: { progressToken: "tok" } } }),
    });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const events = (await res.text())
      .split("\n\n")
      .filter((e) => e.startsWith("event: message"))
      .map((e) => JSON.parse(e.slice(e.indexOf("data: ") + 6)));
    expect(events.map((e) => e.params?.progress ?? e.id)).toEqual([1, 2, 3, 11]);
    expect(events[0].params.progressToken).toBe("tok");
  });

  it("in stateless mode answers every POST on its own, without a session id", async () => {
    const initAnswer = await post(stateless.url, init());
    expect(initAnswer.status).toBe(200);
    expect(initAnswer.headers.get("mcp-session-id")).toBeNull();
    const list = await post(stateless.url, JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }));
    expect((list.json!.result!.tools as { name: string }[]).map((t) => t.name)).toContain("fixture__pid");
    expect((await fetch(stateless.url, { method: "GET", headers: { accept: "text/event-stream" } })).status).toBe(405);
  });
});

describe("a client that stops reading its standalone stream", () => {
  it("has the stream dropped once its backlog passes the bound, while other sessions are served; its later messages wait for its next GET", async () => {
    const stuck = await session(replica.url);
    const { port } = new URL(replica.url);
    const socket = tcpConnect(Number(port), "127.0.0.1");
    await new Promise((r) => socket.once("connect", r));
    let received = 0;
    let ended = false;
    socket.on("data", (chunk: Buffer) => (received += chunk.length));
    socket.once("end", () => (ended = true));
    socket.write(`GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\nMcp-Session-Id: ${stuck}\r\n\r\n`);
    await waitFor(() => (received > 0 ? true : undefined), "the stream's head");
    socket.pause();

    // Another session makes the shared backend log 80 messages of 250 KB: 20 MB for every session's stream.
    const talker = await connect(replica.url);
    const message = "m".repeat(250_000);
    for (let i = 0; i < 80; i++) expect(textOf(await talker.callTool({ name: "fixture__say", arguments: { message } }))).toBe("said");

    socket.resume();
    await waitFor(() => (ended ? true : undefined), "the gateway to end the stuck stream");
    expect(received).toBeLessThan(80 * 250_000);
    // The session lives on: a new GET stream gets the messages kept since (the newest, bounded).
    const again = await fetch(replica.url, { headers: { accept: "text/event-stream", "mcp-session-id": stuck } });
    expect(again.status).toBe(200);
    const reader = again.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toMatch(/^event: message\ndata: \{.*"method":"notifications\/message"/);
    await reader.cancel();
    socket.destroy();
    await talker.close();
  });
});
