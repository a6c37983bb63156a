/**
 * A channel carries raw JSON-RPC messages to and from one backend connection. It knows nothing of MCP: the
 * handshake, ids and routing live in `backend.ts`.
 */
import type { JsonRpcMessage } from "../jsonrpc.js";

export interface ChannelCloseInfo {
  /** Human-readable cause, e.g. `exited with code 1` or `killed by SIGKILL`. */
  reason: string;
}

/** Where a message came from: the answer stream of the POST that carried request `requestId` (HTTP only). */
export interface MessageOrigin {
  requestId: number;
}

export interface Channel {
  /** Opens the connection; rejects when it cannot be opened. */
  start(): Promise<void>;
  /**
   * Sends one message; throws when the channel is closed. HTTP channels return a promise that settles when the
   * server accepted the POST (the handshake awaits it so the server handled `initialized` before the first list),
   * and add `headers` to its POST.
   */
  send(message: JsonRpcMessage, headers?: Readonly<Record<string, string>>): void | Promise<void>;
  /** Closes the connection and everything it started. Idempotent. */
  close(): Promise<void>;
  /** After the handshake: the negotiated protocol version (HTTP channels send it as a header). */
  setProtocolVersion?(version: string): void;
  /**
   * Ends a 2026-07-28 request by closing its answer stream (the revision's cancellation over HTTP); false when the
   * channel has no such stream for it (then `notifications/cancelled` is the way).
   */
  abort?(requestId: number): boolean;
  onmessage?: (message: JsonRpcMessage, origin?: MessageOrigin) => void;
  /** A message could not be delivered (HTTP error, connection refused); `fatal` when the connection is unusable. */
  onsenderror?: (message: JsonRpcMessage, error: Error, fatal: boolean) => void;
  /** Called once when the connection ends, whoever ended it. */
  onclose?: (info: ChannelCloseInfo) => void;
}
