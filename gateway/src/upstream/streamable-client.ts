/**
 * A Streamable HTTP client channel of our own, on our own HTTP/1.1 client (h1-client.ts: node:net, keep-alive), so
 * that every message the server sends on the SSE answer of a POST is known to belong to that POST's request: a
 * sampling or elicitation request that a shared HTTP backend sends while several clients call it is attributed
 * exactly. Messages on the standalone GET stream have no origin.
 */
import { StringDecoder } from "node:string_decoder";
import type { Logger } from "../observability/logger.js";
import type { JsonRpcMessage } from "../jsonrpc.js";
import { encodeHeaderValue, mcpNameOf } from "../protocol/headers.js";
import { META } from "../protocol/modern.js";
import type { Channel, ChannelCloseInfo, MessageOrigin } from "./channel.js";
import { H1Client, type H1Response } from "./h1-client.js";

export interface StreamableClientOptions {
  url: string;
  headers: Record<string, string>;
  logger: Logger;
  /** Pipeline quick 2025 requests (the server handles pipelined requests at once: our own gateway). @default false */
  pipelining?: boolean;
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

/** W3C trace context of a request (its `_meta`), also as headers: an HTTP backend's own tracing reads them there. */
function withTrace(message: JsonRpcMessage, headers: Record<string, string>): Record<string, string> {
  const meta = (message as { params?: { _meta?: { traceparent?: unknown; tracestate?: unknown } } }).params?._meta;
  if (meta === undefined) return headers;
  if (typeof meta.traceparent === "string" && /^[\x21-\x7e]{1,128}$/.test(meta.traceparent)) headers.traceparent = meta.traceparent;
  if (typeof meta.tracestate === "string" && /^[\x20-\x7e]{1,512}$/.test(meta.tracestate)) headers.tracestate = meta.tracestate;
  return headers;
}

/** `headers` with `modern` and `extra` on top, a name given again in any case replacing the earlier one. */
function withOwn(headers: Record<string, string>, modern: Record<string, string> | undefined, extra: Readonly<Record<string, string>> | undefined): Record<string, string> {
  for (const more of [modern, extra]) {
    if (more === undefined) continue;
    for (const name in more) {
      const lower = name.toLowerCase();
      for (const existing in headers) if (existing !== name && existing.toLowerCase() === lower) delete headers[existing];
      headers[name] = more[name]!;
    }
  }
  return headers;
}

/**
 * How a 2025 message may be pipelined (h1-client.ts): a notification or a response at once (answered 202 at
 * once), a request by its kind (a tool call by its tool, others by method: a quick kind pipelines, a slow one goes
 * alone).
 */
function pipelineKind(message: JsonRpcMessage): string | true {
  if (!("method" in message) || !("id" in message)) return true;
  if (message.method === "tools/call") {
    const name = (message.params as { name?: unknown } | undefined)?.name;
    if (typeof name === "string") return `tools/call ${name}`;
  }
  return message.method;
}

/** What every POST says it sends and accepts. */
const POST_HEADERS: Readonly<Record<string, string>> = { "content-type": "application/json", accept: "application/json, text/event-stream" };

export class StreamableHttpClientChannel implements Channel {
  private readonly url: URL;
  private readonly path: string;
  private readonly client: H1Client;
  private sessionId: string | undefined;
  private protocolVersion: string | undefined;
  private closed = false;
  private standalone = false;
  private standaloneWanted = false;
  /** Open POSTs of 2026-07-28 requests, by request id: aborting one (its connection closes) cancels the request. */
  private readonly modernPosts = new Map<number, { abort(): void }>();
  onmessage?: (message: JsonRpcMessage, origin?: MessageOrigin) => void;
  onclose?: (info: ChannelCloseInfo) => void;
  onsenderror?: (message: JsonRpcMessage, error: Error, fatal: boolean) => void;

  constructor(private readonly options: StreamableClientOptions) {
    this.url = new URL(options.url);
    this.path = `${this.url.pathname}${this.url.search}`;
    this.client = new H1Client(this.url, { pipelining: options.pipelining ?? false });
    this.connectionHeaders = new Set(Object.keys(options.headers).map((n) => n.toLowerCase()));
  }

