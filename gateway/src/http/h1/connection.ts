/**
 * One client connection of the HTTP/1.1 server: frames requests off the socket (head, then a Content-Length or
 * chunked body, read whole and bounded) and hands each complete request to the handler.
 *
 * Pipelining: up to `maxPipelined` requests of one connection are handled at once and answered in the order they
 * came (RFC 9112 section 9.3.2). The first answer under way writes to the socket; one behind it that is ready
 * (or streaming) first is held, bounded, until every answer before it is complete. Answers completed in the same
 * turn of the event loop leave in one write (the socket is corked while more than one is under way). Reading
 * stops while `maxPipelined` are under way, while held answers exceed a bound, or while the client does not read
 * what was written (bounded memory either way).
 *
 * Errors in the framing are answered with a status, after the answers before them, and the connection is closed
 * (gracefully: FIN first, the rest of the client's bytes are drained, so the client reads the answer instead of a
 * reset).
 */
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { ChunkedDecoder } from "./chunked.js";
import { isHeadError, parseHead, type RequestHead } from "./head.js";
import { H1Response, type ResponseSink } from "./response.js";

/** A complete request, body included. */
export interface H1Request {
  readonly method: string;
  readonly url: string;
  /** Lowercase names; repeated fields joined with ", ". */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The whole body (empty when there is none, or when it was too large). */
  readonly body: Buffer;
  /** The body exceeded `maxBodyBytes`: it was not read (the connection closes after the response). */
  readonly bodyTooLarge: boolean;
  /** The address of the socket's peer (a proxy's, when there is one in front). */
  readonly remoteAddress: string;
  /**
   * The same object for every request of one connection, and for no other: what a step learned from a connection's
   * earlier requests is kept under it (a WeakMap), so it is never taken for another connection's.
   */
  readonly peer: object;
  /** Set by the application for its log lines. */
  reqId?: string;
  /** Set by the application: the stable id of the MCP session the request belongs to (never the sealed token). */
  sessionId?: string;
}

export type H1Handler = (req: H1Request, res: H1Response) => void;

export interface H1Limits {
  /** Largest body read; a larger one is refused unread. */
  maxBodyBytes: number;
  /** Largest request head (request line and headers); larger: 431. @default 16384 */
  maxHeaderBytes: number;
  /** A request head must arrive within this time of its first byte; else 408. @default 60000 */
  headersTimeoutMs: number;
  /** A whole request must arrive within this time of its first byte; else 408. @default 300000 */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. @default 65000 */
  keepAliveTimeoutMs: number;
  /** Connections open at once; a further one gets 503 and is closed. @default 4096 */
  maxConnections: number;
  /** Requests of one connection handled at once (pipelined); 1 answers one before reading the next. @default 16 */
  maxPipelined: number;
}

const CRLFCRLF = Buffer.from("\r\n\r\n", "latin1");
const CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n";
/** Time a gracefully closing connection gets to finish before it is destroyed. */
const LINGER_MS = 2000;
/** Bytes of early answers held behind a slower one before the connection stops reading further requests. */
export const MAX_HELD_BYTES = 1024 * 1024;

type Phase = "head" | "body" | "closing";

/** An answer ready (or streaming) before the ones ahead of it: its bytes, in order. */
interface Held {
  chunks: string[];
  bytes: number;
}

/** Corked connections, uncorked together once the turn's answers are written (one write per connection). */
const corked = new Set<Socket>();
let uncorkScheduled = false;
function uncorkAll(): void {
  uncorkScheduled = false;
  for (const socket of corked) socket.uncork();
  corked.clear();
}
function corkForTurn(socket: Socket): void {
  if (corked.has(socket)) return;
  socket.cork();
  corked.add(socket);
  if (!uncorkScheduled) {
    uncorkScheduled = true;
    setImmediate(uncorkAll);
  }
}

