/**
 * The load generator's raw HTTP client and its legacy SSE session: if they misframed a response, the benchmark
 * would count errors that are not there, or miss ones that are.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { createConformanceServer } from "../../gateway/test/fixtures/conformance-server.js";
import { LegacySseSession, StreamableSession } from "./mcp-http.js";
import { RawConnection } from "./wire.js";

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as AddressInfo).port })));
}

describe("RawConnection", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    ({ server, port } = await listen((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        switch (req.url) {
          case "/length":
            res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
            return;
          case "/chunked":
            // Multi-byte characters split across chunks, written in three pieces.
            res.writeHead(200, { "content-type": "text/plain" });
            res.write(Buffer.from("é€", "utf8").subarray(0, 3));
            setTimeout(() => {
              res.write(Buffer.from("é€", "utf8").subarray(3));
              res.end("!");
            }, 10);
            return;
          case "/close":
            res.writeHead(200, { "content-type": "text/plain", connection: "close" });
            res.end("until close");
            return;
          case "/events":
            res.writeHead(200, { "content-type": "text/event-stream" });
            res.write('data: {"id":1}\n\n');
            setTimeout(() => res.end('data: {"id":2}\n\n'), 20);
            return;
          case "/empty":
            res.writeHead(202).end();
            return;
          default:
            res.writeHead(404).end();
        }
      });
    }));
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it("reads fixed-length, chunked (UTF-8 split across chunks) and empty answers on one keep-alive socket", async () => {
    const c = await RawConnection.open("127.0.0.1", port);
    const a = await c.request("POST", "/length", "content-type: application/json\r\n", '{"ü":1}');
    expect([a.status, a.body, a.headers["content-type"]]).toEqual([200, '{"ü":1}', "application/json"]);
    const b = await c.request("GET", "/chunked", "");
    expect([b.status, b.body, b.headers["transfer-encoding"]]).toEqual([200, "é€!", "chunked"]);
    const e = await c.request("POST", "/empty", "", "{}");
    expect([e.status, e.body]).toEqual([202, ""]);
    expect(c.closed).toBe(false);
    c.close();
  });

  it("reads a close-delimited answer, and fails later requests on that socket with an error", async () => {
    const c = await RawConnection.open("127.0.0.1", port);
    const r = await c.request("GET", "/close", "");
    expect([r.status, r.body]).toEqual([200, "until close"]);
    await expect(c.request("GET", "/length", "")).rejects.toThrow(/closed/);
  });

  it("hands event-stream pieces to the watcher, resolves at its first yes, and frees the socket after the stream", async () => {
    const c = await RawConnection.open("127.0.0.1", port);
    const pieces: string[] = [];
    const r = await c.request("GET", "/events", "", undefined, (_s, _h, piece) => {
      pieces.push(piece);
      return piece.includes('"id":1');
    });
    expect([r.status, r.body]).toEqual([200, ""]);
    expect(pieces).toEqual(['data: {"id":1}\n\n']);
    // The next request waits for the stream to end, then runs on the same socket.
    const next = await c.request("POST", "/length", "", "after");
    expect(next.body).toBe("after");
    expect(pieces).toEqual(['data: {"id":1}\n\n', 'data: {"id":2}\n\n']);
    c.close();
  });
});

describe("LegacySseSession against the SDK's SSE server transport", () => {
  let server: Server;
  let port: number;
  const transports = new Map<string, SSEServerTransport>();
  beforeAll(async () => {
    ({ server, port } = await listen((req, res) => {
      if (req.method === "GET" && req.url === "/sse") {
        const transport = new SSEServerTransport("/messages", res);
        transports.set(transport.sessionId, transport);
        void createConformanceServer().connect(transport);
        return;
      }
      const id = new URL(req.url ?? "/", "http://x").searchParams.get("sessionId") ?? "";
      const transport = transports.get(id);
      if (transport === undefined) res.writeHead(404).end();
      else void transport.handlePostMessage(req, res);
    }));
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((done) => server.close(() => done()));
  });

  it("initializes over the stream, matches answers by id, and fails pending calls when the stream closes", async () => {
    const session = await LegacySseSession.open(`http://127.0.0.1:${port}/sse`);
    const [listed, called] = await Promise.all([session.call("tools/list", {}), session.call("tools/call", { name: "test_simple_text", arguments: {} })]);
    expect((listed.result?.tools as Array<{ name: string }>).map((t) => t.name)).toContain("test_simple_text");
    expect(called.result?.content).toEqual([{ type: "text", text: "This is a simple text response for testing." }]);
    const hanging = session.call("tools/call", { name: "test_tool_with_progress", arguments: {}, _meta: { progressToken: 1 } });
    server.closeAllConnections();
    await expect(hanging).rejects.toThrow(/SSE stream closed|no response/);
    await session.close();
  });
});

describe("StreamableSession when the server closes connections", () => {
  it("opens a new socket for the next call, as an HTTP agent would", async () => {
    const sockets = new Set<unknown>();
    const { server, port } = await listen((req, res) => {
      sockets.add(req.socket);
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const message = JSON.parse(body) as { id?: number; method: string };
        const headers = { "content-type": "application/json", "mcp-session-id": "s-1", connection: "close" };
        if (message.id === undefined) {
          res.writeHead(202, headers).end();
          return;
        }
        const result = message.method === "initialize" ? { protocolVersion: "2025-06-18", capabilities: {}, serverInfo: { name: "closing", version: "1" } } : { echoed: message.method };
        res.writeHead(200, headers).end(JSON.stringify({ jsonrpc: "2.0", id: message.id, result }));
      });
    });
    try {
      const session = await StreamableSession.open(`http://127.0.0.1:${port}/mcp`);
      const a = await session.call("tools/list", {});
      const b = await session.call("ping", {});
      expect([a.result, b.result]).toEqual([{ echoed: "tools/list" }, { echoed: "ping" }]);
      // initialize, initialized, tools/list, ping: each on its own socket.
      expect(sockets.size).toBe(4);
      await session.close();
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