  async start(): Promise<void> {
    // Nothing to open: the session starts with the initialize POST.
  }

  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
    this.postHead = undefined;
  }

  private headers(extra: Record<string, string>): Record<string, string> {
    const headers: Record<string, string> = { ...this.options.headers, ...extra };
    if (this.sessionId !== undefined) headers["mcp-session-id"] = this.sessionId;
    if (this.protocolVersion !== undefined) headers["mcp-protocol-version"] = this.protocolVersion;
    return headers;
  }

  private adoptSession(response: H1Response): void {
    const session = response.headers["mcp-session-id"];
    if (session !== undefined && session !== "" && session !== this.sessionId) {
      this.sessionId = session;
      this.postHead = undefined;
    }
  }

  /** The head of every 2025 POST (request line and headers but content-length), built once per session and version. */
  private postHead: string | undefined;
  private postHeadFor(message: JsonRpcMessage, extra: Readonly<Record<string, string>> | undefined): string {
    let head = this.postHead;
    if (head === undefined) {
      head = this.headOf(this.headers(POST_HEADERS));
      this.postHead = head;
    }
    const trace = withTrace(message, {});
    for (const name in trace) head += `${name}: ${trace[name]}\r\n`;
    // This request's own headers (a caller's identity token): on this POST only, never on the connection.
    if (extra !== undefined) for (const name in extra) head += `${name}: ${extra[name]}\r\n`;
    return head;
  }

  /** Lowercased names of the connection's own headers (`headers`, credentials). */
  private readonly connectionHeaders: ReadonlySet<string>;

  /** Does a request's own header take the place of one of the connection's? */
  private replaces(extra: Readonly<Record<string, string>>): boolean {
    for (const name in extra) if (this.connectionHeaders.has(name.toLowerCase())) return true;
    return false;
  }

  private headOf(headers: Record<string, string>): string {
    let head = `POST ${this.path} HTTP/1.1\r\n`;
    if (headers.host === undefined) head += `host: ${this.client.hostHeader}\r\n`;
    for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
    return head;
  }

  abort(requestId: number): boolean {
    const post = this.modernPosts.get(requestId);
    if (post === undefined) return false;
    this.modernPosts.delete(requestId);
    post.abort();
    return true;
  }

