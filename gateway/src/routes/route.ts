/**
 * A route serves one kind of JSON-RPC request. It first resolves what the request is about (its subject: the
 * backend tool, prompt or resource, or the gateway itself), so that the steps between the front and the routes
 * (access, rate limits) decide on the same subject the route then serves.
 */
import type { ClientCall } from "../context.js";
import type { JsonRpcRequest, JsonRpcResponse, RpcError } from "../jsonrpc.js";

/** Where a route sends the answer of one request. Called exactly once. */
export type Reply = (response: JsonRpcResponse) => void;

/** What a request is about. `server` is set for everything a backend serves. */
export type Subject =
  /** Answered by the gateway itself (initialize, ping, lists, logging/setLevel, refusals). */
  | { kind: "gateway" }
  /** `name`: the backend's own name of the tool (the caller used its exposed name). */
  | { kind: "tool"; server: string; name: string }
  | { kind: "prompt"; server: string; name: string }
  | { kind: "resource"; server: string; uri: string }
  /** A task of a backend (tasks/get, result, cancel), behind the caller's handle. */
  | { kind: "task"; server: string; upstreamId: string; handle: string };

export interface Route<S extends Subject = Subject> {
  /** The request's subject, or the error to answer (an unknown name, a missing parameter). */
  resolve(call: ClientCall, request: JsonRpcRequest): S | RpcError;
  /** Serves the request; `reply` exactly once. */
  serve(call: ClientCall, request: JsonRpcRequest, subject: S, reply: Reply): void;
}

export const GATEWAY: Subject = { kind: "gateway" };

export function result(request: JsonRpcRequest, value: unknown): JsonRpcResponse {
  return { jsonrpc: "2.0", id: request.id, result: value };
}

export function failure(request: JsonRpcRequest, error: RpcError): JsonRpcResponse {
  return { jsonrpc: "2.0", id: request.id, error: error.toObject() };
}
