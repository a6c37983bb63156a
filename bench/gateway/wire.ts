/**
 * The load generator's HTTP/1.1 client: one keep-alive `net` socket, requests written as one string, responses
 * framed by hand (Content-Length, chunked, or until close). No node:http client: its per-request objects cost the
 * generator more CPU than some targets spend per call, and the generator shares the machine's cores with them.
 */
import { connect, type Socket } from "node:net";
import { StringDecoder } from "node:string_decoder";
import { ChunkedDecoder } from "../../gateway/src/http/h1/chunked.js";

export interface RawResponse {
  status: number;
  /** Lowercase names. */
  headers: Record<string, string>;
  /** The body as text (UTF-8). */
  body: string;
}

/**
 * Sees an event-stream response's text as it arrives, piece by piece (such a body is not also collected); the
 * first `true` resolves the request (the watcher keeps getting pieces until the stream ends).
 */
export type BodyWatcher = (status: number, headers: Record<string, string>, piece: string) => boolean;

interface Exchange {
  watch: BodyWatcher | undefined;
  resolve: (response: RawResponse) => void;
  reject: (error: Error) => void;
  settled: boolean;
  timer: NodeJS.Timeout;
}

type Framing = { kind: "length"; remaining: number } | { kind: "chunked"; decoder: ChunkedDecoder } | { kind: "close" } | { kind: "none" };

const CRLFCRLF = Buffer.from("\r\n\r\n");

export class WireError extends Error {}

export class RawConnection {
  private buf: Buffer | undefined;
  private status = 0;
  private headers: Record<string, string> = {};
  private framing: Framing | undefined;
  private text = "";
  private decoder = new StringDecoder("utf8");
  private current: Exchange | undefined;
  /** The socket is free for the next request (the previous response ended). */
  private free: Promise<void> = Promise.resolve();
  private release: (() => void) | undefined;
  private closedError: Error | undefined;
  /** Called once when the socket closed (for long-lived streams). */
  onclose?: (error: Error) => void;

