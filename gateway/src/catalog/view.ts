/**
 * What one caller sees of the catalog: the aggregated lists and the lookups that route a request to its backend.
 * The registry is the whole catalog; a narrower view (per identity, from the access rules) answers a hidden item
 * exactly like a missing one, so routes never need to know why an item is absent.
 */

/** A listed item as clients see it (tool, resource, resource template, prompt). */
export type Item = Record<string, unknown> & { name?: string; uri?: string; uriTemplate?: string };

/** Where an exposed tool or prompt lives. */
export interface Target {
  server: string;
  /** The backend's own name of the tool or prompt. */
  name: string;
}

export interface CatalogView {
  readonly tools: readonly Item[];
  readonly resources: readonly Item[];
  readonly resourceTemplates: readonly Item[];
  readonly prompts: readonly Item[];
  /** The backend tool behind an exposed name, if this view shows it. */
  tool(exposed: string): Target | undefined;
  prompt(exposed: string): Target | undefined;
  /** The server that serves a resource URI (listed URIs first, then templates), if this view shows it. */
  resourceServer(uri: string): string | undefined;
}
