/**
 * Values computed from a server spec, in one place. Nothing downstream builds a tool prefix, a Kubernetes name,
 * a label set or a metric label by hand: it calls {@link deriveNames}.
 */
import { type ServerSpec } from "./spec.js";

/** Between the server name and the tool name in the names the gateway exposes (`memory__read_graph`). */
export const TOOL_SEPARATOR = "__";
/** What MCP clients accept as a tool name, and therefore what every prefixed name must match. */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
/** Longest exposed (prefixed) tool name. */
export const MAX_TOOL_NAME_LENGTH = 64;
/**
 * Longest server name. The rule: the prefix `<name>__` takes at most 32 of the 64 characters a tool name may
 * have, so every tool keeps at least 32 characters of its own; it also keeps `mcp-<name>` (plus suffixes such as
 * `-metrics`) well inside Kubernetes' 63-character limit.
 */
export const MAX_SERVER_NAME_LENGTH = 32 - TOOL_SEPARATOR.length;

export interface DerivedNames {
  /** Prefix of every tool, prompt and resource name the gateway exposes for this server: `<name>__`. */
  toolPrefix: string;
  /** Name of the server's Kubernetes objects (Deployment, Service, ...): `<prefix>-<name>`. */
  k8sName: string;
  /**
   * Stable labels of the server's objects, usable as selectors: `app.kubernetes.io/{name,instance,component,
   * part-of,managed-by}` and `mcp-fleet.dev/owner`. The spec's own `labels` are not included (they may change
   * without recreating a Deployment); add them to metadata yourself.
   */
  labels: Record<string, string>;
  /** Value of the `server` label on the gateway's per-server metrics. */
  metricServerLabel: string;
}

export interface DeriveOptions {
  /** Prefix of Kubernetes object names. @default "mcp" */
  prefix?: string;
}

/** Derives every computed name of a server from its spec. */
export function deriveNames(spec: Pick<ServerSpec, "name" | "owner">, options: DeriveOptions = {}): DerivedNames {
  const prefix = options.prefix ?? "mcp";
  const k8sName = `${prefix}-${spec.name}`;
  return {
    toolPrefix: `${spec.name}${TOOL_SEPARATOR}`,
    k8sName,
    labels: {
      "app.kubernetes.io/name": spec.name,
      "app.kubernetes.io/instance": k8sName,
      "app.kubernetes.io/component": "mcp-server",
      "app.kubernetes.io/part-of": "mcp-fleet",
      "app.kubernetes.io/managed-by": "mcp-fleet",
      "mcp-fleet.dev/owner": spec.owner,
    },
    metricServerLabel: spec.name,
  };
}
