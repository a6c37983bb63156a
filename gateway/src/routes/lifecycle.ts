/** `initialize` and `ping`: answered by the gateway itself. */
import type { GatewayConfig } from "../config.js";
import { GATEWAY_INFO, negotiateVersion } from "../protocol/versions.js";
import type { BackendPool } from "../upstream/pool.js";
import { offeredCapabilities } from "./capabilities.js";
import { GATEWAY, result, type Route } from "./route.js";

export function initializeResult(config: GatewayConfig, pool: BackendPool, protocolVersion: string): Record<string, unknown> {
  const answer: Record<string, unknown> = { protocolVersion, capabilities: offeredCapabilities(pool), serverInfo: GATEWAY_INFO };
  if (config.naming.passthrough) {
    // One backend behind unprefixed names: its instructions are the gateway's.
    const only = pool.primaries()[0];
    if (only?.instructions !== undefined) answer.instructions = only.instructions;
  }
  return answer;
}

export function initializeRoute(config: GatewayConfig, pool: BackendPool): Route {
  return {
    resolve: () => GATEWAY,
    serve: (_call, request, _subject, reply) => reply(result(request, initializeResult(config, pool, negotiateVersion(request.params?.protocolVersion)))),
  };
}

export const pingRoute: Route = {
  resolve: () => GATEWAY,
  serve: (_call, request, _subject, reply) => reply(result(request, {})),
};
