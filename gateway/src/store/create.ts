/** The shared state store a config names (Redis is loaded only when configured). */
import type { GatewayConfig } from "../config.js";
import type { Logger } from "../observability/logger.js";
import { MemoryState, type SharedState } from "./shared-state.js";

export async function createSharedState(config: GatewayConfig["rateLimits"]["store"], logger: Logger, env: NodeJS.ProcessEnv = process.env): Promise<SharedState> {
  if (config.type === "memory") return new MemoryState();
  const url = config.url ?? env[config.urlFromEnv!];
  if (url === undefined || url === "") throw new Error(`rateLimits.store.urlFromEnv names ${config.urlFromEnv}, which is unset. Set it to the Redis URL.`);
  const { RedisState } = await import("./redis-state.js");
  return new RedisState({ url, keyPrefix: config.keyPrefix, timeoutMs: config.timeoutMs, onUnavailable: config.onUnavailable, logger });
}
