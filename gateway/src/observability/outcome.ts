/** The metrics outcome of an answer: ok, a tool-level error, a JSON-RPC error, a timeout, or a backend unavailable. */
import { ErrorCode, RpcError, type JsonRpcErrorObject, type JsonRpcResponse } from "../jsonrpc.js";
import type { Outcome } from "./metrics-contract.js";

export function errorOutcome(error: JsonRpcErrorObject): Outcome {
  if (error.code === ErrorCode.RequestTimeout) return "timeout";
  if (error.code === ErrorCode.BackendUnavailable && error.message.startsWith('Server "')) return "unavailable";
  return "error";
}

export function outcomeOf(response: JsonRpcResponse): Outcome {
  if (response.error !== undefined) return errorOutcome(response.error);
  return (response.result as { isError?: boolean } | undefined)?.isError === true ? "tool_error" : "ok";
}

/** Any thrown value as a JSON-RPC error object (an RpcError keeps its code; anything else is -32603). */
export function asErrorObject(error: unknown): JsonRpcErrorObject {
  if (error instanceof RpcError) return error.toObject();
  return { code: ErrorCode.InternalError, message: error instanceof Error ? error.message : String(error) };
}
