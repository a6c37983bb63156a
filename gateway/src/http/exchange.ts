/**
 * The answer to one POST: a JSON body when nothing had to be forwarded before the result(s), otherwise an SSE
 * stream that carries the forwarded messages (progress, logging, backend->client requests) and then the result(s).
 */
import type { H1Response } from "./h1/server.js";
import { ErrorCode, errorResponse, type JsonRpcMessage, type JsonRpcResponse } from "../jsonrpc.js";
import { SseWriter } from "./sse-writer.js";

export class PostExchange {
  /** Results so far, serialized. */
  private readonly results: string[] = [];
  private sse: SseWriter | undefined;
  private done = false;
  /** Called once when the exchange answered (JSON) or opened its stream (SSE). */
  onHead?: () => void;
  /** Called once when every response was sent. */
  onDone?: () => void;
  /** The HTTP status of an answer sent as JSON (2026-07-28 maps some errors to 400/404). @default 200 */
  statusOf?: (response: JsonRpcResponse) => number;
  /** Extra headers of the answer when it becomes a stream. */
  streamHeaders?: Record<string, string>;

  constructor(
    private readonly res: H1Response,
    /** Responses this POST waits for. */
    private readonly expected: number,
    private readonly batch: boolean,
    private readonly headers: Record<string, string>,
    /** Bytes all results of this POST may take together (`http.maxResponseBytes`). */
    private readonly maxBytes: number,
  ) {}

  /** Bytes of results sent or kept so far. */
  private bytes = 0;

  /** The response as JSON, or an error in its place when it would take the answer past `maxBytes`. */
  private bounded(response: JsonRpcResponse): string {
    const json = JSON.stringify(response);
    // UTF-8 takes at most 3 bytes per UTF-16 unit: most answers are cleared without counting their bytes.
    const size = json.length * 3 <= this.maxBytes - this.bytes ? json.length : Buffer.byteLength(json);
    if (this.bytes + size <= this.maxBytes) {
      this.bytes += size;
      return json;
    }
    const error = errorResponse(response.id, ErrorCode.InternalError, `Response too large: it would take this answer past ${this.maxBytes} bytes (http.maxResponseBytes); ask for less (a page, a smaller resource)`);
    return JSON.stringify(error);
  }

  get finished(): boolean {
    return this.done;
  }

  /** The client went away (or the stream was closed): nothing more can be written. */
  get gone(): boolean {
    return this.res.destroyed || (this.sse !== undefined && !this.sse.open);
  }

  /** Sends a message related to this POST before its result: switches the answer to SSE. */
  forward(message: JsonRpcMessage): void {
    if (this.done) return;
    this.stream().write(JSON.stringify(message));
  }

  private stream(): SseWriter {
    if (this.sse === undefined) {
      this.sse = new SseWriter(this.res, this.streamHeaders === undefined ? this.headers : { ...this.headers, ...this.streamHeaders });
      this.onHead?.();
    }
    return this.sse;
  }

  /** One response of this POST; the answer ends after the last one. */
  complete(response: JsonRpcResponse): void {
    if (this.done) return;
    const json = this.bounded(response);
    if (this.sse !== undefined) {
      this.results.push(json);
      if (this.results.length < this.expected) {
        this.sse.write(json);
        return;
      }
      this.done = true; // before the end: the response's close handlers see a finished exchange
      this.sse.end(json); // the last result and the end of the stream in one write
      this.finish();
      return;
    }
    this.results.push(json);
    if (this.results.length < this.expected) return;
    const body = this.batch ? `[${this.results.join(",")}]` : this.results[0]!;
    // A POST that carried one request refused by a rate limit is answered as such: 429 with Retry-After.
    const limited = !this.batch && this.expected === 1 && response.error?.code === ErrorCode.RateLimited;
    this.done = true; // before the end: the response's close handlers see a finished exchange
    if (limited) {
      const seconds = (response.error!.data as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
      this.res.writeHead(429, { "content-type": "application/json", "content-length": Buffer.byteLength(body), "retry-after": String(typeof seconds === "number" ? seconds : 1), ...this.headers });
      this.res.end(body);
      this.onHead?.();
      this.finish();
      return;
    }
    this.res.writeHead(this.statusOf === undefined ? 200 : this.statusOf(response), { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...this.headers });
    this.res.end(body);
    this.onHead?.();
    this.finish();
  }

  private finish(): void {
    this.done = true;
    this.sse?.end();
    this.onDone?.();
  }
}
