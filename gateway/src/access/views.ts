/**
 * What each caller sees of the catalog: a {@link CatalogView} per distinct role set, narrowed by the access policy.
 * A hidden item is absent from the view exactly like a missing one (the routes' "unknown tool" answers both), so
 * nothing tells a caller what it may not see. Views are cached per role set, not per request, and dropped when the
 * registry's lists change; a view computes each list on first use and remembers each name it was asked about.
 */
import type { Registry } from "../catalog/registry.js";
import type { Caller, CatalogView, Item, Principal, Target } from "../context.js";
import type { AccessPolicy } from "./policy.js";

/** Shows nothing: a caller without an identity (never routed when auth is on; a safe default all the same). */
const NOTHING: CatalogView = { tools: [], resources: [], resourceTemplates: [], prompts: [], tool: () => undefined, prompt: () => undefined, resourceServer: () => undefined };

class RoleView implements CatalogView {
  private lists: Partial<Record<"tools" | "resources" | "resourceTemplates" | "prompts", readonly Item[]>> = {};
  private readonly toolTargets = new Map<string, Target | null>();
  private readonly promptTargets = new Map<string, Target | null>();

  constructor(
    private readonly registry: Registry,
    private readonly policy: AccessPolicy,
    private readonly roles: readonly string[],
  ) {}

  private allowedTarget(kind: "tools" | "prompts", target: Target | undefined): boolean {
    return target !== undefined && this.policy.allows(this.roles, target.server, kind, target.name);
  }

  private list(key: "tools" | "resources" | "resourceTemplates" | "prompts"): readonly Item[] {
    let items = this.lists[key];
    if (items !== undefined) return items;
    const r = this.registry;
    switch (key) {
      case "tools":
        items = r.tools.filter((t) => this.allowedTarget("tools", r.tool(String(t.name))));
        break;
      case "prompts":
        items = r.prompts.filter((p) => this.allowedTarget("prompts", r.prompt(String(p.name))));
        break;
      case "resources":
        items = r.resources.filter((res) => {
          const server = r.resourceServer(String(res.uri));
          return server !== undefined && this.policy.allows(this.roles, server, "resources", String(res.uri));
        });
        break;
      case "resourceTemplates":
        items = r.resourceTemplates.filter((t, i) => {
          const server = r.resourceTemplateServers[i];
          return server !== undefined && this.policy.allows(this.roles, server, "resources", String(t.uriTemplate));
        });
        break;
    }
    this.lists[key] = items;
    return items;
  }

  get tools(): readonly Item[] {
    return this.list("tools");
  }
  get resources(): readonly Item[] {
    return this.list("resources");
  }
  get resourceTemplates(): readonly Item[] {
    return this.list("resourceTemplates");
  }
  get prompts(): readonly Item[] {
    return this.list("prompts");
  }

  private lookup(cache: Map<string, Target | null>, kind: "tools" | "prompts", exposed: string): Target | undefined {
    const known = cache.get(exposed);
    if (known !== undefined) return known ?? undefined;
    const target = kind === "tools" ? this.registry.tool(exposed) : this.registry.prompt(exposed);
    if (target === undefined) return undefined; // not cached: a client's made-up names must not grow the map
    const shown = this.allowedTarget(kind, target) ? target : null;
    cache.set(exposed, shown);
    return shown ?? undefined;
  }

  tool(exposed: string): Target | undefined {
    return this.lookup(this.toolTargets, "tools", exposed);
  }

  prompt(exposed: string): Target | undefined {
    return this.lookup(this.promptTargets, "prompts", exposed);
  }

  resourceServer(uri: string): string | undefined {
    const server = this.registry.resourceServer(uri);
    return server !== undefined && this.policy.allows(this.roles, server, "resources", uri) ? server : undefined;
  }
}

export class AccessViews {
  private byRoles = new Map<string, CatalogView>();
  private byPrincipal = new WeakMap<Principal, { generation: number; view: CatalogView }>();
  private generation = 0;

  constructor(
    private readonly registry: Registry,
    private readonly policy: AccessPolicy,
  ) {}

  /** The view of a caller: one per distinct role set. */
  viewFor(caller: Caller): CatalogView {
    const principal = caller.principal;
    if (principal === undefined) return NOTHING;
    const known = this.byPrincipal.get(principal);
    if (known !== undefined && known.generation === this.generation) return known.view;
    const key = [...new Set(principal.roles)].sort().join("\n");
    let view = this.byRoles.get(key);
    if (view === undefined) {
      view = new RoleView(this.registry, this.policy, [...principal.roles]);
      this.byRoles.set(key, view);
    }
    this.byPrincipal.set(principal, { generation: this.generation, view });
    return view;
  }

  /** The registry's lists changed: every view is rebuilt on next use. */
  invalidate(): void {
    this.generation += 1;
    this.byRoles = new Map();
  }

  /** Distinct role sets with a view now (for tests and status). */
  get size(): number {
    return this.byRoles.size;
  }
}
