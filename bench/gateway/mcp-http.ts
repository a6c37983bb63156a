/**
 * A minimal MCP client over raw HTTP for the load generator: keep-alive sockets, no SDK (the SDK client costs
 * ~0.5 ms CPU per call, which would hide the differences between targets).
 *
 * Two session kinds:
 * - Streamable HTTP: POST JSON-RPC, answer as `application/json` or as an SSE stream (parsed incrementally; the
 *   call resolves at the event that carries its response), `Mcp-Session-Id` and `MCP-Protocol-Version` headers.
 * - Legacy SSE (2024-11-05): one `GET` event stream per session, whose `endpoint` event names the POST URL;
 *   answers arrive on the stream and are matched by id.
 */
import { request, type Agent, type IncomingMessage } from "node:http";

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

/** One Streamable HTTP session. */
export class StreamableSession implements McpSession {
  private sessionId: string | undefined;
  private protocolVersion = PROTOCOL_VERSION;
  private nextId = 1;

  private constructor(
    private readonly url: URL,
    private readonly agent: Agent,
  ) {}

  static async open(url: string, agent: Agent): Promise<StreamableSession> {
    const session = new StreamableSession(new URL(url), agent);
    const init = await session.call("initialize", { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: CLIENT_INFO });
    if (init.error !== undefined) throw new HttpError(`initialize failed: ${init.error.message}`);
    session.protocolVersion = String(init.result?.protocolVersion ?? PROTOCOL_VERSION);
    await session.notify("notifications/initialized");
    return session;
  }

  private headers(body?: string): Record<string, string> {
    const headers: Record<string, string> = { accept: "application/json, text/event-stream", "mcp-protocol-version": this.protocolVersion };
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = String(Buffer.byteLength(body));
    }
    if (this.sessionId !== undefined) headers["mcp-session-id"] = this.sessionId;
    return headers;
  }

  private async notify(method: string): Promise<void> {
    const body = JSON.stringify({ jsonrpc: "2.0", method });
    const res = await this.send("POST", body);
    res.resume();
    if (res.statusCode !== 202 && res.statusCode !== 200 && res.statusCode !== 204) throw new HttpError(`${method}: HTTP ${res.statusCode}`);
  }

  private send(method: string, body?: string): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = request(this.url, { method, agent: this.agent, headers: this.headers(body), timeout: TIMEOUT_MS }, resolve);
      req.on("timeout", () => req.destroy(new HttpError(`${method} ${this.url.pathname}: no answer within ${TIMEOUT_MS} ms`)));
      req.on("error", reject);
      req.end(body);
    });
  }

  async call(method: string, params: Record<string, unknown>): Promise<JsonRpcResponse> {
    const id = this.nextId++;
    const res = await this.send("POST", JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    const sid = res.headers["mcp-session-id"];
    if (typeof sid === "string") this.sessionId = sid;
    if (res.statusCode !== 200) {
      const text = await readAll(res);
      throw new HttpError(`${method}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
    }
    const type = res.headers["content-type"] ?? "";
    if (type.includes("text/event-stream")) return readSseResponse(res, id, method);
    const message: unknown = JSON.parse(await readAll(res));
    if (!isResponseTo(message, id)) throw new HttpError(`${method}: answer is not the response to id ${id}`);
    return message;
  }

  async close(): Promise<void> {
    if (this.sessionId === undefined) return;
    try {
      const res = await this.send("DELETE");
      res.resume();
    } catch {
      // the target may be gone already
    }
  }
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => (text += chunk));
    res.on("end", () => resolve(text));
    res.on("error", reject);
  });
}

function readSseResponse(res: IncomingMessage, id: number, method: string): Promise<JsonRpcResponse> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    let done = false;
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      if (done) return;
      buffer += chunk;
      const parsed = parseSse(buffer);
      buffer = parsed.rest;
      for (const event of parsed.events) {
        if (event.data.trim() === "") continue;
        let message: unknown;
        try {
          message = JSON.parse(event.data);
        } catch {
          done = true;
          reject(new HttpError(`${method}: SSE event is not JSON: ${event.data.slice(0, 100)}`));
          return;
        }
        if (isResponseTo(message, id)) {
          done = true;
          resolve(message);
          return;
        }
      }
    });
    res.on("end", () => {
      if (!done) reject(new HttpError(`${method}: SSE stream ended without the response to id ${id}`));
    });
    res.on("error", (error) => {
      if (!done) reject(error);
    });
  });
}

/** One legacy SSE session: a GET event stream plus POSTs to the endpoint it announces. */
export class LegacySseSession implements McpSession {
  private readonly pending = new Map<number, { resolve: (r: JsonRpcResponse) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private nextId = 1;
  private endpoint: URL | undefined;
  private stream: IncomingMessage | undefined;
  private closed = false;

  private constructor(
    private readonly url: URL,
    private readonly agent: Agent,
  ) {}

  static async open(url: string, agent: Agent): Promise<LegacySseSession> {
    const session = new LegacySseSession(new URL(url), agent);
    await session.connect();
    const init = await session.call("initialize", { protocolVersion: "2024-11-05", capabilities: {}, clientInfo: CLIENT_INFO });
    if (init.error !== undefined) throw new HttpError(`initialize failed: ${init.error.message}`);
    await session.post(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
    return session;
  }

  private connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      // Its own socket (no agent): the stream holds it for the session's life.
      const req = request(this.url, { method: "GET", headers: { accept: "text/event-stream" } }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new HttpError(`GET ${this.url.pathname}: HTTP ${res.statusCode}`));
          return;
        }
        this.stream = res;
        let buffer = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffer += chunk;
          const parsed = parseSse(buffer);
          buffer = parsed.rest;
          for (const event of parsed.events) {
            if (event.event === "endpoint") {
              this.endpoint = new URL(event.data.trim(), this.url);
              resolve();
            } else if (event.event === "message") {
              try {
                this.dispatch(JSON.parse(event.data) as JsonRpcResponse);
              } catch {
                // not JSON: ignore (a call it answered times out and counts as an error)
              }
            }
          }
        });
        res.on("close", () => this.failAll(new HttpError("SSE stream closed")));
      });
      req.setTimeout(TIMEOUT_MS, () => {
        if (this.endpoint === undefined) req.destroy(new HttpError(`GET ${this.url.pathname}: no endpoint event within ${TIMEOUT_MS} ms`));
      });
      req.on("error", (error) => {
        reject(error);
        this.failAll(error);
      });
      req.end();
    });
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

  private post(body: string): Promise<void> {
    const endpoint = this.endpoint;
    if (endpoint === undefined) return Promise.reject(new HttpError("no endpoint yet"));
    return new Promise((resolve, reject) => {
      const req = request(
        endpoint,
        { method: "POST", agent: this.agent, headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) }, timeout: TIMEOUT_MS },
        (res) => {
          res.resume();
          if (res.statusCode === 202 || res.statusCode === 200 || res.statusCode === 204) resolve();
          else reject(new HttpError(`POST ${endpoint.pathname}: HTTP ${res.statusCode}`));
        },
      );
      req.on("timeout", () => req.destroy(new HttpError(`POST ${endpoint.pathname}: no answer within ${TIMEOUT_MS} ms`)));
      req.on("error", reject);
      req.end(body);
    });
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
    this.stream?.destroy();
    this.failAll(new HttpError("session closed"));
    return Promise.resolve();
  }
}

export type Protocol = "streamable" | "sse";

export function openSession(protocol: Protocol, url: string, agent: Agent): Promise<McpSession> {
  return protocol === "streamable" ? StreamableSession.open(url, agent) : LegacySseSession.open(url, agent);
}
