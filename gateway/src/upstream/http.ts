/**
 * Legacy SSE backends: the SDK's client transport used as a plain message channel (no SDK `Client`, no per-call
 * protocol layer). Streamable HTTP backends use our own channel (`streamable-client.ts`).
 */
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "../observability/logger.js";
import type { JsonRpcMessage } from "../jsonrpc.js";
import type { Channel, ChannelCloseInfo } from "./channel.js";

interface SdkTransport {
  start(): Promise<void>;
  send(message: JSONRPCMessage): Promise<void>;
  close(): Promise<void>;
  setProtocolVersion?(version: string): void;
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
}

export interface RemoteChannelOptions {
  url: string;
  headers: Record<string, string>;
  logger: Logger;
}

abstract class SdkTransportChannel implements Channel {
  private closed = false;
  private lastError: string | undefined;
  onmessage?: (message: JsonRpcMessage) => void;
  onclose?: (info: ChannelCloseInfo) => void;
  protected readonly transport: SdkTransport;

  constructor(protected readonly options: RemoteChannelOptions) {
    this.transport = this.createTransport();
    this.transport.onmessage = (message) => this.onmessage?.(message as JsonRpcMessage);
    this.transport.onerror = (error) => {
      this.lastError = error.message;
      options.logger.warn({ err: error.message }, "backend transport error");
    };
    this.transport.onclose = () => this.finish(this.lastError ?? "connection closed");
  }

  protected abstract createTransport(): SdkTransport;

  async start(): Promise<void> {
    await this.transport.start();
  }

  /** Headers of single messages in flight, by their body: the transport's fetch adds them to that POST only. */
  protected readonly messageHeaders = new Map<string, Readonly<Record<string, string>>>();

  send(message: JsonRpcMessage, headers?: Readonly<Record<string, string>>): Promise<void> {
    if (this.closed) throw new Error("the connection is closed");
    let body: string | undefined;
    if (headers !== undefined) this.messageHeaders.set((body = JSON.stringify(message)), headers);
    return this.transport.send(message as JSONRPCMessage).finally(() => {
      if (body !== undefined) this.messageHeaders.delete(body);
    }).catch((error: Error) => {
      // A failed POST: the pending call (if any) is failed by the backend's error path.
      this.lastError = error.message;
      // Unreachable server, or it forgot our session (restarted): this connection is done; the backend reconnects.
      const fatal = /fetch failed|ECONNREFUSED|ECONNRESET|HTTP 404|Session not found/i.test(`${error.message} ${String((error as { cause?: unknown }).cause ?? "")}`);
      this.onsenderror?.(message, error, fatal);
      if (fatal) void this.close().then(() => undefined);
    });
  }

  onsenderror?: (message: JsonRpcMessage, error: Error, fatal: boolean) => void;

  setProtocolVersion(version: string): void {
    this.transport.setProtocolVersion?.(version);
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.({ reason });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.finish(this.lastError ?? "stopped by the gateway");
    await this.transport.close().catch(() => undefined);
  }
}

export class SseChannel extends SdkTransportChannel {
  protected createTransport(): SdkTransport {
    return new SSEClientTransport(new URL(this.options.url), {
      requestInit: { headers: this.options.headers },
      // A POST whose message has headers of its own (a caller's identity) gets them; the stream and others do not.
      fetch: (url, init) => {
        const own = typeof init?.body === "string" ? this.messageHeaders.get(init.body) : undefined;
        if (own === undefined) return fetch(url, init);
        const headers = new Headers(init!.headers);
        for (const name in own) headers.set(name, own[name]!);
        return fetch(url, { ...init, headers });
      },
    }) as unknown as SdkTransport;
  }
}
