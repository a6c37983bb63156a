/**
 * An HTTP/1.1 client of our own on `node:net` (and `node:tls` for https), for the Streamable HTTP channel: a pool
 * of keep-alive connections per origin, one request at a time on each (never pipelined: when a connection dies,
 * which request it carried is never in doubt), and framing as strict as our server's (http/h1/): a status line and
 * header fields exactly as RFC 9112 writes them, Content-Length or chunked (never both, a Content-Length given
 * once), bounded heads; anything else ends the connection with an error. A body is streamed to the caller as it
 * arrives (SSE answers), or read to its end.
 *
 * Why not `node:http`: its per-request objects and stream machinery cost the second hop of a deployed call (the
 * central gateway -> an adapter) more than the whole first hop (see gateway/README.md, Performance).
 */
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { ChunkedDecoder } from "../http/h1/chunked.js";

const MAX_HEAD_BYTES = 64 * 1024;
/** Idle keep-alive connections close after this long (below our server's 65 s, so we are the side that closes). */
const IDLE_MS = 30_000;
const CRLF2 = Buffer.from("\r\n\r\n");
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export interface H1Response {
  status: number;
  /** Header fields by lower-case name (a repeated field: its values joined by ", "). */
  headers: Record<string, string>;
}

export interface H1Handlers {
  /** The head of the response arrived. */
  onResponse(response: H1Response): void;
  /** A piece of the body. */
  onData?(chunk: Buffer): void;
  /** The body ended (the connection goes back to the pool). */
  onEnd(): void;
  /** The request failed: `notDelivered` when it provably never reached the server (the connection was refused). */
  onError(error: Error & { notDelivered?: boolean }): void;
}

export interface H1Request {
  method: string;
  /** Path and query. */
  path: string;
  headers: Record<string, string>;
  /**
   * The request line and header lines already written out (each ending in CRLF, `host` included), in place of
   * `method`, `path` and `headers`: a caller sending many alike requests builds it once. `content-length` is added.
   */
  rawHead?: string;
  body?: string;
  handlers: H1Handlers;
}

type Framing = { kind: "length"; remaining: number } | { kind: "chunked"; decoder: ChunkedDecoder } | { kind: "close" } | { kind: "none" };

class Connection {
  private buffer: Buffer | undefined;
  private current: H1Request | undefined;
  private head: H1Response | undefined;
  private framing: Framing = { kind: "none" };
  private keepAlive = true;
  private gotBytes = false;
  /** When the connection last became idle (the client's sweep closes it after IDLE_MS). */
  idleSince = 0;
  closed = false;
  connected = false;