  private constructor(
    private readonly socket: Socket,
    readonly host: string,
    private readonly timeoutMs: number,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (error) => this.fail(error));
    socket.on("close", () => this.onClose());
  }

  static open(host: string, port: number, timeoutMs = 10_000): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host);
      const timer = setTimeout(() => socket.destroy(new WireError(`connect ${host}:${port}: no answer within ${timeoutMs} ms`)), timeoutMs);
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(new RawConnection(socket, `${host}:${port}`, timeoutMs));
      });
    });
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  /**
   * Sends `METHOD path` with the given header lines (each `name: value\r\n`) and body; resolves with the whole
   * response, or earlier when `watch` says so (the connection stays busy until the response ends).
   */
  async request(method: string, path: string, headerLines: string, body?: string, watch?: BodyWatcher): Promise<RawResponse> {
    await this.free;
    if (this.closedError !== undefined) throw this.closedError;
    this.free = new Promise((done) => (this.release = done));
    const length = body === undefined ? "" : `content-length: ${Buffer.byteLength(body)}\r\n`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.socket.destroy(new WireError(`${method} ${path}: no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      this.current = { watch, resolve, reject, settled: false, timer };
      this.socket.write(`${method} ${path} HTTP/1.1\r\nhost: ${this.host}\r\n${headerLines}${length}\r\n${body ?? ""}`);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf === undefined ? chunk : Buffer.concat([this.buf, chunk]);
    while (this.buf !== undefined && this.buf.length > 0) {
      if (this.framing === undefined && !this.readHead()) return;
      if (!this.readBody()) return;
    }
  }

  private consume(bytes: number): void {
    const buf = this.buf!;
    this.buf = bytes >= buf.length ? undefined : buf.subarray(bytes);
  }

  private readHead(): boolean {
    const buf = this.buf!;
    const end = buf.indexOf(CRLFCRLF);
    if (end === -1) return false;
    const lines = buf.toString("latin1", 0, end).split("\r\n");
    this.consume(end + 4);
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "")?.[1]);
    if (!Number.isInteger(status)) {
      this.socket.destroy(new WireError(`malformed status line: ${lines[0]?.slice(0, 80)}`));
      return false;
    }
    if (status >= 100 && status < 200) return true; // 100 Continue: the real head follows
    const headers: Record<string, string> = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(":");
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    this.status = status;
    this.headers = headers;
    this.text = "";
    this.decoder = new StringDecoder("utf8");
    if (status === 204 || status === 304) this.framing = { kind: "none" };
    else if (headers["transfer-encoding"]?.toLowerCase() === "chunked") this.framing = { kind: "chunked", decoder: new ChunkedDecoder() };
    else if (headers["content-length"] !== undefined) this.framing = { kind: "length", remaining: Number(headers["content-length"]) };
    else this.framing = { kind: "close" };
    if (this.framing.kind === "length" && this.framing.remaining === 0) this.framing = { kind: "none" };
    if (this.framing.kind === "none") this.complete();
    return true;
  }

  /** False when more bytes are needed. */
  private readBody(): boolean {
    const framing = this.framing;
    if (framing === undefined) return true;
    const buf = this.buf;
    if (buf === undefined || buf.length === 0) return false;
    switch (framing.kind) {
      case "length": {
        const take = Math.min(framing.remaining, buf.length);
        this.append(buf.subarray(0, take));
        framing.remaining -= take;
        this.consume(take);
        if (framing.remaining === 0) this.complete();
        return true;
      }
      case "chunked": {
        const used = framing.decoder.decode(buf, 0, (data) => this.append(data));
        this.consume(used);
        if (framing.decoder.error !== undefined) {
          this.socket.destroy(new WireError(`bad chunked response: ${framing.decoder.error}`));
          return false;
        }
        if (framing.decoder.done) this.complete();
        return true;
      }
      case "close":
        this.append(buf);
        this.buf = undefined;
        return false;
      case "none":
        return true;
    }
  }

  private append(data: Buffer): void {
    if (data.length > 0) this.deliver(this.decoder.write(data));
  }

  private deliver(piece: string): void {
    if (piece === "") return;
    const exchange = this.current;
    if (exchange?.watch === undefined || this.headers["content-type"]?.includes("text/event-stream") !== true) {
      this.text += piece;
      return;
    }
    if (exchange.watch(this.status, this.headers, piece) && !exchange.settled) this.settle(exchange);
  }

  private settle(exchange: Exchange): void {
    exchange.settled = true;
    clearTimeout(exchange.timer);
    exchange.resolve({ status: this.status, headers: this.headers, body: this.text });
  }

  /** The response ended: settle it (if not yet) and free the connection. */
  private complete(): void {
    this.deliver(this.decoder.end());
    this.framing = undefined;
    const exchange = this.current;
    this.current = undefined;
    if (exchange !== undefined && !exchange.settled) this.settle(exchange);
    if (exchange !== undefined) clearTimeout(exchange.timer);
    const release = this.release;
    this.release = undefined;
    release?.();
    if (this.headers.connection?.toLowerCase() === "close") {
      this.closedError ??= new WireError("the server closed the connection (connection: close)");
      this.socket.end();
    }
  }

  private fail(error: Error): void {
    this.closedError ??= error;
  }

  private onClose(): void {
    this.closedError ??= new WireError("connection closed");
    if (this.framing?.kind === "close") {
      this.complete();
      this.onclose?.(this.closedError);
      return;
    }
    const exchange = this.current;
    this.current = undefined;
    if (exchange !== undefined && !exchange.settled) {
      exchange.settled = true;
      clearTimeout(exchange.timer);
      exchange.reject(this.closedError);
    }
    this.release?.();
    this.onclose?.(this.closedError);
  }
}
