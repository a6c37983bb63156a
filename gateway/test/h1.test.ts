/**
 * The gateway's HTTP/1.1 server (src/http/h1/): strict framing (request smuggling vectors refused), chunked
 * bodies split anywhere, pipelining in order, 100-continue, HTTP/1.0, streamed responses, limits and timeouts,
 * and graceful closes. Raw sockets on 127.0.0.1, so every byte on the wire is what the test says.
 */
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ChunkedDecoder } from "../src/http/h1/chunked.js";
import { isHeadError, parseHead } from "../src/http/h1/head.js";
import { H1Server, type H1Handler, type H1Limits, type H1Request } from "../src/http/h1/server.js";

const servers: H1Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.close();
    s.closeAllConnections();
  }
});

/** Answers `<METHOD> <url> <body>` as a fixed-length text body; `/stream` streams three parts. */
const echo: H1Handler = (req, res) => {
  if (req.url === "/stream") {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.flushHeaders();
    res.write("one ");
    res.write("two ");
    res.end("three");
    return;
  }
  if (req.bodyTooLarge) {
    res.writeHead(413, { "content-type": "text/plain", connection: "close" }).end("too large");
    return;
  }
  res.writeHead(200, { "content-type": "text/plain" }).end(`${req.method} ${req.url} ${req.body.toString("utf8")}`);
};

async function serve(handler: H1Handler = echo, limits: Partial<H1Limits> = {}): Promise<{ port: number; server: H1Server }> {
  const server = new H1Server(handler, { maxBodyBytes: 1024, ...limits });
  servers.push(server);
  const { port } = await server.listen(0, "127.0.0.1");
  return { port, server };
}

interface Raw {
  socket: Socket;
  /** Everything received so far. */
  text: () => string;
  /** Resolves when the received text matches, or rejects after 3 s with what arrived. */
  until: (pattern: RegExp) => Promise<string>;
  closed: Promise<void>;
}

function raw(port: number): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    const waiters: Array<() => void> = [];
    const closed = new Promise<void>((done) => socket.once("close", () => done()));
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
      for (const w of waiters.splice(0)) w();
    });
    socket.on("error", () => undefined);
    socket.once("connect", () =>
      resolve({
        socket,
        text: () => received,
        closed,
        until: (pattern) =>
          new Promise((ok, fail) => {
            const timer = setTimeout(() => fail(new Error(`timed out waiting for ${pattern}; got: ${JSON.stringify(received)}`)), 3000);
            const check = () => {
              if (pattern.test(received)) {
                clearTimeout(timer);
                ok(received);
              } else waiters.push(check);
            };
            check();
          }),
      }),
    );
    socket.once("error", reject);
  });
}

const statusLines = (text: string) => [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));

describe("request heads (parseHead)", () => {
  const head = (text: string) => parseHead(text);
  const error = (text: string) => {
    const h = head(text);
    return isHeadError(h) ? `${h.status} ${h.reason}` : "ok";
  };

  it("parses method, target, version, lowercase headers, framing and keep-alive", () => {
    const h = head("POST /mcp?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\nX-Two: a\r\nx-two: b\r\nCookie: c=1\r\ncookie: d=2");
    expect(isHeadError(h)).toBe(false);
    if (isHeadError(h)) return;
    expect([h.method, h.url, h.minorVersion, h.keepAlive]).toEqual(["POST", "/mcp?x=1", 1, true]);
    expect(h.body).toEqual({ kind: "length", length: 12 });
    expect({ ...h.headers }).toEqual({ host: "a", "content-length": "12", "x-two": "a, b", cookie: "c=1; d=2" });
    const old = head("GET / HTTP/1.0\r\nConnection: keep-alive");
    expect(!isHeadError(old) && [old.minorVersion, old.keepAlive, old.body.kind]).toEqual([0, true, "none"]);
    const closing = head("GET / HTTP/1.1\r\nHost: a\r\nConnection: close");
    expect(!isHeadError(closing) && closing.keepAlive).toBe(false);
    const chunked = head("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\nExpect: 100-continue");
    expect(!isHeadError(chunked) && [chunked.body.kind, chunked.expectContinue]).toEqual(["chunked", true]);
  });

  it("refuses every ambiguous framing and malformed line with the status and reason", () => {
    expect(error("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked")).toBe("400 both Content-Length and Transfer-Encoding");
    expect(error("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6")).toBe('400 repeated "content-length" header');
    expect(error("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5")).toBe('400 repeated "content-length" header');
    expect(error("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1")).toBe("400 malformed Content-Length");
    expect(error("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10")).toBe("400 malformed Content-Length");
    expect(error("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked")).toBe('501 Transfer-Encoding "gzip, chunked" is not supported; send chunked or Content-Length');
    expect(error("POST / HTTP/1.0\r\nTransfer-Encoding: chunked")).toBe("400 Transfer-Encoding in an HTTP/1.0 request");
    expect(error("GET / HTTP/1.1\r\nHost: a\r\nHost: b")).toBe('400 repeated "host" header');
    expect(error("GET / HTTP/1.1\r\nX-A: 1")).toBe("400 HTTP/1.1 requests need a Host header");
    expect(error("GET / HTTP/1.1\r\nHost: a\r\nContent-Length : 5")).toBe('400 malformed header name "Content-Length "');
    expect(error("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n folded")).toBe("400 obsolete line folding is not accepted");
    expect(error("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\rX-B: 2")).toBe('400 bad character in header "X-A"');
    expect(error("GET / HTTP/1.1\nHost: a")).toBe("400 bare CR or LF in the request line");
    expect(error("GET /a b HTTP/1.1\r\nHost: a")).toBe("400 malformed request target");
    expect(error("G(T / HTTP/1.1\r\nHost: a")).toBe("400 malformed method");
    expect(error("GET / HTTP/2.0\r\nHost: a")).toBe("505 HTTP/2.0 is not supported; use HTTP/1.1");
    expect(error("GET / HTTQ/1.1\r\nHost: a")).toBe("400 malformed HTTP version");
    expect(error("GET / HTTP/1.1\r\nHost: a\r\nnovalue")).toBe("400 header line without a name");
  });
});

