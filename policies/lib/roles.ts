/**
 * Which part of the fleet an object belongs to, from its labels (`servers/catalog/derive.ts` sets them):
 * servers carry `app.kubernetes.io/component: mcp-server`, the gateway a component ending in `gateway`.
 */
export const COMPONENT_LABEL = "app.kubernetes.io/component";
export const SERVER_COMPONENT = "mcp-server";

export type Role = "server" | "gateway" | "other";

export function roleOf(labels: Record<string, string> | undefined): Role {
  const component = labels?.[COMPONENT_LABEL];
  if (component === SERVER_COMPONENT) return "server";
  if (component !== undefined && /(^|-)gateway$/.test(component)) return "gateway";
  return "other";
}

/** Labels of a `@pulumi/docker` container (`labels: [{ label, value }]`) as a map. */
export function dockerLabels(props: { labels?: Array<{ label: string; value: string }> }): Record<string, string> {
  return Object.fromEntries((props.labels ?? []).map(({ label, value }) => [label, value]));
}
