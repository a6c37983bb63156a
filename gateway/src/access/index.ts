/** The access room: with auth on, each caller reads the catalog through the view of its roles (deny by default). */
import type { Registry } from "../catalog/registry.js";
import type { GatewayConfig } from "../config.js";
import { AccessPolicy } from "./policy.js";
import { AccessViews } from "./views.js";

export { AccessPolicy, type ItemKind } from "./policy.js";
export { AccessViews } from "./views.js";

/** The views of a config's callers, or undefined when the gateway does not authenticate (everyone sees everything). */
export function accessViews(config: GatewayConfig, registry: Registry): AccessViews | undefined {
  return config.auth.mode === "none" ? undefined : new AccessViews(registry, new AccessPolicy(config.servers));
}