  send(message: JsonRpcMessage, extra?: Readonly<Record<string, string>>): Promise<void> {
    if (this.closed) throw new Error("the connection is closed");
    const body = JSON.stringify(message);
    const origin: MessageOrigin | undefined = "method" in message && "id" in message && typeof message.id === "number" ? { requestId: message.id } : undefined;
    const modern = modernHeaders(message);
    // A 2025 request (the hot path) gets the head built once (plus its own headers); a 2026-07-28 one mirrors its
    // own; one whose own headers replace the connection's (a caller's exchanged Authorization) gets a head of its own.
    const rawHead =
      modern === undefined && (extra === undefined || !this.replaces(extra))
        ? this.postHeadFor(message, extra)
        : this.headOf(withTrace(message, withOwn(this.headers(POST_HEADERS), modern, extra)));
    return new Promise((resolve) => {
      let answered = false;
      let status = 0;
      let sse: SseParser | undefined;
      let decoder: StringDecoder | undefined;
      // A JSON answer is read whole and decoded once; an SSE one piece by piece.
      let first: Buffer | undefined;
      let more: Buffer[] | undefined;
      const bodyText = (): string => (first === undefined ? "" : more === undefined ? first.toString("utf8") : Buffer.concat([first, ...more]).toString("utf8"));
      const deliver = (data: string): void => {
        if (this.deliver(data, origin)) answered = true;
      };
      // Set once the request is under way (the stream's end compares it).
      const ref: { handle?: { abort(): void } } = {};
      /** A 2026-07-28 request's stream ended without its answer: the request is lost (no resumability in 2026-07-28). */
      const ended = (): void => {
        if (modern === undefined || origin === undefined) return;
        const open = this.modernPosts.get(origin.requestId) === ref.handle;
        if (open) this.modernPosts.delete(origin.requestId);
        if (!answered && open) this.fail(message, new Error("the server closed the answer stream without answering"), false);
      };
      const request = this.client.request({
        method: "POST",
        path: this.path,
        headers: {},
        rawHead,
        body,
        // 2026-07-28 requests each hold a POST that an abort closes (its cancellation): never pipelined.
        ...(modern === undefined ? { pipeline: pipelineKind(message) } : {}),
        handlers: {
          onResponse: (response) => {
            this.adoptSession(response);
            status = response.status;
            if (status === 200 && (response.headers["content-type"] ?? "").startsWith("text/event-stream")) {
              sse = new SseParser(deliver);
              decoder = new StringDecoder("utf8");
            }
          },
          onData: (chunk) => {
            if (sse !== undefined) sse.push(decoder!.write(chunk));
            else if (first === undefined) first = chunk;
            else if (status === 200 || first.length < 65_536) (more ??= []).push(chunk);
          },
          onEnd: () => {
            // The rest of an SSE answer, or the whole of any other.
            const text = sse !== undefined ? (decoder?.end() ?? "") : bodyText();
            if (status === 202) {
              if ("method" in message && message.method === "notifications/initialized") this.openStandalone();
            } else if (status === 200) {
              if (sse !== undefined) sse.push(text);
              else if (text !== "") deliver(text);
              ended();
            } else {
              const answer = modern !== undefined && origin !== undefined ? answerIn(text, origin.requestId) : undefined;
              if (origin !== undefined) this.modernPosts.delete(origin.requestId);
              if (answer !== undefined) {
                // A modern server's refusal (400 -32022, 404 -32601, ...) is the request's answer, not a transport failure.
                answered = true;
                this.onmessage?.(answer, origin);
              } else {
                const fatal = status === 404 && this.sessionId !== undefined;
                // 503: the server refused it before reading it (a draining adapter): it may go elsewhere.
                const error: Error & { notDelivered?: boolean } = new Error(`HTTP ${status}${fatal ? " (the server lost our session)" : ""}: ${text.slice(0, 300)}`);
                if (status === 503) error.notDelivered = true;
                this.fail(message, error, fatal);
              }
            }
            resolve();
          },
          onError: (error) => {
            if (origin !== undefined) this.modernPosts.delete(origin.requestId);
            this.fail(message, error, true);
            resolve();
          },
        },
      });
      // Aborted by the gateway (a cancellation): not a failure of the connection; the promise settles now.
      const handle = {
        abort: () => {
          request.abort();
          resolve();
        },
      };
      ref.handle = handle;
      if (modern !== undefined && origin !== undefined) this.modernPosts.set(origin.requestId, handle);
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
    if (this.closed || this.standalone) return;
    this.standalone = true;
    let parser: SseParser | undefined;
    const decoder = new StringDecoder("utf8");
    const reopen = () => {
      this.standalone = false;
      if (!this.closed && this.standaloneWanted) setTimeout(() => this.openStandalone(), STANDALONE_RETRY_MS).unref();
    };
    this.client.request({
      method: "GET",
      path: this.path,
      headers: this.headers({ accept: "text/event-stream" }),
      handlers: {
        onResponse: (response) => {
          // 405: no standalone stream on this server.
          if (response.status === 200) parser = new SseParser((data) => this.deliver(data, undefined));
          else this.standaloneWanted = response.status !== 405 && this.standaloneWanted;
        },
        onData: (chunk) => parser?.push(decoder.write(chunk)),
        onEnd: reopen,
        onError: reopen,
      },
    });
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.standaloneWanted = false;
    this.client.destroy();
    this.onclose?.({ reason });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const sessionId = this.sessionId;
    if (sessionId !== undefined) {
      // End the upstream session (best effort, bounded).
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        this.client.request({ method: "DELETE", path: this.path, headers: this.headers({}), handlers: { onResponse: () => undefined, onEnd: done, onError: done } });
      });
    }
    this.finish("stopped by the gateway");
  }
}
