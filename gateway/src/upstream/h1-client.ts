/**
 * An HTTP/1.1 client of our own on `node:net` (and `node:tls` for https), for the Streamable HTTP channel: a pool
 * of keep-alive connections per origin, and framing as strict as our server's (http/h1/): a status line and
 * header fields exactly as RFC 9112 writes them, Content-Length or chunked (never both, a Content-Length given
 * once), bounded heads; anything else ends the connection with an error. A body is streamed to the caller as it
 * arrives (SSE answers), or read to its end.
 *
 * One request at a time on a connection, unless the client pipelines (`pipelining`, for a server known to handle
 * pipelined requests at once: our own gateway in an adapter pod). Then requests marked `pipeline` that start in
 * the same turn of the event loop leave together, in one write on one connection, and their answers come back in
 * order. Only quick kinds are pipelined (an answer behind a slow one waits for it): a kind is sent alone until its
 * answers are seen to come back within `PIPELINE_BELOW_MS`. When a pipelining connection dies, the requests it
 * carried fail (the ones the server said it would not read, behind a `connection: close` answer, as not delivered).
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
/** A kind of request is pipelined while its answers come back faster than this (a decaying maximum). */
export const PIPELINE_BELOW_MS = 50;
/** How fast a kind's slowest answer is forgotten, per answer of that kind. */
const ANSWER_MS_DECAY = 0.98;
/** Kinds whose answer times are kept; past it, a kind not yet seen is sent alone. */
const MAX_KINDS = 1024;

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
  /**
   * May be pipelined (with `pipelining` on): `true` for a request answered at once whatever it is (a notification,
   * a response), or a kind (a method, a tool) pipelined once its answers are seen to be quick.
   */
  pipeline?: string | true;
  handlers: H1Handlers;
}

/** A request on a connection, waiting for its answer. */
interface Sent {
  request: H1Request;
  sentAt: number;
}

/** The handlers of a request given up while others are pipelined behind it: its answer is read and dropped. */
const DROPPED: H1Handlers = { onResponse: () => undefined, onEnd: () => undefined, onError: () => undefined };

type Framing = { kind: "length"; remaining: number } | { kind: "chunked"; decoder: ChunkedDecoder } | { kind: "close" } | { kind: "none" };