describe("chunked bodies (ChunkedDecoder)", () => {
  const wire = Buffer.from("5;ext=1\r\nhello\r\n1\r\n \r\n6\r\nworld!\r\n0\r\nTrailer: x\r\n\r\nNEXT", "latin1");

  it("decodes the same body however the bytes are split, and stops at the end of the body", () => {
    for (let split = 0; split <= wire.length; split++) {
      const decoder = new ChunkedDecoder();
      const parts: Buffer[] = [];
      const push = (d: Buffer) => parts.push(Buffer.from(d));
      let consumed = decoder.decode(wire.subarray(0, split), 0, push);
      if (!decoder.done) consumed = split + decoder.decode(wire.subarray(split), 0, push);
      expect(decoder.error).toBeUndefined();
      expect(decoder.done).toBe(true);
      expect(Buffer.concat(parts).toString()).toBe("hello world!");
      expect(wire.subarray(consumed).toString()).toBe("NEXT");
    }
  });

  it("refuses malformed sizes, missing CRLF after data and bare LF lines", () => {
    const fails = (text: string) => {
      const d = new ChunkedDecoder();
      d.decode(Buffer.from(text, "latin1"), 0, () => undefined);
      return d.error;
    };
    expect(fails("zz\r\n")).toBe("malformed chunk size");
    expect(fails("-1\r\n")).toBe("malformed chunk size");
    expect(fails("3\r\nabcX\r\n")).toBe("chunk data must be followed by CRLF");
    expect(fails("3\nabc\r\n")).toBe("chunked body lines must end in CRLF");
    expect(fails("1".repeat(2000))).toBe("chunk size line too long");
    expect(fails("1234567890abcdef0\r\n")).toBe("malformed chunk size");
  });
});

