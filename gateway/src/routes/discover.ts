/**
 * `server/discover` (2026-07-28, server/discover.mdx): the revisions the gateway serves, the union of its backends'
 * capabilities in the 2026-07-28 shape, the one backend's instructions in passthrough mode, and a cache hint (the
 * most conservative of the 2026-07-28 backends' own; immediately stale while a 2025 backend is in the union, whose
 * capabilities may change with its next connection). The gateway's identity goes in `_meta` with every result.
 */
import type { GatewayConfig } from "../config.js";
import { LIST_WITHOUT_HINT, strictest, type CacheHint } from "../protocol/cache-hints.js";
import { SERVED_VERSIONS } from "../protocol/modern.js";
import type { BackendPool } from "../upstream/pool.js";
import { modernCapabilities } from "./capabilities.js";
import { GATEWAY, result, type Route } from "./route.js";

export function discoverResult(config: GatewayConfig, pool: BackendPool): Record<string, unknown> {
  let hint: CacheHint | undefined;
  for (const backend of pool.primaries()) {
    const own = backend.modern ? (backend.discoverHint ?? LIST_WITHOUT_HINT) : LIST_WITHOUT_HINT;
    hint = hint === undefined ? own : strictest(hint, own);
  }
  hint ??= LIST_WITHOUT_HINT;
  const answer: Record<string, unknown> = { supportedVersions: SERVED_VERSIONS, capabilities: modernCapabilities(pool) };
  if (config.naming.passthrough) {
    const only = pool.primaries()[0];
    if (only?.instructions !== undefined) answer.instructions = only.instructions;
  }
  answer.ttlMs = hint.ttlMs;
  answer.cacheScope = hint.cacheScope;
  return answer;
}

export function discoverRoute(config: GatewayConfig, pool: BackendPool): Route {
  return {
    resolve: () => GATEWAY,
    serve: (_call, request, _subject, reply) => reply(result(request, discoverResult(config, pool))),
  };
}