export class H1Connection implements ResponseSink {
  private phase: Phase = "head";
  private buf: Buffer | undefined;
  private head: RequestHead | undefined;
  private bodyChunks: Buffer[] = [];
  private bodyBytes = 0;
  private remaining = 0;
  private decoder: ChunkedDecoder | undefined;
  /** Answers under way, in the order of their requests; the first one writes to the socket. */
  private readonly answering: H1Response[] = [];
  /** Bytes of answers behind the first, held until it is their turn. */
  private readonly held = new Map<H1Response, Held>();
  private heldBytes = 0;
  /** A framing error answered once the answers before it are complete. */
  private failure: string | undefined;
  /** The last request read asked to close (or left its body unread): nothing after it is read. */
  private noMoreRequests = false;
  private parsing = false;
  private paused = false;
  /** When the first byte of the request being read arrived (0: none yet). */
  private requestStartedAt = 0;
  private lastActivity = Date.now();
  /** The server is closing: read nothing more, close after the answers under way. */
  private closeWhenDone = false;
  private closed = false;
  onclose?: () => void;
  private readonly remoteAddress: string;
  private readonly peer: object = {};

  constructor(
    private readonly socket: Socket,
    private readonly handler: H1Handler,
    private readonly limits: H1Limits,
  ) {
    this.remoteAddress = socket.remoteAddress ?? "";
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("drain", () => this.resumeReading());
    // The client finished sending. With an answer pending, it is gone: drop the connection (its call is cancelled
    // through the close listeners). Otherwise flush what was written (a last answer) and close.
    socket.on("end", () => (this.answering.length > 0 ? socket.destroy() : socket.end()));
    socket.on("error", () => socket.destroy());
    socket.on("close", () => this.onSocketClose());
  }

  get destroyed(): boolean {
    return this.closed || this.socket.destroyed;
  }

  bufferedBytesOf(response: H1Response): number {
    if (this.answering[0] === response) return this.socket.writableLength;
    return this.held.get(response)?.bytes ?? 0;
  }

  closesAfter(response: H1Response): boolean {
    return this.closeWhenDone && this.answering[this.answering.length - 1] === response;
  }

  /** Idle: no request being read or answered. */
  get idle(): boolean {
    return this.phase === "head" && this.answering.length === 0 && (this.buf === undefined || this.buf.length === 0);
  }

  write(data: string, from?: H1Response): void {
    if (this.destroyed) return;
    if (from === undefined || this.answering[0] === from) {
      if (this.answering.length > 1) corkForTurn(this.socket);
      this.socket.write(data, "utf8");
      return;
    }
    let held = this.held.get(from);
    if (held === undefined) this.held.set(from, (held = { chunks: [], bytes: 0 }));
    held.chunks.push(data);
    held.bytes += data.length;
    this.heldBytes += data.length;
  }

  /** Another request may be read and handled now. */
  private mayReadMore(): boolean {
    return (
      !this.closeWhenDone &&
      !this.noMoreRequests &&
      this.failure === undefined &&
      this.answering.length < this.limits.maxPipelined &&
      this.heldBytes < MAX_HELD_BYTES &&
      !this.socket.writableNeedDrain
    );
  }

  private onData(chunk: Buffer): void {
    this.lastActivity = Date.now();
    // Draining what the client still sends, or what follows a request after which the connection closes.
    if (this.phase === "closing" || this.noMoreRequests) return;
    this.buf = this.buf === undefined || this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    if (this.phase === "head" && !this.mayReadMore()) {
      // Pipelined bytes wait for answers under way; past a bound, stop reading.
      if (this.buf.length > this.limits.maxHeaderBytes + this.limits.maxBodyBytes && !this.paused) {
        this.paused = true;
        this.socket.pause();
      }
      return;
    }
    this.parse();
  }

  private consume(bytes: number): void {
    const buf = this.buf!;
    this.buf = bytes >= buf.length ? undefined : buf.subarray(bytes);
  }

  private parse(): void {
    if (this.parsing) return;
    this.parsing = true;
    try {
      let progress = true;
      while (progress && this.buf !== undefined && this.buf.length > 0) {
        if (this.phase === "body") progress = this.readBody();
        else if (this.phase === "head" && this.mayReadMore()) progress = this.readHead();
        else break;
      }
    } finally {
      this.parsing = false;
    }
  }

