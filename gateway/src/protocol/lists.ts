/** MCP's four lists: the method that reads each, the server capability that offers it, the notification of a change. */

export type ListKind = "tools" | "resources" | "resourceTemplates" | "prompts";

export const LISTS: Readonly<Record<ListKind, { method: string; capability: "tools" | "resources" | "prompts"; changed: string }>> = {
  tools: { method: "tools/list", capability: "tools", changed: "notifications/tools/list_changed" },
  resources: { method: "resources/list", capability: "resources", changed: "notifications/resources/list_changed" },
  resourceTemplates: { method: "resources/templates/list", capability: "resources", changed: "notifications/resources/list_changed" },
  prompts: { method: "prompts/list", capability: "prompts", changed: "notifications/prompts/list_changed" },
};

const KINDS = Object.keys(LISTS) as ListKind[];

/** The lists a `notifications/<kind>/list_changed` announces (resources: both resources and templates), if it is one. */
export function listsChangedBy(method: string): ListKind[] | undefined {
  const kinds = KINDS.filter((kind) => LISTS[kind].changed === method);
  return kinds.length === 0 ? undefined : kinds;
}
