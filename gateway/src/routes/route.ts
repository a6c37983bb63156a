/**
 * A route serves one kind of JSON-RPC request. It first resolves what the request is about (its subject: the
 * backend tool, prompt or resource, or the gateway itself), so that the steps between the front and the routes
 * (access, rate limits) decide on the same subject the route then serves.
 */
import type { ClientCall, Subject } from "../context.js";
import type { JsonRpcRequest, JsonRpcResponse, RpcError } from "../jsonrpc.js";

export type { Subject } from "../context.js";

/** Where a route sends the answer of one request. Called exactly once. */
export type Reply = (response: JsonRpcResponse) => void;

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
