/**
 * A minimal MCP client over raw HTTP for the load generator: one keep-alive socket per session (`wire.ts`), no
 * SDK and no node:http client (the SDK client costs ~0.5 ms CPU per call, which would hide the differences between
 * targets).
 *
 * Three session kinds:
 * - Streamable HTTP: POST JSON-RPC, answer as `application/json` or as an SSE stream (parsed incrementally; the
 *   call resolves at the event that carries its response), `Mcp-Session-Id` and `MCP-Protocol-Version` headers.
 * - Stateless (2026-07-28): no initialize and no session; every request carries its `_meta` envelope (protocol
 *   version, client capabilities and info) and the `MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name` headers.
 * - Legacy SSE (2024-11-05): one `GET` event stream per session, whose `endpoint` event names the POST URL;
 *   answers arrive on the stream and are matched by id.
 */
import { RawConnection } from "./wire.js";

export const PROTOCOL_VERSION = "2025-06-18";
const CLIENT_INFO = { name: "mcp-fleet-bench", version: "1.0.0" };

export interface JsonRpcResponse {
  jsonrpc: "2.0";
  id: number | string;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

export interface McpSession {
  call(method: string, params: Record<string, unknown>): Promise<JsonRpcResponse>;
  close(): Promise<void>;
}

export class HttpError extends Error {}

const TIMEOUT_MS = 10_000;

/** Splits an SSE buffer into complete events; returns the events' `event`/`data` and the unconsumed rest. */
export function parseSse(buffer: string): { events: Array<{ event: string; data: string }>; rest: string } {
  const events: Array<{ event: string; data: string }> = [];
  const normalized = buffer.includes("\r") ? buffer.replace(/\r\n?/g, "\n") : buffer;
  let start = 0;
  for (let end = normalized.indexOf("\n\n", start); end >= 0; end = normalized.indexOf("\n\n", start)) {
    const block = normalized.slice(start, end);
    start = end + 2;
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("data:")) data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
      else if (line.startsWith("event:")) event = line.slice(6).trim();
    }
    if (data.length > 0) events.push({ event, data: data.join("\n") });
  }
  return { events, rest: normalized.slice(start) };
}

function isResponseTo(message: unknown, id: number): message is JsonRpcResponse {
  return typeof message === "object" && message !== null && (message as { id?: unknown }).id === id && ("result" in message || "error" in message);
}

function openConnection(url: URL): Promise<RawConnection> {
  return RawConnection.open(url.hostname.replace(/^\[|\]$/g, ""), Number(url.port || 80), TIMEOUT_MS);
}

/** One Streamable HTTP session. */
export class StreamableSession implements McpSession {
  private sessionId: string | undefined;
  private protocolVersion = PROTOCOL_VERSION;
  private nextId = 1;
  private headerLines = "";
  private readonly path: string;

  private constructor(
    private readonly url: URL,
    private connection: RawConnection,
    /** Header lines sent on every request, e.g. `authorization: Bearer ...\r\n`. */
    private readonly extraHeaders = "",
  ) {
    this.path = url.pathname + url.search;
    this.updateHeaders();
  }

  /** The session's socket; a new one when the server closed the last (as an HTTP agent would). */
  private async socket(): Promise<RawConnection> {
    if (this.connection.closed) this.connection = await openConnection(this.url);
    return this.connection;
  }

  static async open(url: string, extraHeaders = ""): Promise<StreamableSession> {
    const target = new URL(url);
    const session = new StreamableSession(target, await openConnection(target), extraHeaders);
    try {
      const init = await session.call("initialize", { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: CLIENT_INFO });
      if (init.error !== undefined) throw new HttpError(`initialize failed: ${init.error.message}`);
      session.protocolVersion = String(init.result?.protocolVersion ?? PROTOCOL_VERSION);
      session.updateHeaders();
      await session.notify("notifications/initialized");
      return session;
    } catch (error) {
      session.connection.close();
      throw error;
    }
  }

  private updateHeaders(): void {
    this.headerLines =
      `accept: application/json, text/event-stream\r\ncontent-type: application/json\r\nmcp-protocol-version: ${this.protocolVersion}\r\n${this.extraHeaders}` +
      (this.sessionId === undefined ? "" : `mcp-session-id: ${this.sessionId}\r\n`);
  }

