/**
 * A channel carries raw JSON-RPC messages to and from one backend connection. It knows nothing of MCP: the
 * handshake, ids and routing live in `backend.ts`.
 */
import type { JsonRpcMessage } from "../jsonrpc.js";

export interface ChannelCloseInfo {
  /** Human-readable cause, e.g. `exited with code 1` or `killed by SIGKILL`. */
  reason: string;
}

export interface Channel {
  /** Opens the connection; rejects when it cannot be opened. */
  start(): Promise<void>;
  /** Sends one message; throws when the channel is closed. */
  send(message: JsonRpcMessage): void;
  /** Closes the connection and everything it started. Idempotent. */
  close(): Promise<void>;
  /** After the handshake: the negotiated protocol version (HTTP channels send it as a header). */
  setProtocolVersion?(version: string): void;
  onmessage?: (message: JsonRpcMessage) => void;
  /** Called once when the connection ends, whoever ended it. */
  onclose?: (info: ChannelCloseInfo) => void;
}
