/**
 * The response to one HTTP/1.1 request: a fixed-length body sent in one write (status line, headers and body
 * together), or a stream (SSE) sent with chunked transfer coding (close-delimited for HTTP/1.0 clients).
 */
import { STATUS_CODES } from "node:http";

export type HeaderValues = Record<string, string | number>;

/** What a response needs of its connection. */
export interface ResponseSink {
  readonly destroyed: boolean;
  /** The connection closes after `response` (the server is shutting down and it is the last answer under way). */
  closesAfter(response: H1Response): boolean;
  /**
   * Bytes `response` wrote that have not reached the kernel yet (the client is not reading fast enough when this
   * grows), or that are held behind answers before it.
   */
  bufferedBytesOf(response: H1Response): number;
  destroy(): void;
  /** Writes `response`'s bytes: to the socket when it is the first answer under way, else held until its turn. */
  write(data: string, from: H1Response): void;
  /** The response is complete (`closesConnection`: end the connection after it). */
  responseDone(response: H1Response): void;
}

export interface ResponseContext {
  method: string;
  minorVersion: 0 | 1;
  /** The connection must close after this response (client asked, body unread, server closing). */
  close: boolean;
}

let dateMs = 0;
let dateText = "";
function httpDate(): string {
  const now = Date.now();
  if (now - dateMs >= 1000) {
    dateMs = now - (now % 1000);
    dateText = new Date(dateMs).toUTCString();
  }
  return dateText;
}

export class H1Response {
  statusCode = 200;
  private headerLines = "";
  private hasLength = false;
  private started = false;
  private chunked = false;
  private closeAfter: boolean;
  private done = false;
  private closed = false;
  private readonly closeListeners: Array<() => void> = [];
  private finishListeners: Array<() => void> | undefined;

  constructor(
    private readonly sink: ResponseSink,
    private readonly context: ResponseContext,
  ) {
    this.closeAfter = context.close;
  }

  /** The status line and headers went out. */
  get headersSent(): boolean {
    return this.started;
  }

  /** The connection is gone: nothing more reaches the client. */
  get destroyed(): boolean {
    return this.sink.destroyed;
  }

  /** Bytes of this response waiting to be sent. */
  get bufferedBytes(): number {
    return this.sink.bufferedBytesOf(this);
  }

  /** The connection ends after this response. */
  get closesConnection(): boolean {
    return this.closeAfter;
  }

  /** Drops the connection (the client gets no more; close listeners run). */
  destroy(): void {
    this.sink.destroy();
  }

  /** The response ended (everything was handed to the socket). */
  get writableEnded(): boolean {
    return this.done;
  }

  /** Sets the status and headers; they are sent with the first write. `connection: close` is honoured. */
  writeHead(status: number, headers: HeaderValues = {}): this {
    if (this.started) throw new Error("writeHead after the headers were sent");
    this.statusCode = status;
    let lines = "";
    for (const name in headers) {
      const value = headers[name]!;
      const lower = name.toLowerCase();
      if (lower === "connection") {
        if (String(value).toLowerCase() === "close") this.closeAfter = true;
        continue;
      }
      if (lower === "content-length") this.hasLength = true;
      else if (lower === "transfer-encoding") continue;
      const text = String(value);
      if (/[\r\n]/.test(text)) throw new Error(`header ${name} contains CR or LF`);
      lines += `${name}: ${text}\r\n`;
    }
    this.headerLines = lines;
    return this;
  }

  /** Called once the response is complete, before the close listeners. */
  onFinish(listener: () => void): void {
    (this.finishListeners ??= []).push(listener);
  }

  /** Called once when the response is complete or the connection closed before (client gone). */
  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  private head(bodyLength: number | undefined): string {
    this.started = true;
    if (this.sink.closesAfter(this)) this.closeAfter = true;
    let extra = "";
    if (!this.hasLength && bodyLength !== undefined) extra = `content-length: ${bodyLength}\r\n`;
    else if (!this.hasLength && this.statusCode !== 204 && this.statusCode !== 304) {
      if (this.context.minorVersion === 1) {
        this.chunked = true;
        extra = "transfer-encoding: chunked\r\n";
      } else {
        this.closeAfter = true; // HTTP/1.0: the end of the connection ends the body
      }
    }
    if (this.closeAfter) extra += "connection: close\r\n";
    else if (this.context.minorVersion === 0) extra += "connection: keep-alive\r\n";
    const reason = STATUS_CODES[this.statusCode] ?? "Unknown";
    return `HTTP/1.1 ${this.statusCode} ${reason}\r\ndate: ${httpDate()}\r\n${this.headerLines}${extra}\r\n`;
  }

  /** Sends the headers now (a stream starts: the body follows in `write` calls). */
  flushHeaders(): void {
    if (this.started || this.sink.destroyed) return;
    this.sink.write(this.head(undefined), this);
  }

  private frame(chunk: string): string {
    if (this.context.method === "HEAD" || chunk === "") return "";
    return this.chunked ? `${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n` : chunk;
  }

  /** Writes part of a streamed body; false when the client is gone. */
  write(chunk: string): boolean {
    if (this.done || this.sink.destroyed) return false;
    const head = this.started ? "" : this.head(undefined);
    this.sink.write(head + this.frame(chunk), this);
    return true;
  }

  /** Ends the response, with `chunk` as the whole body (or the last piece of a stream). */
  end(chunk = ""): void {
    if (this.done) return;
    this.done = true;
    if (!this.sink.destroyed) {
      let data = this.started ? this.frame(chunk) : this.head(Buffer.byteLength(chunk)) + (this.context.method === "HEAD" ? "" : chunk);
      if (this.chunked) data += "0\r\n\r\n";
      this.sink.write(data, this);
    }
    this.sink.responseDone(this);
  }

  /** The connection calls this when the response finished (`finished`) or the connection closed first. */
  settle(finished: boolean): void {
    if (finished && this.finishListeners !== undefined) for (const listener of this.finishListeners) listener();
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.closeListeners) listener();
    this.closeListeners.length = 0;
  }
}