describe("the server on a socket", () => {
  it("answers pipelined requests in order on one connection", async () => {
    const { port } = await serve();
    const c = await raw(port);
    c.socket.write("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nonePOST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ntwo\r\n0\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\n");
    const text = await c.until(/GET \/c $/);
    expect(statusLines(text)).toEqual([200, 200, 200]);
    expect(text.indexOf("POST /a one")).toBeLessThan(text.indexOf("POST /b two"));
    expect(text.indexOf("POST /b two")).toBeLessThan(text.indexOf("GET /c "));
    expect(text).toMatch(/content-length: 11\r\n/);
    c.socket.destroy();
  });

  it("reads a chunked body sent in pieces, and sends 100 Continue before the body when asked", async () => {
    const { port } = await serve();
    const c = await raw(port);
    c.socket.write("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
    await c.until(/^HTTP\/1\.1 100 Continue\r\n\r\n$/);
    c.socket.write("body");
    await c.until(/POST \/x body$/);
    c.socket.write("POST /y HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab");
    await new Promise((r) => setTimeout(r, 20));
    c.socket.write("\r\n1\r\nc\r\n0\r\n\r\n");
    await c.until(/POST \/y abc$/);
    expect(statusLines(c.text())).toEqual([100, 200, 200]);
    c.socket.destroy();
  });

  it("streams with chunked coding to HTTP/1.1 and close-delimited to HTTP/1.0", async () => {
    const { port } = await serve();
    const c = await raw(port);
    c.socket.write("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
    const text = await c.until(/0\r\n\r\n$/);
    expect(text).toMatch(/transfer-encoding: chunked\r\n/);
    expect(text.slice(text.indexOf("\r\n\r\n") + 4)).toBe("4\r\none \r\n4\r\ntwo \r\n5\r\nthree\r\n0\r\n\r\n");
    c.socket.destroy();
    const old = await raw(port);
    old.socket.write("GET /stream HTTP/1.0\r\n\r\n");
    await old.closed;
    expect(old.text()).toMatch(/connection: close\r\n\r\none two three$/);
  });

  it("keeps an HTTP/1.0 keep-alive connection and closes after Connection: close", async () => {
    const { port } = await serve();
    const c = await raw(port);
    c.socket.write("GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    await c.until(/GET \/1 $/);
    expect(c.text()).toMatch(/connection: keep-alive\r\n/);
    c.socket.write("GET /2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    await c.closed;
    expect(statusLines(c.text())).toEqual([200, 200]);
    expect(c.text()).toMatch(/connection: close\r\n\r\nGET \/2 $/);
  });

  it("answers framing errors with their status, closes, and keeps serving other connections", async () => {
    const { port } = await serve();
    const cases: Array<[string, number]> = [
      ["POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc", 400],
      ["POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400],
      ["GET / HTTP/3.0\r\nHost: x\r\n\r\n", 505],
      ["POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: br\r\n\r\n", 501],
      [`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`, 431],
      [`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}`, 431],
    ];
    for (const [bytes, status] of cases) {
      const c = await raw(port);
      c.socket.write(bytes);
      await c.closed;
      expect(statusLines(c.text())).toEqual([status]);
    }
    const ok = await raw(port);
    ok.socket.write("GET /still HTTP/1.1\r\nHost: x\r\n\r\n");
    await ok.until(/GET \/still $/);
    ok.socket.destroy();
  });

  it("refuses a connection beyond maxConnections with 503 and a reason, and serves again once one closes", async () => {
    const { port, server } = await serve(echo, { maxConnections: 2 });
    const [a, b] = [await raw(port), await raw(port)];
    a.socket.write("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
    await a.until(/GET \/a $/);
    const third = await raw(port);
    await third.closed;
    expect(statusLines(third.text())).toEqual([503]);
    expect(third.text()).toMatch(/retry-after: 1\r\n[^]*The server holds its maximum of 2 connections \(http\.maxConnections\); retry shortly\.\n$/);
    b.socket.destroy();
    await b.closed;
    for (let i = 0; i < 100 && server.connectionCount >= 2; i++) await new Promise((r) => setTimeout(r, 10));
    const fourth = await raw(port);
    fourth.socket.write("GET /d HTTP/1.1\r\nHost: x\r\n\r\n");
    await fourth.until(/GET \/d $/);
    a.socket.destroy();
    fourth.socket.destroy();
  });

  it("answers a complete head with bare-LF line endings with 400 at once, not after the head timeout", async () => {
    const { port } = await serve(echo, { headersTimeoutMs: 60_000 });
    const c = await raw(port);
    c.socket.write("GET /lf HTTP/1.1\nHost: x\n\n");
    await c.closed;
    expect(statusLines(c.text())).toEqual([400]);
    expect(c.text()).toMatch(/header lines must end in CRLF \(bare LF\)\n$/);
  });

  it("refuses a too-large body unread, and the client reads the answer, not a reset", async () => {
    const seen: H1Request[] = [];
    const { port } = await serve((req, res) => {
      seen.push(req);
      echo(req, res);
    });
    const c = await raw(port);
    c.socket.write(`POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n`);
    c.socket.write("x".repeat(200_000));
    await c.closed;
    expect(statusLines(c.text())).toEqual([413]);
    expect(c.text()).toMatch(/connection: close\r\n\r\ntoo large$/);
    expect(seen.map((r) => [r.bodyTooLarge, r.body.length])).toEqual([[true, 0]]);
  });

  it("answers HEAD without a body", async () => {
    const { port } = await serve();
    const c = await raw(port);
    c.socket.write("HEAD /h HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n");
    const text = await c.until(/GET \/after $/);
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*content-length: 8\r\n\r\nHTTP\/1\.1 200 OK/);
    c.socket.destroy();
  });

  it("times out a slow head (408), closes idle keep-alive connections, and reports a client gone mid-response", async () => {
    let aborted = 0;
    const { port, server } = await serve(
      (req, res) => {
        if (req.url === "/hang") {
          res.onClose(() => (aborted += res.writableEnded ? 0 : 1));
          return;
        }
        echo(req, res);
      },
      { headersTimeoutMs: 200, keepAliveTimeoutMs: 300 },
    );
    const slow = await raw(port);
    slow.socket.write("GET / HTTP/1.1\r\nHost");
    await slow.closed;
    expect(statusLines(slow.text())).toEqual([408]);

    const idle = await raw(port);
    idle.socket.write("GET /once HTTP/1.1\r\nHost: x\r\n\r\n");
    await idle.until(/GET \/once $/);
    await idle.closed;

    const gone = await raw(port);
    gone.socket.write("GET /hang HTTP/1.1\r\nHost: x\r\n\r\n");
    await new Promise((r) => setTimeout(r, 50));
    gone.socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(aborted).toBe(1);
    expect(server.connectionCount).toBe(0);
  });

  it("sends a whole answer to a client that half-closed after its request", async () => {
    const huge = "h".repeat(8 * 1024 * 1024);
    const { port } = await serve((_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end(huge));
    const c = await raw(port);
    c.socket.end("GET /huge HTTP/1.1\r\nHost: x\r\n\r\n");
    await c.closed;
    expect(c.text().slice(c.text().indexOf("\r\n\r\n") + 4).length).toBe(huge.length);
  });

  it("close() ends idle connections at once and busy ones after their response", async () => {
    let answer: (() => void) | undefined;
    const { port, server } = await serve((req, res) => {
      if (req.url === "/slow") answer = () => res.writeHead(200).end("late");
      else echo(req, res);
    });
    const idle = await raw(port);
    const busy = await raw(port);
    busy.socket.write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
    await new Promise((r) => setTimeout(r, 50));
    server.close();
    await idle.closed;
    expect(idle.text()).toBe("");
    answer!();
    await busy.closed;
    expect(busy.text()).toMatch(/connection: close\r\n\r\nlate$/);
  });

  it("refuses CR or LF in a header value the application sets", async () => {
    const { port } = await serve((_req, res) => {
      res.writeHead(200, { "x-evil": "a\r\nset-cookie: b" }).end("x");
    });
    const c = await raw(port);
    c.socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await c.until(/HTTP\/1\.1 500/);
    expect(c.text()).not.toMatch(/set-cookie/);
    c.socket.destroy();
  });
});

/** A small seeded PRNG (mulberry32): the same cases on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("the server under arbitrary splits, garbage and clients that do not read", () => {
  const requests = [
    'POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{"a":"é"}',
    "POST /chunks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nabcd\r\n2\r\nef\r\n0\r\nT: 1\r\n\r\n",
    "GET /plain?q=1 HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n",
    "\r\nGET /after-blank HTTP/1.1\r\nHost: x\r\n\r\n",
  ];

  it("answers the same bytes however a pipelined stream of requests is cut into writes", async () => {
    const { port } = await serve();
    const rand = random(42);
    for (let round = 0; round < 25; round++) {
      const chosen = Array.from({ length: 2 + Math.floor(rand() * 4) }, () => requests[Math.floor(rand() * requests.length)]!);
      const wire = Buffer.from(chosen.join(""), "utf8");
      const c = await raw(port);
      let offset = 0;
      while (offset < wire.length) {
        const size = 1 + Math.floor(rand() * 40);
        c.socket.write(wire.subarray(offset, offset + size));
        offset += size;
        if (rand() < 0.3) await new Promise((r) => setTimeout(r, 1));
      }
      const expected = chosen.length;
      await c.until(new RegExp(`(HTTP/1\\.1 200[^]*){${expected}}`));
      await new Promise((r) => setTimeout(r, 5));
      const bodies = c.text().split(/HTTP\/1\.1 200 OK\r\n[^]*?\r\n\r\n/).slice(1);
      const want = chosen.map((r) => (r.includes("/json") ? 'POST /json {"a":"é"}' : r.includes("/chunks") ? "POST /chunks abcdef" : r.includes("/plain") ? "GET /plain?q=1 " : "GET /after-blank "));
      expect(bodies.map((b) => Buffer.from(b, "latin1").toString("utf8"))).toEqual(want);
      c.socket.destroy();
    }
  });

  it("answers random garbage heads with an error status and closes, and keeps serving", async () => {
    const { port } = await serve();
    const rand = random(7);
    const alphabet = "GETPOST /HTTP1.0:\t \r\n\u0000\u007fabc-_=;,%\"ü";
    for (let round = 0; round < 60; round++) {
      const length = 1 + Math.floor(rand() * 120);
      let text = rand() < 0.5 ? "POST / HTTP/1.1\r\nHost: x\r\n" : "";
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(rand() * alphabet.length)];
      const c = await raw(port);
      c.socket.write(Buffer.from(`${text}\r\n\r\n`, "latin1"));
      c.socket.end();
      await c.closed;
      const statuses = statusLines(c.text());
      // Either refused with a 4xx/5xx, or (rarely) a valid request answered: never silence, never a crash.
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses.every((s) => s === 200 || (s >= 400 && s < 600))).toBe(true);
    }
    const ok = await raw(port);
    ok.socket.write("GET /alive HTTP/1.1\r\nHost: x\r\n\r\n");
    await ok.until(/GET \/alive $/);
    ok.socket.destroy();
  });

  it("stops reading pipelined requests while a client does not read its answers, and answers all once it does", async () => {
    let handled = 0;
    const big = "z".repeat(256 * 1024);
    const { port } = await serve((_req, res) => {
      handled++;
      res.writeHead(200, { "content-type": "text/plain" }).end(big);
    });
    const socket = connect(port, "127.0.0.1");
    await new Promise((r) => socket.once("connect", r));
    socket.pause();
    const count = 300;
    socket.write("GET /big HTTP/1.1\r\nHost: x\r\n\r\n".repeat(count));
    await new Promise((r) => setTimeout(r, 300));
    const whileStalled = handled;
    expect(whileStalled).toBeLessThan(count / 2);
    let received = 0;
    const done = new Promise<void>((resolve) =>
      socket.on("data", (chunk: Buffer) => {
        received += chunk.length;
        if (received >= count * big.length) resolve();
      }),
    );
    socket.resume();
    await done;
    expect(handled).toBe(count);
    socket.destroy();
  });
});

describe("the server with pipelined requests", () => {
  /** Answers `/slow` after 300 ms, anything else at once, with the path as the body. */
  const delayed: H1Handler = (req, res) => {
    const answer = () => res.writeHead(200, { "content-type": "text/plain" }).end(req.url);
    if (req.url === "/slow") setTimeout(answer, 300);
    else answer();
  };
  const get = (path: string) => `GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`;

  it("handles them at once and answers in order, holding an early answer behind a slow one", async () => {
    const started: string[] = [];
    const { port } = await serve((req, res) => {
      started.push(req.url);
      delayed(req, res);
    });
    const c = await raw(port);
    c.socket.write(get("/slow") + get("/a") + get("/b"));
    await new Promise((r) => setTimeout(r, 100));
    // All three are being handled, none answered: the quick ones wait behind the slow one.
    expect(started).toEqual(["/slow", "/a", "/b"]);
    expect(c.text()).toBe("");
    const text = await c.until(/\/b$/);
    expect([...text.matchAll(/\r\n\r\n(\/(?:slow|a|b))/g)].map((m) => m[1])).toEqual(["/slow", "/a", "/b"]);
    c.socket.destroy();
  });

  it("handles at most maxPipelined of a connection at once", async () => {
    const started: string[] = [];
    const { port } = await serve((req, res) => {
      started.push(req.url);
      delayed(req, res);
    }, { maxPipelined: 2 });
    const c = await raw(port);
    c.socket.write(get("/slow") + get("/slow") + get("/c"));
    await new Promise((r) => setTimeout(r, 100));
    expect(started).toEqual(["/slow", "/slow"]);
    await c.until(/\/c$/);
    expect(statusLines(c.text())).toEqual([200, 200, 200]);
    c.socket.destroy();
  });

  it("answers a malformed request behind others after them, then closes", async () => {
    const { port } = await serve(delayed);
    const c = await raw(port);
    c.socket.write(get("/slow") + "NOT HTTP\r\n\r\n");
    await c.closed;
    expect(statusLines(c.text())).toEqual([200, 400]);
  });
});
