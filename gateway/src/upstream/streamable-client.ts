/**
 * A Streamable HTTP client channel of our own (node:http, keep-alive), so that every message the server sends on
 * the SSE answer of a POST is known to belong to that POST's request: a sampling or elicitation request that a shared
 * HTTP backend sends while several clients call it is attributed exactly. Messages on the standalone GET stream have
 * no origin.
 */
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Logger } from "../observability/logger.js";
import type { JsonRpcMessage } from "../jsonrpc.js";
import { encodeHeaderValue, mcpNameOf } from "../protocol/headers.js";
import { META } from "../protocol/modern.js";
import type { Channel, ChannelCloseInfo, MessageOrigin } from "./channel.js";

export interface StreamableClientOptions {
  url: string;
  headers: Record<string, string>;
  logger: Logger;
}

/** Splits an SSE byte stream into `data` payloads of `message` events. */
class SseParser {
  private buffer = "";
  constructor(private readonly onData: (data: string) => void) {}
  push(chunk: string): void {
    this.buffer += chunk;
    let end = this.buffer.search(/\r?\n\r?\n/);
    while (end !== -1) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + (this.buffer[end] === "\r" ? 4 : 2));
      let event = "message";
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith("data:")) data.push(line.slice(line[5] === " " ? 6 : 5));
        else if (line.startsWith("event:")) event = line.slice(6).trim();
      }
      if (event === "message" && data.length > 0) this.onData(data.join("\n"));
      end = this.buffer.search(/\r?\n\r?\n/);
    }
  }
}

const STANDALONE_RETRY_MS = 1000;

/**
 * The headers 2026-07-28 mirrors from a request that claims a protocol version in its `_meta` (the probe, every
 * request to a modern backend): `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`. `undefined` for anything else.
 */
function modernHeaders(message: JsonRpcMessage): Record<string, string> | undefined {
  if (!("method" in message) || !("id" in message)) return undefined;
  const params = message.params;
  const version = (params?._meta as Record<string, unknown> | undefined)?.[META.protocolVersion];
  if (typeof version !== "string") return undefined;
  const headers: Record<string, string> = { "mcp-protocol-version": version, "mcp-method": message.method };
  const name = mcpNameOf(message.method, params);
  if (name !== undefined) headers["mcp-name"] = encodeHeaderValue(name);
  return headers;
}

/** The JSON-RPC answer in an error body (a modern server answers a refused request with one), if it is one for `id`. */
function answerIn(text: string, id: number): JsonRpcMessage | undefined {
  try {
    const parsed = JSON.parse(text) as { id?: unknown; error?: unknown };
    return parsed.id === id && typeof parsed.error === "object" && parsed.error !== null ? (parsed as JsonRpcMessage) : undefined;
  } catch {
    return undefined;
  }
}

export class StreamableHttpClientChannel implements Channel {
  private readonly url: URL;
  private readonly agent: HttpAgent;
  private readonly request: typeof httpRequest;
  private sessionId: string | undefined;
  private protocolVersion: string | undefined;
  private closed = false;
  private standalone: IncomingMessage | undefined;
  private standaloneWanted = false;
  /** Open POSTs of 2026-07-28 requests, by request id: closing one cancels the request. */
  private readonly modernPosts = new Map<number, ClientRequest>();
  onmessage?: (message: JsonRpcMessage, origin?: MessageOrigin) => void;
  onclose?: (info: ChannelCloseInfo) => void;
  onsenderror?: (message: JsonRpcMessage, error: Error, fatal: boolean) => void;

  constructor(private readonly options: StreamableClientOptions) {
    this.url = new URL(options.url);
    const https = this.url.protocol === "https:";
    this.agent = https ? new HttpsAgent({ keepAlive: true, maxSockets: 256 }) : new HttpAgent({ keepAlive: true, maxSockets: 256 });
    this.request = https ? (httpsRequest as unknown as typeof httpRequest) : httpRequest;
  }