  /** Reads a request head off the buffer; false when more bytes are needed (or the connection failed). */
  private readHead(): boolean {
    const buf = this.buf!;
    if (this.requestStartedAt === 0) this.requestStartedAt = Date.now();
    // Tolerate the blank lines some clients send between requests (RFC 9112 section 2.2).
    let start = 0;
    while (start + 1 < buf.length && buf[start] === 0x0d && buf[start + 1] === 0x0a) start += 2;
    if (start > 0) {
      this.consume(start);
      return true;
    }
    const end = buf.indexOf(CRLFCRLF);
    if (end === -1 ? buf.length > this.limits.maxHeaderBytes : end > this.limits.maxHeaderBytes) {
      this.fail(431, "the request head is larger than the server accepts");
      return false;
    }
    if (end === -1) {
      // A head with bare-LF line endings never contains CRLF CRLF: refuse it now instead of waiting for the timeout.
      if (hasBareLf(buf)) {
        this.fail(400, "header lines must end in CRLF (bare LF)");
        return false;
      }
      return false;
    }
    const head = parseHead(buf.toString("latin1", 0, end));
    this.consume(end + 4);
    if (isHeadError(head)) {
      this.fail(head.status, head.reason);
      return false;
    }
    this.head = head;
    this.bodyChunks = [];
    this.bodyBytes = 0;
    switch (head.body.kind) {
      case "none":
        this.dispatch(false);
        break;
      case "length":
        if (head.body.length > this.limits.maxBodyBytes) {
          this.dispatch(true);
          break;
        }
        this.remaining = head.body.length;
        this.phase = "body";
        if (head.expectContinue && (this.buf?.length ?? 0) < this.remaining) this.continueRequest();
        break;
      case "chunked":
        this.decoder = new ChunkedDecoder();
        this.phase = "body";
        if (head.expectContinue && (this.buf?.length ?? 0) === 0) this.continueRequest();
    }
    return true;
  }

  /** Reads body bytes off the buffer (always makes progress on a non-empty buffer). */
  private readBody(): boolean {
    const buf = this.buf!;
    if (this.decoder === undefined) {
      const take = Math.min(this.remaining, buf.length);
      this.bodyChunks.push(take === buf.length ? buf : buf.subarray(0, take));
      this.bodyBytes += take;
      this.remaining -= take;
      this.consume(take);
      if (this.remaining === 0) this.dispatch(false);
      return true;
    }
    const decoder = this.decoder;
    const offset = decoder.decode(buf, 0, (data) => {
      this.bodyChunks.push(data);
      this.bodyBytes += data.length;
    });
    this.consume(offset);
    if (decoder.error !== undefined) {
      this.fail(400, decoder.error);
      return false;
    }
    if (this.bodyBytes > this.limits.maxBodyBytes) {
      this.bodyChunks = [];
      this.dispatch(true);
    } else if (decoder.done) this.dispatch(false);
    return true;
  }

  /**
   * `100 Continue`, only when no answer is under way: it would reach the client ahead of them. A pipelining client
   * that waits for it sends its body when its wait ends (RFC 9110 section 10.1.1).
   */
  private continueRequest(): void {
    if (this.answering.length === 0) this.write(CONTINUE);
  }

  private dispatch(tooLarge: boolean): void {
    const head = this.head!;
    this.decoder = undefined;
    this.phase = "head";
    this.requestStartedAt = 0;
    const body = tooLarge || this.bodyChunks.length === 0 ? EMPTY : this.bodyChunks.length === 1 ? this.bodyChunks[0]! : Buffer.concat(this.bodyChunks);
    this.bodyChunks = [];
    const req: H1Request = {
      method: head.method,
      url: head.url,
      headers: head.headers,
      body,
      bodyTooLarge: tooLarge,
      remoteAddress: this.remoteAddress,
      peer: this.peer,
    };
    // A body left unread (too large) cannot be skipped safely: the connection closes after the answer.
    const close = tooLarge || !head.keepAlive;
    if (close) {
      this.noMoreRequests = true;
      this.buf = undefined;
    }
    const res = new H1Response(this, { method: head.method, minorVersion: head.minorVersion, close });
    this.answering.push(res);
    try {
      this.handler(req, res);
    } catch {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" }).end("Internal Server Error");
      else this.socket.destroy();
    }
  }

