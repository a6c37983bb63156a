/**
 * JSON-RPC 2.0 envelopes as MCP uses them, checked cheaply (no schema library on the hot path), and the rules every
 * request's `params` must follow whatever its method.
 */
import type { JsonRpcId } from "../jsonrpc.js";

/** Why an object is not a JSON-RPC 2.0 message, or `undefined` when it is one. */
export function envelopeProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "a JSON-RPC message must be an object";
  const m = value as Record<string, unknown>;
  if (m.jsonrpc !== "2.0") return 'field "jsonrpc" must be "2.0"';
  const hasId = "id" in m && m.id !== undefined;
  if (hasId && typeof m.id !== "string" && !(typeof m.id === "number" && Number.isFinite(m.id)) && m.id !== null) {
    return 'field "id" must be a string or a number';
  }
  if ("method" in m) {
    if (typeof m.method !== "string" || m.method.length === 0) return 'field "method" must be a non-empty string';
    if (m.id === null) return 'field "id" of a request must not be null';
    if ("params" in m && m.params !== undefined && (typeof m.params !== "object" || m.params === null)) {
      return 'field "params" must be an object';
    }
    return undefined;
  }
  if ("result" in m || "error" in m) {
    if (!hasId) return 'a response needs an "id"';
    if ("error" in m && (typeof m.error !== "object" || m.error === null)) return 'field "error" must be an object';
    return undefined;
  }
  return 'a JSON-RPC message needs "method" (request, notification) or "result"/"error" (response)';
}

/** The id of a message to echo in an error about it: only a valid JSON-RPC id, else null. */
export function validId(message: unknown): JsonRpcId | null {
  const id = typeof message === "object" && message !== null ? (message as { id?: unknown }).id : undefined;
  return typeof id === "string" || (typeof id === "number" && Number.isFinite(id)) ? id : null;
}