  async start(): Promise<void> {
    // Nothing to open: the session starts with the initialize POST.
  }

  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
  }

  private headers(extra: Record<string, string>): Record<string, string> {
    const headers: Record<string, string> = { ...this.options.headers, ...extra };
    if (this.sessionId !== undefined) headers["mcp-session-id"] = this.sessionId;
    if (this.protocolVersion !== undefined) headers["mcp-protocol-version"] = this.protocolVersion;
    return headers;
  }

  abort(requestId: number): boolean {
    const post = this.modernPosts.get(requestId);
    if (post === undefined) return false;
    this.modernPosts.delete(requestId);
    post.destroy();
    return true;
  }

  send(message: JsonRpcMessage, extra?: Record<string, string>): Promise<void> {
    if (this.closed) throw new Error("the connection is closed");
    const body = JSON.stringify(message);
    const origin: MessageOrigin | undefined = "method" in message && "id" in message && typeof message.id === "number" ? { requestId: message.id } : undefined;
    const modern = modernHeaders(message);
    const headers = this.headers({ "content-type": "application/json", accept: "application/json, text/event-stream", "content-length": String(Buffer.byteLength(body)) });
    if (modern !== undefined) Object.assign(headers, modern, extra);
    else if (extra !== undefined) Object.assign(headers, extra);
    return new Promise((resolve) => {
      let answered = false;
      const deliver = (data: string): void => {
        if (this.deliver(data, origin)) answered = true;
      };
      /** A 2026-07-28 request's stream ended without its answer: the request is lost (no resumability in 2026-07-28). */
      const ended = (): void => {
        if (modern === undefined || origin === undefined) return;
        const open = this.modernPosts.get(origin.requestId) === req;
        if (open) this.modernPosts.delete(origin.requestId);
        if (!answered && open) this.fail(message, new Error("the server closed the answer stream without answering"), false);
      };
      const req = this.request(
        this.url,
        {
          method: "POST",
          agent: this.agent,
          headers,
        },
        (res) => {
          const session = res.headers["mcp-session-id"];
          if (typeof session === "string" && session !== "") this.sessionId = session;
          const status = res.statusCode ?? 0;
          if (status === 202) {
            res.resume();
            if ("method" in message && message.method === "notifications/initialized") this.openStandalone();
            resolve();
            return;
          }
          if (status !== 200) {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (c: string) => (text += text.length < 65_536 ? c : ""));
            res.on("end", () => {
              const answer = modern !== undefined && origin !== undefined ? answerIn(text, origin.requestId) : undefined;
              if (answer !== undefined) {
                // A modern server's refusal (400 -32022, 404 -32601, ...) is the request's answer, not a transport failure.
                if (origin !== undefined) this.modernPosts.delete(origin.requestId);
                answered = true;
                this.onmessage?.(answer, origin);
                resolve();
                return;
              }
              if (origin !== undefined) this.modernPosts.delete(origin.requestId);
              const fatal = status === 404 && this.sessionId !== undefined;
              this.fail(message, new Error(`HTTP ${status}${fatal ? " (the server lost our session)" : ""}: ${text.slice(0, 300)}`), fatal);
              resolve();
            });
            return;
          }
          const type = String(res.headers["content-type"] ?? "");
          res.setEncoding("utf8");
          if (type.startsWith("text/event-stream")) {
            const parser = new SseParser(deliver);
            res.on("data", (c: string) => parser.push(c));
            res.on("end", () => {
              ended();
              resolve();
            });
            res.on("error", () => {
              ended();
              resolve();
            });
            res.on("close", ended);
          } else {
            let text = "";
            res.on("data", (c: string) => (text += c));
            res.on("end", () => {
              if (text !== "") deliver(text);
              ended();
              resolve();
            });
          }
        },
      );
      if (modern !== undefined && origin !== undefined) this.modernPosts.set(origin.requestId, req);
      req.on("error", (error) => {
        if (modern !== undefined && origin !== undefined && this.modernPosts.get(origin.requestId) !== req) {
          resolve(); // aborted by the gateway (a cancellation): not a failure of the connection
          return;
        }
        if (origin !== undefined) this.modernPosts.delete(origin.requestId);
        this.fail(message, error, true);
        resolve();
      });
      req.end(body);
    });
  }

  /** Hands the messages of one event on; true when one of them answers `origin`'s request. */
  private deliver(text: string, origin: MessageOrigin | undefined): boolean {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.options.logger.warn({ data: text.slice(0, 300) }, "backend sent an event that is not JSON");
      return false;
    }
    let answers = false;
    for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
      if (origin !== undefined && typeof message === "object" && message !== null && (message as { id?: unknown }).id === origin.requestId && !("method" in message)) answers = true;
      this.onmessage?.(message as JsonRpcMessage, origin);
    }
    return answers;
  }

  private fail(message: JsonRpcMessage, error: Error, fatal: boolean): void {
    if (this.closed) return;
    this.onsenderror?.(message, error, fatal);
    if (fatal) this.finish(error.message);
  }

  /** The standalone stream (GET): list changes, updates, requests not tied to a call. 405 means the server has none. */
  private openStandalone(): void {
    this.standaloneWanted = true;
    if (this.closed || this.standalone !== undefined) return;
    const req = this.request(this.url, { method: "GET", agent: this.agent, headers: this.headers({ accept: "text/event-stream" }) }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return; // 405: no standalone stream on this server
      }
      this.standalone = res;
      res.setEncoding("utf8");
      const parser = new SseParser((data) => this.deliver(data, undefined));
      res.on("data", (c: string) => parser.push(c));
      const reopen = () => {
        if (this.standalone !== res) return;
        this.standalone = undefined;
        if (!this.closed && this.standaloneWanted) setTimeout(() => this.openStandalone(), STANDALONE_RETRY_MS).unref();
      };
      res.on("end", reopen);
      res.on("error", reopen);
      res.on("close", reopen);
    });
    req.on("error", () => {
      if (!this.closed) setTimeout(() => this.openStandalone(), STANDALONE_RETRY_MS).unref();
    });
    req.end();
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.standalone?.destroy();
    this.standalone = undefined;
    this.agent.destroy();
    this.onclose?.({ reason });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const sessionId = this.sessionId;
    if (sessionId !== undefined) {
      // End the upstream session (best effort, bounded).
      await new Promise<void>((resolve) => {
        const req = this.request(this.url, { method: "DELETE", agent: this.agent, headers: this.headers({}), timeout: 1000 }, (res) => {
          res.resume();
          resolve();
        });
        req.on("error", () => resolve());
        req.on("timeout", () => {
          req.destroy();
          resolve();
        });
        req.end();
      });
    }
    this.finish("stopped by the gateway");
  }
}
