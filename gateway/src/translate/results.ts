/**
 * Results and errors as each era expects them. A 2026-07-28 caller gets `resultType` on every result, the gateway's
 * identity in `_meta` (`io.modelcontextprotocol/serverInfo`), a cache hint on every read, and none of the codes the
 * revision forbids (`-32002`: a missing resource is `-32602`). A 2025 caller gets results without `resultType`
 * and a missing resource as `-32002`, whichever era answered.
 */
import { ErrorCode, type JsonRpcErrorObject, type JsonRpcResponse } from "../jsonrpc.js";
import { READ_WITHOUT_HINT, hintOf } from "../protocol/cache-hints.js";
import { META } from "../protocol/modern.js";
import { GATEWAY_INFO } from "../protocol/versions.js";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** An error for a 2026-07-28 caller: `-32002` (resource not found, or the gateway's backend-unavailable) never goes out. */
export function modernError(error: JsonRpcErrorObject): JsonRpcErrorObject {
  if (error.code !== ErrorCode.ResourceNotFound) return error;
  // The gateway's own "Server "x" is unavailable/failed during..." shares the legacy code; 2026-07-28 has none for it.
  const code = error.message.startsWith('Server "') ? ErrorCode.InternalError : ErrorCode.InvalidParams;
  return { ...error, code };
}

/** The `_meta` of a result that had none (shared: never mutated). */
const SERVER_INFO_META: Readonly<Json> = Object.freeze({ [META.serverInfo]: GATEWAY_INFO });

/** The answer to a 2026-07-28 request, as that caller expects it. */
export function modernAnswer(method: string, response: JsonRpcResponse): JsonRpcResponse {
  if (response.error !== undefined) {
    const error = modernError(response.error);
    return error === response.error ? response : { ...response, error };
  }
  const result: Json = isObject(response.result) ? response.result : {};
  const meta = isObject(result._meta) ? result._meta : undefined;
  const out: Json = { ...result, resultType: typeof result.resultType === "string" ? result.resultType : "complete", _meta: meta === undefined ? SERVER_INFO_META : { ...meta, [META.serverInfo]: GATEWAY_INFO } };
  if (method === "resources/read" && out.resultType === "complete" && hintOf(result) === undefined) {
    out.ttlMs = READ_WITHOUT_HINT.ttlMs;
    out.cacheScope = READ_WITHOUT_HINT.cacheScope;
  }
  return { jsonrpc: "2.0", id: response.id, result: out };
}

/** A 2026-07-28 backend's result for a 2025 caller: no `resultType` (a 2025 result has none). */
export function legacyResult(result: unknown): unknown {
  if (!isObject(result) || !("resultType" in result)) return result;
  const { resultType: _dropped, ...rest } = result;
  return rest;
}

/** A 2026-07-28 backend's error for a 2025 caller: a missing resource (`-32602` naming the URI) is `-32002`. */
export function legacyError(method: string, error: JsonRpcErrorObject): JsonRpcErrorObject {
  if (error.code === ErrorCode.InvalidParams && (method === "resources/read" || method === "resources/subscribe") && isObject(error.data) && typeof error.data.uri === "string") {
    return { ...error, code: ErrorCode.ResourceNotFound };
  }
  return error;
}