  constructor(
    readonly socket: Socket,
    private readonly onIdle: (c: Connection) => void,
    private readonly onGone: (c: Connection) => void,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onBytes(chunk));
    socket.on("error", (error: Error) => this.fail(error));
    socket.on("close", () => this.fail(new Error("the connection closed before the response ended")));
  }

  get busy(): boolean {
    return this.current !== undefined;
  }

  send(request: H1Request, authority: string): void {
    this.current = request;
    this.head = undefined;
    this.gotBytes = false;
    const body = request.body;
    let head: string;
    if (request.rawHead !== undefined) {
      head = request.rawHead;
      if (body !== undefined) head += `content-length: ${Buffer.byteLength(body)}\r\n`;
    } else {
      head = `${request.method} ${request.path} HTTP/1.1\r\n`;
      if (request.headers.host === undefined) head += `host: ${authority}\r\n`;
      for (const name in request.headers) head += `${name}: ${request.headers[name]}\r\n`;
      if (body !== undefined && request.headers["content-length"] === undefined) head += `content-length: ${Buffer.byteLength(body)}\r\n`;
    }
    this.socket.write(body === undefined ? `${head}\r\n` : `${head}\r\n${body}`);
  }

  private onBytes(chunk: Buffer): void {
    this.gotBytes = true;
    if (this.current === undefined) {
      this.fail(new Error("the server sent bytes with no request outstanding"));
      return;
    }
    let buf = this.buffer === undefined ? chunk : Buffer.concat([this.buffer, chunk]);
    this.buffer = undefined;
    while (buf.length > 0 && this.current !== undefined && !this.closed) {
      if (this.head === undefined) {
        const end = buf.indexOf(CRLF2);
        if (end === -1) {
          if (buf.length > MAX_HEAD_BYTES) return this.fail(new Error(`the response head exceeds ${MAX_HEAD_BYTES} bytes`));
          this.buffer = buf;
          return;
        }
        const parsed = this.parseHead(buf.toString("latin1", 0, end));
        if (parsed instanceof Error) return this.fail(parsed);
        buf = buf.subarray(end + 4);
        if (parsed.status >= 100 && parsed.status < 200) continue; // informational: the real head follows
        this.head = parsed;
        this.current.handlers.onResponse(parsed);
        if (this.framing.kind === "none") {
          this.finish();
          continue;
        }
      }
      buf = this.consumeBody(buf);
    }
    if (buf.length > 0 && !this.closed && this.current === undefined) this.fail(new Error("the server sent more than the response"));
  }

  /** Feeds body bytes to the current request; returns what is left after its end. */
  private consumeBody(buf: Buffer): Buffer {
    const handlers = this.current!.handlers;
    const framing = this.framing;
    switch (framing.kind) {
      case "length": {
        const take = Math.min(framing.remaining, buf.length);
        if (take > 0) handlers.onData?.(buf.subarray(0, take));
        framing.remaining -= take;
        if (framing.remaining === 0) this.finish();
        return buf.subarray(take);
      }
      case "chunked": {
        const at = framing.decoder.decode(buf, 0, (data) => handlers.onData?.(data));
        if (framing.decoder.error !== undefined) {
          this.fail(new Error(`malformed chunked response: ${framing.decoder.error}`));
          return Buffer.alloc(0);
        }
        if (framing.decoder.done) this.finish();
        return buf.subarray(at);
      }
      case "close":
        handlers.onData?.(buf);
        return Buffer.alloc(0);
      case "none":
        return buf;
    }
  }

  private parseHead(text: string): H1Response | Error {
    const lines = text.split("\r\n");
    const status = /^HTTP\/1\.([01]) ([1-5][0-9]{2})(?: [\t\x20-\x7e\x80-\xff]*)?$/.exec(lines[0]!);
    if (status === null) return new Error(`malformed status line ${JSON.stringify(lines[0]!.slice(0, 80))}`);
    const headers: Record<string, string> = {};
    let lengths = 0;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(":");
      const name = colon > 0 ? line.slice(0, colon) : "";
      if (!TOKEN.test(name) || line.includes("\r") || line.includes("\n")) return new Error(`malformed header line ${JSON.stringify(line.slice(0, 80))}`);
      const key = name.toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (key === "content-length") lengths += 1;
      headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
    }
    const code = Number(status[2]);
    const http10 = status[1] === "0";
    const connection = (headers.connection ?? "").toLowerCase();
    this.keepAlive = http10 ? connection.includes("keep-alive") : !connection.includes("close");
    const te = headers["transfer-encoding"];
    const cl = headers["content-length"];
    if (te !== undefined && cl !== undefined) return new Error("the response has both Transfer-Encoding and Content-Length");
    if (code < 200 || code === 204 || code === 304 || this.current!.method === "HEAD") this.framing = { kind: "none" };
    else if (te !== undefined) {
      if (te.toLowerCase() !== "chunked") return new Error(`unsupported Transfer-Encoding ${JSON.stringify(te)}`);
      this.framing = { kind: "chunked", decoder: new ChunkedDecoder() };
    } else if (cl !== undefined) {
      if (lengths !== 1 || !/^[0-9]{1,15}$/.test(cl)) return new Error(`malformed Content-Length ${JSON.stringify(cl)}`);
      const remaining = Number(cl);
      this.framing = remaining === 0 ? { kind: "none" } : { kind: "length", remaining };
    } else {
      this.framing = { kind: "close" };
      this.keepAlive = false;
    }
    return { status: code, headers };
  }

  private finish(): void {
    const request = this.current!;
    this.current = undefined;
    this.framing = { kind: "none" };
    if (!this.keepAlive) {
      this.closed = true;
      this.socket.destroy();
      this.onGone(this);
    }
    request.handlers.onEnd();
    if (this.keepAlive && !this.closed) {
      this.idleSince = Date.now();
      this.onIdle(this);
    }
  }

  /** The connection failed: the request it carried (if any) fails with the cause. */
  fail(error: Error & { notDelivered?: boolean; code?: string }): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.onGone(this);
    const request = this.current;
    this.current = undefined;
    if (request === undefined) return;
    // A close-delimited body ends with the connection.
    if (this.framing.kind === "close" && this.head !== undefined && error.message.startsWith("the connection closed")) {
      request.handlers.onEnd();
      return;
    }
    if (!this.connected && !this.gotBytes && error.code === "ECONNREFUSED") error.notDelivered = true;
    request.handlers.onError(error);
  }

  /** Gives up the request it carries, if it is `request`: the connection closes (the server sees the request cancelled), no handler runs. */
  abort(request: H1Request): boolean {
    if (this.current !== request) return false;
    this.current = undefined;
    this.close();
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.onGone(this);
  }
}

