/**
 * Labels and selectors. Server labels come from `deriveNames` (servers/catalog/derive.ts); the gateway's are
 * shaped the same way here. Selectors use the stable subset only, so adding a label never orphans a ReplicaSet.
 */
import { deriveNames } from "../../../servers/catalog/derive.js";
import type { ServerSpec } from "../../../servers/catalog/spec.js";

/** Name of the gateway's objects for a prefix: `<prefix>-gateway`. */
export function gatewayK8sName(prefix: string): string {
  return `${prefix}-gateway`;
}

/** Owner label value of the fleet-level objects (the gateway, the namespace). */
export const DEFAULT_FLEET_OWNER = "platform";

/** Labels of the gateway's objects; its selector is their name and instance (see {@link selectorOf}). */
export function gatewayLabels(prefix: string, owner: string = DEFAULT_FLEET_OWNER): Record<string, string> {
  return {
    "app.kubernetes.io/name": "mcp-fleet-gateway",
    "app.kubernetes.io/instance": gatewayK8sName(prefix),
    "app.kubernetes.io/component": "gateway",
    "app.kubernetes.io/part-of": "mcp-fleet",
    "app.kubernetes.io/managed-by": "mcp-fleet",
    "mcp-fleet.dev/owner": owner,
  };
}

/** The selector of a workload: its name and instance labels. */
export function selectorOf(labels: Record<string, string>): Record<string, string> {
  return {
    "app.kubernetes.io/name": labels["app.kubernetes.io/name"] ?? "",
    "app.kubernetes.io/instance": labels["app.kubernetes.io/instance"] ?? "",
  };
}

/** A server's names and labels: the derived ones plus the spec's own extra labels (never overriding them). */
export function serverIdentity(spec: ServerSpec, prefix: string): { k8sName: string; labels: Record<string, string>; selector: Record<string, string> } {
  const derived = deriveNames(spec, { prefix });
  return { k8sName: derived.k8sName, labels: { ...spec.labels, ...derived.labels }, selector: selectorOf(derived.labels) };
}