class Connection {
  private buffer: Buffer | undefined;
  /** Requests sent, in order; the first is the one being answered. */
  readonly queue: Sent[] = [];
  /** Requests of this turn not written yet (they leave in one write). */
  private unsent = "";
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
    private readonly onAnswered: (sent: Sent) => void,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onBytes(chunk));
    socket.on("error", (error: Error) => this.fail(error));
    socket.on("close", () => this.fail(new Error("the connection closed before the response ended")));
  }

  get busy(): boolean {
    return this.queue.length > 0;
  }

  /** Every request on it may be pipelined (and so may one more behind them). */
  get pipelined(): boolean {
    for (const sent of this.queue) if (sent.request.pipeline === undefined) return false;
    return this.keepAlive && !this.closed;
  }

  /** Sends `request`, now or (`batched`) with the rest of this turn's at `flush`. */
  send(request: H1Request, authority: string, batched = false): void {
    if (this.queue.length === 0) {
      this.head = undefined;
      this.gotBytes = false;
    }
    this.queue.push({ request, sentAt: Date.now() });
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
    const bytes = body === undefined ? `${head}\r\n` : `${head}\r\n${body}`;
    if (batched) this.unsent += bytes;
    else this.socket.write(bytes);
  }

  /** Writes this turn's requests. */
  flush(): void {
    if (this.unsent === "") return;
    const bytes = this.unsent;
    this.unsent = "";
    if (!this.closed) this.socket.write(bytes);
  }

  private onBytes(chunk: Buffer): void {
    this.gotBytes = true;
    if (this.queue.length === 0) {
      this.fail(new Error("the server sent bytes with no request outstanding"));
      return;
    }
    let buf = this.buffer === undefined ? chunk : Buffer.concat([this.buffer, chunk]);
    this.buffer = undefined;
    while (buf.length > 0 && this.queue.length > 0 && !this.closed) {
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
        this.queue[0]!.request.handlers.onResponse(parsed);
        if (this.framing.kind === "none") {
          this.finish();
          continue;
        }
      }
      buf = this.consumeBody(buf);
    }
    if (buf.length > 0 && !this.closed && this.queue.length === 0) this.fail(new Error("the server sent more than the response"));
  }

  /** Feeds body bytes to the current request; returns what is left after its end. */
  private consumeBody(buf: Buffer): Buffer {
    const handlers = this.queue[0]!.request.handlers;
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
    if (code < 200 || code === 204 || code === 304 || this.queue[0]!.request.method === "HEAD") this.framing = { kind: "none" };
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
    const sent = this.queue.shift()!;
    this.framing = { kind: "none" };
    this.head = undefined;
    let behind: Sent[] = [];
    if (!this.keepAlive) {
      this.closed = true;
      this.socket.destroy();
      this.onGone(this);
      // The server reads nothing after an answer that closes (RFC 9112 section 9.6): the requests behind it were not.
      behind = this.queue.splice(0);
    }
    this.onAnswered(sent);
    sent.request.handlers.onEnd();
    for (const { request } of behind) request.handlers.onError(Object.assign(new Error("the server closed the connection before reading this request"), { notDelivered: true }));
    if (this.keepAlive && !this.closed && this.queue.length === 0) {
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
    const lost = this.queue.splice(0);
    if (lost.length === 0) return;
    // A close-delimited body ends with the connection.
    if (this.framing.kind === "close" && this.head !== undefined && error.message.startsWith("the connection closed")) {
      lost[0]!.request.handlers.onEnd();
      return;
    }
    if (!this.connected && !this.gotBytes && error.code === "ECONNREFUSED") error.notDelivered = true;
    for (const { request } of lost) request.handlers.onError(error);
  }

  /**
   * Gives up `request` if this connection carries it; no handler of it runs. Alone, the connection closes (the
   * server sees the request cancelled); with others pipelined beside it, its answer is read and dropped.
   */
  abort(request: H1Request): boolean {
    const at = this.queue.findIndex((sent) => sent.request === request);
    if (at === -1) return false;
    if (this.queue.length === 1) {
      this.queue.length = 0;
      this.close();
    } else {
      this.queue[at]!.request = { ...request, handlers: DROPPED };
    }
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
  /** Pipeline requests marked `pipeline` (only toward a server that handles pipelined requests at once). @default false */
  pipelining?: boolean;
  /** Requests on one pipelining connection at once. @default 16 */
  maxPipelined?: number;
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
  private readonly pipelining: boolean;
  private readonly maxPipelined: number;
  /** The connection this turn's pipelined requests go on, and every one with requests to write at the turn's end. */
  private batch: Connection | undefined;
  private readonly batches: Connection[] = [];
  /** The slowest recent answer of each kind of request, in ms (a decaying maximum). */
  private readonly answerMs = new Map<string, number>();
  private destroyed = false;
  /** Closes connections idle longer than IDLE_MS (one timer per client, not one per request). */
  private sweeper: NodeJS.Timeout | undefined;

  constructor(origin: URL, options: H1ClientOptions = {}) {
    this.tls = origin.protocol === "https:";
    this.host = origin.hostname.startsWith("[") ? origin.hostname.slice(1, -1) : origin.hostname;
    this.port = origin.port === "" ? (this.tls ? 443 : 80) : Number(origin.port);
    this.authority = origin.host;
    this.maxConnections = options.maxConnections ?? 256;
    this.pipelining = options.pipelining ?? false;
    this.maxPipelined = options.maxPipelined ?? 16;
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
    if (this.pipelining && request.pipeline !== undefined && this.quick(request.pipeline)) this.pipeline(request);
    else {
      let on: Connection | undefined = this.idle.pop();
      if (on === undefined && this.all.size < this.maxConnections) on = this.open();
      if (on !== undefined) on.send(request, this.authority);
      else this.waiting.push(request);
    }
    return {
      abort: () => {
        const waiting = this.waiting.indexOf(request);
        if (waiting !== -1) this.waiting.splice(waiting, 1);
        else for (const c of this.all) if (c.abort(request)) break;
      },
    };
  }

  /** Are answers of this kind quick enough to pipeline? A kind not seen yet goes alone (its answer is timed). */
  private quick(kind: string | true): boolean {
    if (kind === true) return true;
    const ms = this.answerMs.get(kind);
    return ms !== undefined && ms < PIPELINE_BELOW_MS;
  }

  private answered(sent: Sent): void {
    const kind = sent.request.pipeline;
    if (typeof kind !== "string") return;
    const ms = Date.now() - sent.sentAt;
    const before = this.answerMs.get(kind);
    if (before === undefined && this.answerMs.size >= MAX_KINDS) return;
    this.answerMs.set(kind, before === undefined ? ms : Math.max(ms, before * ANSWER_MS_DECAY));
  }

  /** Sends a pipelinable request with this turn's others: on the turn's connection while it has room, else on a new batch. */
  private pipeline(request: H1Request): void {
    let on = this.batch;
    if (on === undefined || on.closed || on.queue.length >= this.maxPipelined) {
      on = this.idle.pop();
      if (on === undefined) on = this.all.size < this.maxConnections ? this.open() : this.leastQueued();
      if (on === undefined) {
        this.waiting.push(request);
        return;
      }
      this.startBatch(on);
    }
    on.send(request, this.authority, true);
  }

  /** The pipelining connection with the fewest requests on it, if one has room. */
  private leastQueued(): Connection | undefined {
    let best: Connection | undefined;
    for (const c of this.all) if (c.queue.length < this.maxPipelined && (best === undefined || c.queue.length < best.queue.length) && c.pipelined) best = c;
    return best;
  }

  private startBatch(on: Connection): void {
    this.batch = on;
    if (this.batches.length === 0) setImmediate(() => this.flushBatches());
    if (!this.batches.includes(on)) this.batches.push(on);
  }

  private flushBatches(): void {
    this.batch = undefined;
    for (const c of this.batches.splice(0)) c.flush();
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
        if (this.batch === c) this.batch = undefined;
        const next = this.waiting.shift();
        if (next !== undefined) this.request(next);
      },
      (sent) => this.answered(sent),
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