export interface H1ClientOptions {
  /** Connections open at once; further requests wait for one. @default 256 */
  maxConnections?: number;
}

/** Keep-alive HTTP/1.1 requests to one origin. */
export class H1Client {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly waiting: H1Request[] = [];
  private readonly host: string;
  private readonly port: number;
  private readonly tls: boolean;
  private readonly authority: string;
  private readonly maxConnections: number;
  private destroyed = false;
  /** Closes connections idle longer than IDLE_MS (one timer per client, not one per request). */
  private sweeper: NodeJS.Timeout | undefined;

  constructor(origin: URL, options: H1ClientOptions = {}) {
    this.tls = origin.protocol === "https:";
    this.host = origin.hostname.startsWith("[") ? origin.hostname.slice(1, -1) : origin.hostname;
    this.port = origin.port === "" ? (this.tls ? 443 : 80) : Number(origin.port);
    this.authority = origin.host;
    this.maxConnections = options.maxConnections ?? 256;
  }

  /** `host: <authority>` as this client writes it. */
  get hostHeader(): string {
    return this.authority;
  }

  /**
   * Sends a request on an idle connection, a new one, or (all busy at the maximum) the next one to free up. The
   * handle gives it up: a waiting request leaves the queue, one under way closes its connection; no handler runs.
   */
  request(request: H1Request): { abort(): void } {
    if (this.destroyed) {
      request.handlers.onError(Object.assign(new Error("the client is closed"), { notDelivered: true }));
      return { abort: () => undefined };
    }
    let on: Connection | undefined = this.idle.pop();
    if (on === undefined && this.all.size < this.maxConnections) on = this.open();
    if (on !== undefined) on.send(request, this.authority);
    else this.waiting.push(request);
    return {
      abort: () => {
        const waiting = this.waiting.indexOf(request);
        if (waiting !== -1) this.waiting.splice(waiting, 1);
        else for (const c of this.all) if (c.abort(request)) break;
      },
    };
  }

  private open(): Connection {
    const socket = this.tls ? tlsConnect({ host: this.host, port: this.port, servername: this.host, ALPNProtocols: ["http/1.1"] }) : netConnect({ host: this.host, port: this.port });
    const connection = new Connection(
      socket,
      (c) => {
        const next = this.waiting.shift();
        if (next !== undefined) c.send(next, this.authority);
        else this.idle.push(c);
      },
      (c) => {
        this.all.delete(c);
        const at = this.idle.indexOf(c);
        if (at !== -1) this.idle.splice(at, 1);
        const next = this.waiting.shift();
        if (next !== undefined) this.request(next);
      },
    );
    socket.once(this.tls ? "secureConnect" : "connect", () => (connection.connected = true));
    this.all.add(connection);
    if (this.sweeper === undefined) {
      this.sweeper = setInterval(() => {
        const before = Date.now() - IDLE_MS;
        for (const c of [...this.idle]) if (c.idleSince < before) c.close();
      }, IDLE_MS / 2);
      this.sweeper.unref();
    }
    return connection;
  }

  /** Closes every connection; requests in flight fail. */
  destroy(): void {
    this.destroyed = true;
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    for (const request of this.waiting.splice(0)) request.handlers.onError(Object.assign(new Error("the client is closed"), { notDelivered: true }));
    for (const connection of [...this.all]) connection.fail(new Error("the client is closed"));
  }
}
