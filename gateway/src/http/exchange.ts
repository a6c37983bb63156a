/**
 * The answer to one POST: a JSON body when nothing had to be forwarded before the result(s), otherwise an SSE
 * stream that carries the forwarded messages (progress, logging, backend->client requests) and then the result(s).
 */
import type { H1Response } from "./h1/server.js";
import type { JsonRpcMessage, JsonRpcResponse } from "../jsonrpc.js";
import { SseWriter } from "./sse-writer.js";

export class PostExchange {
  private readonly results: JsonRpcResponse[] = [];
  private sse: SseWriter | undefined;
  private done = false;
  /** Called once when the exchange answered (JSON) or opened its stream (SSE). */
  onHead?: () => void;
  /** Called once when every response was sent. */
  onDone?: () => void;

  constructor(
    private readonly res: H1Response,
    /** Responses this POST waits for. */
    private readonly expected: number,
    private readonly batch: boolean,
    private readonly headers: Record<string, string>,
  ) {}

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
      this.sse = new SseWriter(this.res, this.headers);
      this.onHead?.();
    }
    return this.sse;
  }

  /** One response of this POST; the answer ends after the last one. */
  complete(response: JsonRpcResponse): void {
    if (this.done) return;
    if (this.sse !== undefined) {
      this.results.push(response);
      const json = JSON.stringify(response);
      if (this.results.length < this.expected) {
        this.sse.write(json);
        return;
      }
      this.sse.end(json); // the last result and the end of the stream in one write
      this.finish();
      return;
    }
    this.results.push(response);
    if (this.results.length < this.expected) return;
    const body = JSON.stringify(this.batch ? this.results : this.results[0]);
    this.res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...this.headers });
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
