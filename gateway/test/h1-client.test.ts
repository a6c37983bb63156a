/**
 * The upstream HTTP/1.1 client (upstream/h1-client.ts) against a raw TCP server on loopback that answers byte by
 * byte as each test scripts it: keep-alive reuse, one request at a time per connection (a second concurrent request
 * opens a second connection), Content-Length, chunked and close-delimited bodies (even split at every byte),
 * streaming of chunks as they come, and strict framing: both Content-Length and Transfer-Encoding, a repeated
 * Content-Length, an unknown transfer coding, a malformed status or header line are errors; a refused connection
 * says the request never reached the server.
 */
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { H1Client, type H1Response } from "../src/upstream/h1-client.js";
import { freePort } from "./helpers.js";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A server answering each request (head read whole) with `answer(requestText, socket)`. */
async function serve(answer: (request: string, socket: Socket) => void): Promise<{ url: URL; connections: () => number; requests: string[] }> {
  let count = 0;
  const requests: string[] = [];
  const server = createServer((socket) => {
    count += 1;
    let buffer = "";
    socket.on("data", (chunk) => {
      buffer += chunk.toString("latin1");
      for (;;) {
        const end = buffer.indexOf("\r\n\r\n");
        if (end === -1) return;
        const length = Number(/content-length: (\d+)/i.exec(buffer.slice(0, end))?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        const request = buffer.slice(0, end + 4 + length);
        buffer = buffer.slice(end + 4 + length);
        requests.push(request);
        answer(request, socket);
      }
    });
    socket.on("error", () => undefined);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`), connections: () => count, requests };
}

interface Result {
  response?: H1Response;
  body: string;
  chunks: number;
  error?: Error & { notDelivered?: boolean };
}
function send(client: H1Client, body = "{}", pipeline?: string | true): Promise<Result> {
  return new Promise((resolve) => {
    const result: Result = { body: "", chunks: 0 };
    client.request({
      method: "POST",
      path: "/mcp",
      headers: { "content-type": "application/json" },
      body,
      ...(pipeline === undefined ? {} : { pipeline }),
      handlers: {
        onResponse: (r) => (result.response = r),
        onData: (c) => {
          result.body += c.toString("utf8");
          result.chunks += 1;
        },
        onEnd: () => resolve(result),
        onError: (e) => resolve({ ...result, error: e }),
      },
    });
  });
}

const ok = (body: string, extra = "") => `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

describe("the upstream HTTP/1.1 client", () => {
  it("keeps one connection alive for sequential requests, and opens a second for a concurrent one (no pipelining)", async () => {
    const server = await serve((request, socket) => {
      const delay = request.includes('"slow"') ? 150 : 0;
      setTimeout(() => socket.write(ok(`{"echo":${request.slice(request.indexOf("\r\n\r\n") + 4)}}`)), delay);
    });
    const client = new H1Client(server.url);
    for (let i = 0; i < 3; i++) expect((await send(client, `{"n":${i}}`)).body).toBe(`{"echo":{"n":${i}}}`);
    expect(server.connections()).toBe(1);
    const [slow, quick] = await Promise.all([send(client, '{"slow":1}'), send(client, '{"quick":1}')]);
    expect([slow.body, quick.body]).toEqual(['{"echo":{"slow":1}}', '{"echo":{"quick":1}}']);
    expect(server.connections()).toBe(2);
    expect(server.requests[0]).toMatch(/^POST \/mcp HTTP\/1\.1\r\nhost: 127\.0\.0\.1:\d+\r\ncontent-type: application\/json\r\ncontent-length: 7\r\n\r\n\{"n":0\}$/);
    client.destroy();
  });

  it("reads chunked and close-delimited bodies split at every byte, streaming chunks as they arrive", async () => {
    const chunked = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n7\r\ndata: a\r\n9\r\n\n\ndata: b\r\n0\r\n\r\n";
    const server = await serve((request, socket) => {
      const text = request.includes("close") ? "HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nuntil the end" : chunked;
      let i = 0;
      const drip = () => {
        if (i < text.length) {
          socket.write(text[i++]!);
          setImmediate(drip);
        } else if (request.includes("close")) socket.end();
      };
      drip();
    });
    const client = new H1Client(server.url);
    const streamed = await send(client);
    expect(streamed.response?.headers["content-type"]).toBe("text/event-stream");
    expect(streamed.error).toBeUndefined();
    expect(streamed.body).toBe("data: a\n\ndata: b");
    expect(streamed.chunks).toBeGreaterThan(2);
    expect((await send(client, '"close"')).body).toBe("until the end");
    client.destroy();
  });

  it.each([
    ["both Content-Length and Transfer-Encoding", "HTTP/1.1 200 OK\r\ncontent-length: 2\r\ntransfer-encoding: chunked\r\n\r\n{}", "the response has both Transfer-Encoding and Content-Length"],
    ["a repeated Content-Length", "HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 2\r\n\r\n{}", 'malformed Content-Length "2, 2"'],
    ["an unknown transfer coding", "HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\n", 'unsupported Transfer-Encoding "gzip"'],
    ["a malformed status line", "HTTP/1.1 OK\r\n\r\n", 'malformed status line "HTTP/1.1 OK"'],
    ["whitespace before a colon", "HTTP/1.1 200 OK\r\ncontent-length : 2\r\n\r\n{}", 'malformed header line "content-length : 2"'],
    ["a malformed chunk", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n", "malformed chunked response: malformed chunk size"],
  ])("refuses %s, closing the connection", async (_name, bytes, message) => {
    const server = await serve((_request, socket) => socket.write(bytes));
    const client = new H1Client(server.url);
    const result = await send(client);
    expect(result.error?.message).toBe(message);
    expect(result.error?.notDelivered).toBeUndefined();
    client.destroy();
  });

  it("says a refused connection never delivered the request, and a connection lost mid-answer did", async () => {
    const closed = new H1Client(new URL(`http://127.0.0.1:${await freePort()}/mcp`));
    const refused = await send(closed);
    expect(refused.error).toMatchObject({ code: "ECONNREFUSED", notDelivered: true });
    const server = await serve((_request, socket) => {
      socket.write("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n{");
      socket.destroy();
    });
    const lost = await send(new H1Client(server.url));
    expect(lost.error?.message).toBe("the connection closed before the response ended");
    expect(lost.error?.notDelivered).toBeUndefined();
  });
});

describe("the upstream HTTP/1.1 client when it pipelines", () => {
  const echo = (request: string, socket: Socket) => socket.write(ok(`{"echo":${request.slice(request.indexOf("\r\n\r\n") + 4)}}`));

  it("sends the requests of one turn on one connection and hands each its own answer, in order", async () => {
    const server = await serve(echo);
    const client = new H1Client(server.url, { pipelining: true });
    const results = await Promise.all([0, 1, 2, 3, 4].map((n) => send(client, `{"n":${n}}`, true)));
    expect(results.map((r) => r.body)).toEqual([0, 1, 2, 3, 4].map((n) => `{"echo":{"n":${n}}}`));
    expect(server.connections()).toBe(1);
    client.destroy();
  });

  it("sends a kind alone until one of its answers came back quickly, and never pipelines without the option", async () => {
    const server = await serve(echo);
    const client = new H1Client(server.url, { pipelining: true });
    await Promise.all([send(client, "{}", "tools/call a"), send(client, "{}", "tools/call a")]);
    expect(server.connections()).toBe(2);
    await Promise.all([0, 1, 2, 3].map(() => send(client, "{}", "tools/call a")));
    expect(server.connections()).toBe(2);
    client.destroy();
    const plain = await serve(echo);
    const off = new H1Client(plain.url);
    await Promise.all([0, 1, 2].map(() => send(off, "{}", true)));
    expect(plain.connections()).toBe(3);
    off.destroy();
  });

  it("fails the requests behind an answer that closes the connection as not delivered", async () => {
    let answered = 0;
    const server = await serve((_request, socket) => {
      answered += 1;
      if (answered === 1) socket.write(ok('{"first":1}', "connection: close\r\n"));
    });
    const client = new H1Client(server.url, { pipelining: true });
    const [first, second, third] = await Promise.all([0, 1, 2].map(() => send(client, "{}", true)));
    expect(first!.body).toBe('{"first":1}');
    expect(second!.error?.notDelivered).toBe(true);
    expect(third!.error?.notDelivered).toBe(true);
    client.destroy();
  });
});
