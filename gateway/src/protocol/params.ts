/**
 * What every request's `params` must satisfy whatever its method: `_meta`, when present, is an object, and its
 * `progressToken` is a string or a number (MCP's `ProgressToken`). A backend given anything else drops the call
 * silently and the client would wait for its timeout; the gateway refuses it at once with -32602.
 */

/** Why `params` is not acceptable, or `undefined`. */
export function paramsProblem(params: Record<string, unknown> | undefined): string | undefined {
  if (params === undefined || !("_meta" in params)) return undefined;
  const meta = params._meta;
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) return '"_meta" must be an object';
  const token = (meta as Record<string, unknown>).progressToken;
  if (token !== undefined && typeof token !== "string" && !(typeof token === "number" && Number.isFinite(token))) {
    return '"_meta.progressToken" must be a string or a number';
  }
  return undefined;
}
