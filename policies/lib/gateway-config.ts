/** Finding the rendered gateway config in a ConfigMap (the gateway's own, or a server adapter's). */
import { parse as parseYaml } from "yaml";

export interface GatewayConfigShape {
  naming?: { separator?: string; passthrough?: boolean };
  auth?: { mode?: string; apiKeys?: unknown[]; trustedNetwork?: boolean };
  rateLimits?: { store?: { type?: string; url?: string } };
  servers: Array<{
    name?: string;
    env?: Record<string, string>;
    headers?: Record<string, string>;
    tools?: { allow?: string[] };
    access?: unknown[];
    credentials?: { headers?: Record<string, string> };
  }>;
}

/** Whether a gateway config authenticates its callers. */
export function authenticates(config: GatewayConfigShape): boolean {
  return config.auth?.mode !== undefined && config.auth.mode !== "none";
}

/** The gateway config held by a ConfigMap value, if that value is one (an object with a `servers` array). */
export function gatewayConfigIn(text: unknown): GatewayConfigShape | undefined {
  if (typeof text !== "string") return undefined;
  let value: unknown;
  try {
    value = parseYaml(text); // YAML is a superset of JSON
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || !Array.isArray((value as { servers?: unknown }).servers)) return undefined;
  return value as GatewayConfigShape;
}

/** Every gateway config in a ConfigMap's `data`, with its key. */
export function gatewayConfigsOf(data: unknown): Array<{ key: string; config: GatewayConfigShape }> {
  return Object.entries((data as Record<string, unknown> | undefined) ?? {})
    .map(([key, text]) => ({ key, config: gatewayConfigIn(text) }))
    .filter((c): c is { key: string; config: GatewayConfigShape } => c.config !== undefined);
}