  /** An answer is complete: it leaves now if it is the first under way, else when those before it are done. */
  responseDone(response: H1Response): void {
    if (this.answering[0] === response) this.advance();
  }

  /** Retires the complete answers at the front, hands the socket to the next one (its held bytes first). */
  private advance(): void {
    const answering = this.answering;
    while (answering.length > 0 && answering[0]!.writableEnded) {
      const done = answering.shift()!;
      this.lastActivity = Date.now();
      done.settle(true);
      if (this.destroyed) return;
      if (done.closesConnection || (this.closeWhenDone && answering.length === 0)) {
        this.closeGracefully();
        return;
      }
      const next = answering[0];
      const held = next === undefined ? undefined : this.held.get(next);
      if (held !== undefined) {
        this.held.delete(next!);
        this.heldBytes -= held.bytes;
        if (answering.length > 1 || held.chunks.length > 1) corkForTurn(this.socket);
        for (const chunk of held.chunks) this.socket.write(chunk, "utf8");
      }
    }
    if (answering.length === 0 && this.failure !== undefined) {
      this.writeFailure(this.failure);
      return;
    }
    this.resumeReading();
  }

  private resumeReading(): void {
    if (this.phase === "closing" || this.destroyed || !this.mayReadMore()) return;
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
    this.parse();
  }

  /** Answers a framing error (after the answers under way) and closes. */
  private fail(status: number, reason: string): void {
    const body = `${reason}\n`;
    const answer = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
    this.buf = undefined;
    this.noMoreRequests = true;
    if (this.answering.length > 0) this.failure = answer;
    else this.writeFailure(answer);
  }

  private writeFailure(answer: string): void {
    this.failure = undefined;
    this.write(answer);
    this.closeGracefully();
  }

  /** FIN after what was written; what the client still sends is read and dropped; destroyed after a grace time. */
  private closeGracefully(): void {
    this.phase = "closing";
    this.buf = undefined;
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
    this.socket.end();
    setTimeout(() => this.socket.destroy(), LINGER_MS).unref();
  }

  /** Timeouts, checked by the server's sweeper. */
  check(now: number): void {
    if (this.destroyed) return;
    if (this.phase === "head" && this.requestStartedAt !== 0 && now - this.requestStartedAt > this.limits.headersTimeoutMs) {
      this.fail(408, "the request head did not arrive in time");
    } else if (this.phase === "body" && now - this.requestStartedAt > this.limits.requestTimeoutMs) {
      this.fail(408, "the request body did not arrive in time");
    } else if (this.phase === "head" && this.answering.length === 0 && this.requestStartedAt === 0 && now - this.lastActivity > this.limits.keepAliveTimeoutMs) {
      // Idle, or waiting for a client that does not read its answers.
      this.socket.destroy();
    }
  }

  /** The server is closing: idle connections close now, busy ones after the answers under way (nothing more is read). */
  shutdown(): void {
    this.closeWhenDone = true;
    if (this.idle) this.socket.destroy();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onSocketClose(): void {
    if (this.closed) return;
    this.closed = true;
    corked.delete(this.socket);
    this.held.clear();
    for (const response of this.answering.splice(0)) response.settle(false);
    this.onclose?.();
  }
}

const EMPTY = Buffer.alloc(0);

/** Does `buf` hold an LF not preceded by CR? */
function hasBareLf(buf: Buffer): boolean {
  for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) if (i === 0 || buf[i - 1] !== 0x0d) return true;
  return false;
}
