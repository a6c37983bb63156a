/** Server-sent events on one HTTP response. */
import type { H1Response } from "./h1/server.js";

/**
 * A stream whose client leaves this much unread when the next event comes is dropped: its messages would
 * otherwise pile up in the gateway's memory. One large event may exceed it; only a backlog counts.
 */
export const MAX_STREAM_BACKLOG_BYTES = 4 * 1024 * 1024;

export class SseWriter {
  private ended = false;
  /** The stream was dropped because the client did not read it. */
  overflowed = false;

  constructor(
    private readonly res: H1Response,
    headers: Record<string, string> = {},
  ) {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache, no-transform", ...headers });
    res.flushHeaders();
    res.onClose(() => {
      this.ended = true;
      this.onclose?.();
    });
  }

  onclose?: () => void;

  get open(): boolean {
    return !this.ended;
  }

  /** Writes one `message` event carrying serialized JSON; false when the stream is gone (or just dropped). */
  write(json: string): boolean {
    if (this.ended) return false;
    if (this.res.bufferedBytes > MAX_STREAM_BACKLOG_BYTES) {
      this.overflowed = true;
      this.res.destroy();
      return false;
    }
    this.res.write(`event: message\ndata: ${json}\n\n`);
    return true;
  }

  /** A comment line: keeps proxies from closing an idle stream. */
  keepAlive(): void {
    if (!this.ended) this.res.write(": keep-alive\n\n");
  }

  /** Ends the stream, with a last `message` event when `json` is given (one write for both). */
  end(json?: string): void {
    if (this.ended) return;
    this.ended = true;
    this.res.end(json === undefined ? "" : `event: message\ndata: ${json}\n\n`);
  }
}