  private async notify(method: string): Promise<void> {
    const res = await (await this.socket()).request("POST", this.path, this.headerLines, JSON.stringify({ jsonrpc: "2.0", method }));
    if (res.status !== 202 && res.status !== 200 && res.status !== 204) throw new HttpError(`${method}: HTTP ${res.status}`);
  }

  async call(method: string, params: Record<string, unknown>): Promise<JsonRpcResponse> {
    const id = this.nextId++;
    let pending = "";
    let found: JsonRpcResponse | undefined;
    let bad: string | undefined;
    const connection = await this.socket();
    const res = await connection.request("POST", this.path, this.headerLines, JSON.stringify({ jsonrpc: "2.0", id, method, params }), (_status, _headers, piece) => {
      pending += piece;
      const parsed = parseSse(pending);
      pending = parsed.rest;
      for (const event of parsed.events) {
        if (event.data.trim() === "") continue;
        let message: unknown;
        try {
          message = JSON.parse(event.data);
        } catch {
          bad = event.data.slice(0, 100);
          return true;
        }
        if (isResponseTo(message, id)) {
          found = message;
          return true;
        }
      }
      return false;
    });
    const sid = res.headers["mcp-session-id"];
    if (sid !== undefined && sid !== this.sessionId) {
      this.sessionId = sid;
      this.updateHeaders();
    }
    if (res.status !== 200) throw new HttpError(`${method}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
    if (res.headers["content-type"]?.includes("text/event-stream") === true) {
      if (bad !== undefined) throw new HttpError(`${method}: SSE event is not JSON: ${bad}`);
      if (found === undefined) throw new HttpError(`${method}: SSE stream ended without the response to id ${id}`);
      return found;
    }
    const message: unknown = JSON.parse(res.body);
    if (!isResponseTo(message, id)) throw new HttpError(`${method}: answer is not the response to id ${id}`);
    return message;
  }

  async close(): Promise<void> {
    try {
      if (this.sessionId !== undefined && !this.connection.closed) await this.connection.request("DELETE", this.path, this.headerLines);
    } catch {
      // the target may be gone already
    } finally {
      this.connection.close();
    }
  }
}

/** One legacy SSE session: a GET event stream plus POSTs to the endpoint it announces. */
export class LegacySseSession implements McpSession {
  private readonly pending = new Map<number, { resolve: (r: JsonRpcResponse) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private nextId = 1;
  private endpoint: URL | undefined;
  private posts: RawConnection | undefined;
  private closed = false;

  private constructor(
    private readonly url: URL,
    private readonly stream: RawConnection,
  ) {}

  static async open(url: string): Promise<LegacySseSession> {
    const target = new URL(url);
    const session = new LegacySseSession(target, await openConnection(target));
    try {
      await session.connect();
      const init = await session.call("initialize", { protocolVersion: "2024-11-05", capabilities: {}, clientInfo: CLIENT_INFO });
      if (init.error !== undefined) throw new HttpError(`initialize failed: ${init.error.message}`);
      await session.post(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
      return session;
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  private async connect(): Promise<void> {
    let buffer = "";
    this.stream.onclose = (error) => this.failAll(new HttpError(`SSE stream closed: ${error.message}`));
    const res = await this.stream.request("GET", this.url.pathname + this.url.search, "accept: text/event-stream\r\n", undefined, (_status, _headers, piece) => {
      buffer += piece;
      const parsed = parseSse(buffer);
      buffer = parsed.rest;
      let announced = false;
      for (const event of parsed.events) {
        if (event.event === "endpoint") {
          this.endpoint = new URL(event.data.trim(), this.url);
          announced = true;
        } else if (event.event === "message") {
          try {
            this.dispatch(JSON.parse(event.data) as JsonRpcResponse);
          } catch {
            // not JSON: ignore (a call it answered times out and counts as an error)
          }
        }
      }
      return announced;
    });
    if (res.status !== 200) throw new HttpError(`GET ${this.url.pathname}: HTTP ${res.status}`);
    if (this.endpoint === undefined) throw new HttpError(`GET ${this.url.pathname}: the stream ended without an endpoint event`);
    this.posts = await openConnection(this.endpoint);
  }

  private dispatch(message: JsonRpcResponse): void {
    if (typeof message.id !== "number") return;
    const waiter = this.pending.get(message.id);
    if (waiter === undefined) return;
    this.pending.delete(message.id);
    clearTimeout(waiter.timer);
    waiter.resolve(message);
  }

  private failAll(error: Error): void {
    for (const [id, waiter] of this.pending) {
      clearTimeout(waiter.timer);
      this.pending.delete(id);
      waiter.reject(error);
    }
  }

  private async post(body: string): Promise<void> {
    const endpoint = this.endpoint;
    if (endpoint === undefined || this.posts === undefined) throw new HttpError("no endpoint yet");
    const res = await this.posts.request("POST", endpoint.pathname + endpoint.search, "content-type: application/json\r\n", body);
    if (res.status !== 202 && res.status !== 200 && res.status !== 204) throw new HttpError(`POST ${endpoint.pathname}: HTTP ${res.status}`);
  }

  call(method: string, params: Record<string, unknown>): Promise<JsonRpcResponse> {
    if (this.closed) return Promise.reject(new HttpError("session closed"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new HttpError(`${method}: no response on the SSE stream within ${TIMEOUT_MS} ms`));
      }, TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.post(JSON.stringify({ jsonrpc: "2.0", id, method, params })).catch((error: Error) => {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(error);
      });
    });
  }

  close(): Promise<void> {
    this.closed = true;
    this.stream.close();
    this.posts?.close();
    this.failAll(new HttpError("session closed"));
    return Promise.resolve();
  }
}

export const MODERN_PROTOCOL_VERSION = "2026-07-28";

/** 2026-07-28 requests on one keep-alive socket: each stands alone (`_meta` and headers per request). */
export class StatelessSession implements McpSession {
  private nextId = 1;
  private readonly path: string;
  private readonly meta = {
    "io.modelcontextprotocol/protocolVersion": MODERN_PROTOCOL_VERSION,
    "io.modelcontextprotocol/clientCapabilities": {},
    "io.modelcontextprotocol/clientInfo": CLIENT_INFO,
  };

  private constructor(
    private readonly url: URL,
    private connection: RawConnection,
    private readonly extraHeaders: string,
  ) {
    this.path = url.pathname + url.search;
  }

  static async open(url: string, extraHeaders = ""): Promise<StatelessSession> {
    const target = new URL(url);
    return new StatelessSession(target, await openConnection(target), extraHeaders);
  }

  async call(method: string, params: Record<string, unknown>): Promise<JsonRpcResponse> {
    const id = this.nextId++;
    if (this.connection.closed) this.connection = await openConnection(this.url);
    const name = method === "tools/call" || method === "prompts/get" ? params.name : method === "resources/read" ? params.uri : undefined;
    const headers =
      `accept: application/json, text/event-stream\r\ncontent-type: application/json\r\nmcp-protocol-version: ${MODERN_PROTOCOL_VERSION}\r\nmcp-method: ${method}\r\n` +
      (typeof name === "string" ? `mcp-name: ${name}\r\n` : "") +
      this.extraHeaders;
    let found: JsonRpcResponse | undefined;
    let pending = "";
    const res = await this.connection.request("POST", this.path, headers, JSON.stringify({ jsonrpc: "2.0", id, method, params: { ...params, _meta: params._meta === undefined ? this.meta : { ...this.meta, ...(params._meta as object) } } }), (_status, _headers, piece) => {
      pending += piece;
      const parsed = parseSse(pending);
      pending = parsed.rest;
      for (const event of parsed.events) {
        const message: unknown = JSON.parse(event.data);
        if (isResponseTo(message, id)) {
          found = message;
          return true;
        }
      }
      return false;
    });
    if (res.headers["content-type"]?.includes("text/event-stream") === true) {
      if (found === undefined) throw new HttpError(`${method}: SSE stream ended without the response to id ${id}`);
      return found;
    }
    if (res.status !== 200) throw new HttpError(`${method}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
    const message: unknown = JSON.parse(res.body);
    if (!isResponseTo(message, id)) throw new HttpError(`${method}: answer is not the response to id ${id}`);
    return message;
  }

  close(): Promise<void> {
    this.connection.close();
    return Promise.resolve();
  }
}

export type Protocol = "streamable" | "sse" | "stateless";

/** `headers`: extra header lines of every request (Streamable HTTP), e.g. `authorization: Bearer ...
`. */
export function openSession(protocol: Protocol, url: string, headers = ""): Promise<McpSession> {
  if (protocol === "stateless") return StatelessSession.open(url, headers);
  return protocol === "streamable" ? StreamableSession.open(url, headers) : LegacySseSession.open(url);
}
