/**
 * One client connection of the HTTP/1.1 server: frames requests off the socket (head, then a Content-Length or
 * chunked body, read whole and bounded), hands each complete request to the handler, and answers them one at a
 * time in order (pipelined requests wait, unparsed, until the response before them is complete).
 *
 * Errors in the framing are answered with a status and the connection is closed (gracefully: FIN first, the
 * rest of the client's bytes are drained, so the client reads the answer instead of a reset).
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
}

const CRLFCRLF = Buffer.from("\r\n\r\n", "latin1");
const CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n";
/** Time a gracefully closing connection gets to finish before it is destroyed. */
const LINGER_MS = 2000;

type Phase = "head" | "body" | "waiting" | "closing";

export class H1Connection implements ResponseSink {
  private phase: Phase = "head";
  private buf: Buffer | undefined;
  private head: RequestHead | undefined;
  private bodyChunks: Buffer[] = [];
  private bodyBytes = 0;
  private remaining = 0;
  private decoder: ChunkedDecoder | undefined;
  private current: H1Response | undefined;
  private parsing = false;
  private paused = false;
  /** When the first byte of the request being read arrived (0: none yet). */
  private requestStartedAt = 0;
  private lastActivity = Date.now();
  /** The server is closing: close after the current response. */
  private closeWhenDone = false;
  private closed = false;
  onclose?: () => void;
  private readonly remoteAddress: string;

  constructor(
    private readonly socket: Socket,
    private readonly handler: H1Handler,
    private readonly limits: H1Limits,
  ) {
    this.remoteAddress = socket.remoteAddress ?? "";
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    // The client finished sending. With an answer pending, it is gone: drop the connection (its call is cancelled
    // through the close listeners). Otherwise flush what was written (a last answer) and close.
    socket.on("end", () => (this.current !== undefined ? socket.destroy() : socket.end()));
    socket.on("error", () => socket.destroy());
    socket.on("close", () => this.onSocketClose());
  }

  get destroyed(): boolean {
    return this.closed || this.socket.destroyed;
  }

  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  get closing(): boolean {
    return this.closeWhenDone;
  }

  /** Idle: no request being read or answered. */
  get idle(): boolean {
    return this.phase === "head" && this.current === undefined && (this.buf === undefined || this.buf.length === 0);
  }

  write(data: string): void {
    if (!this.destroyed) this.socket.write(data, "utf8");
  }

  private onData(chunk: Buffer): void {
    this.lastActivity = Date.now();
    if (this.phase === "closing") return; // draining what the client still sends
    this.buf = this.buf === undefined || this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    if (this.phase === "waiting") {
      // Pipelined bytes wait for the response in progress; past a bound, stop reading.
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
      while (progress && this.buf !== undefined && this.buf.length > 0 && (this.phase === "head" || this.phase === "body")) {
        progress = this.phase === "head" ? this.readHead() : this.readBody();
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
        if (head.expectContinue && (this.buf?.length ?? 0) < this.remaining) this.write(CONTINUE);
        break;
      case "chunked":
        this.decoder = new ChunkedDecoder();
        this.phase = "body";
        if (head.expectContinue && (this.buf?.length ?? 0) === 0) this.write(CONTINUE);
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

  private dispatch(tooLarge: boolean): void {
    const head = this.head!;
    this.decoder = undefined;
    this.phase = "waiting";
    const body = tooLarge || this.bodyChunks.length === 0 ? EMPTY : this.bodyChunks.length === 1 ? this.bodyChunks[0]! : Buffer.concat(this.bodyChunks);
    this.bodyChunks = [];
    const req: H1Request = {
      method: head.method,
      url: head.url,
      headers: head.headers,
      body,
      bodyTooLarge: tooLarge,
      remoteAddress: this.remoteAddress,
    };
    // A body left unread (too large) cannot be skipped safely: the connection closes after the answer.
    const res = new H1Response(this, { method: head.method, minorVersion: head.minorVersion, close: tooLarge || !head.keepAlive || this.closeWhenDone });
    this.current = res;
    try {
      this.handler(req, res);
    } catch {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" }).end("Internal Server Error");
      else this.socket.destroy();
    }
  }

  responseDone(response: H1Response, close: boolean): void {
    if (this.current !== response) return;
    this.current = undefined;
    this.requestStartedAt = 0;
    this.lastActivity = Date.now();
    response.settle(true);
    if (this.destroyed) return;
    if (close || this.closeWhenDone) {
      this.closeGracefully();
      return;
    }
    this.phase = "head";
    if (this.socket.writableNeedDrain) {
      // A client that pipelines without reading its answers: no next request until it reads (bounded memory).
      this.phase = "waiting";
      this.socket.once("drain", () => {
        if (this.phase !== "waiting" || this.current !== undefined) return;
        this.phase = "head";
        this.resumeReading();
      });
      return;
    }
    this.resumeReading();
  }

  private resumeReading(): void {
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
    this.parse();
  }

  /** Answers a framing error and closes. */
  private fail(status: number, reason: string): void {
    this.phase = "closing";
    this.buf = undefined;
    const body = `${reason}\n`;
    this.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
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
    } else if ((this.idle || (this.phase === "waiting" && this.current === undefined)) && now - this.lastActivity > this.limits.keepAliveTimeoutMs) {
      // Idle, or waiting for a client that does not read its answers.
      this.socket.destroy();
    }
  }

  /** The server is closing: idle connections close now, busy ones after their response. */
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
    const current = this.current;
    this.current = undefined;
    current?.settle(false);
    this.onclose?.();
  }
}

const EMPTY = Buffer.alloc(0);

/** Does `buf` hold an LF not preceded by CR? */
function hasBareLf(buf: Buffer): boolean {
  for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) if (i === 0 || buf[i - 1] !== 0x0d) return true;
  return false;
}
