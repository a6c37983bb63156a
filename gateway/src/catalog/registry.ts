/**
 * The shared registry: every backend's tools, resources, resource templates and prompts, fetched once per change
 * (on connect and on the backend's `notifications/<kind>/list_changed`), cached, and indexed for routing. Every
 * client session reads the same lists: memory per session does not grow with the number of tools.
 */
import { createHash } from "node:crypto";
import type { Logger } from "../observability/logger.js";
import { LIST_WITHOUT_HINT, hintOf, strictest, type CacheHint } from "../protocol/cache-hints.js";
import { paramHeadersOf } from "../protocol/headers.js";
import { TASKS_EXTENSION } from "../protocol/modern.js";
import { LISTS, type ListKind } from "../protocol/lists.js";
import type { Backend } from "../upstream/backend.js";
import { exposedName, type NamingOptions } from "./naming.js";
import type { CatalogView, Item, Target } from "../context.js";

export type { ListKind } from "../protocol/lists.js";
const MAX_PAGES = 100;


interface ServerLists {
  tools: Item[];
  resources: Item[];
  resourceTemplates: Item[];
  prompts: Item[];
  /** The cache hint of each list fetched (2026-07-28 backends give one; a 2025 backend's is immediately stale). */
  hints: Partial<Record<ListKind, CacheHint>>;
  /** A 2026-07-28 backend with the tasks extension: its tools may run as tasks (2025 callers see `taskSupport: optional`). */
  modernTasks?: boolean;
}

interface TemplateRoute {
  server: string;
  pattern: RegExp;
}

export interface RegistryOptions {
  naming: NamingOptions;
  /** Per server: is this tool exposed? */
  toolFilter: (server: string, tool: string) => boolean;
  logger: Logger;
  /** Called with the kinds whose aggregated list changed. */
  onChange?: (kinds: Set<ListKind>) => void;
}

/** JSON with object keys sorted at every level: equal schemas hash equal whatever order their keys were written in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function templateToRegExp(template: string): RegExp {
  const escaped = template.replace(/[.+^$()|[\]\\?*]/g, "\\$&");
  return new RegExp(`^${escaped.replace(/\{[^}]*\}/g, ".+?")}$`);
}

/** The whole catalog: every backend's items, aggregated. The full {@link CatalogView}. */
export class Registry implements CatalogView {
  private readonly lists = new Map<string, ServerLists>();
  private readonly order: string[] = [];
  /** Aggregated, client-facing lists. */
  tools: Item[] = [];
  resources: Item[] = [];
  resourceTemplates: Item[] = [];
  /** The server of each of {@link resourceTemplates}, by position (what access rules decide on). */
  resourceTemplateServers: string[] = [];
  prompts: Item[] = [];
  private toolIndex = new Map<string, Target>();
  private promptIndex = new Map<string, Target>();
  private uriIndex = new Map<string, string>();
  private templateRoutes: TemplateRoute[] = [];
  private readonly hints: Partial<Record<ListKind, CacheHint>> = {};

  constructor(private readonly options: RegistryOptions) {}

  addServer(name: string): void {
    if (this.lists.has(name)) return;
    this.order.push(name);
    this.lists.set(name, { tools: [], resources: [], resourceTemplates: [], prompts: [], hints: {} });
  }

  /** Forgets a server (removed by a config reload): its items leave the lists, and clients hear of it. */
  removeServer(name: string): void {
    const lists = this.lists.get(name);
    if (lists === undefined) return;
    this.lists.delete(name);
    this.order.splice(this.order.indexOf(name), 1);
    const changed = new Set<ListKind>((Object.keys(LISTS) as ListKind[]).filter((kind) => lists[kind].length > 0));
    this.rebuild();
    if (changed.size > 0) this.options.onChange?.(changed);
  }

  /** Rebuilds the aggregated lists after the tool filter changed (a config reload); clients hear of a change. */
  refilter(): void {
    const before = JSON.stringify(this.tools.map((t) => t.name));
    this.rebuild();
    if (JSON.stringify(this.tools.map((t) => t.name)) !== before) this.options.onChange?.(new Set(["tools"]));
  }

  /** SHA-256 of the input schema `server` lists for its tool `tool` (canonical JSON: keys sorted), if it lists the tool. */
  inputSchemaHash(server: string, tool: string): string | undefined {
    const item = this.lists.get(server)?.tools.find((t) => t.name === tool);
    if (item === undefined) return undefined;
    let hash = this.schemaHashes.get(item);
    if (hash === undefined) {
      hash = createHash("sha256").update(canonicalJson(item.inputSchema ?? null)).digest("hex");
      this.schemaHashes.set(item, hash);
    }
    return hash;
  }
  private readonly schemaHashes = new WeakMap<Item, string>();

  tool(exposed: string): Target | undefined {
    return this.toolIndex.get(exposed);
  }
  prompt(exposed: string): Target | undefined {
    return this.promptIndex.get(exposed);
  }

  /** The server that owns a resource URI: listed URIs first, then templates. */
  resourceServer(uri: string): string | undefined {
    const listed = this.uriIndex.get(uri);
    if (listed !== undefined) return listed;
    for (const route of this.templateRoutes) if (route.pattern.test(uri)) return route.server;
    return undefined;
  }

  /**
   * The cache hint of an aggregated list (2026-07-28): the most conservative of its backends' hints; a backend that
   * gave none counts as immediately stale.
   */
  hint(kind: ListKind): CacheHint {
    return this.hints[kind] ?? LIST_WITHOUT_HINT;
  }

  /** Tool count per server, after the filter. */
  toolCount(server: string): number {
    return (this.lists.get(server)?.tools ?? []).filter((t) => this.options.toolFilter(server, String(t.name))).length;
  }

  /** Fetches the given lists (all the backend supports when omitted) and rebuilds the indexes. */
  async refresh<C>(backend: Backend<C>, kinds?: ListKind[]): Promise<void> {
    const lists = this.lists.get(backend.name);
    if (lists === undefined) return;
    lists.modernTasks = backend.modern && (backend.capabilities.extensions as Record<string, unknown> | undefined)?.[TASKS_EXTENSION] !== undefined;
    const wanted = kinds ?? (Object.keys(LISTS) as ListKind[]);
    const changed = new Set<ListKind>();
    await Promise.all(
      wanted.map(async (kind) => {
        if (backend.capabilities[LISTS[kind].capability] === undefined) return;
        try {
          const { items, hint } = await this.fetchAll(backend, kind);
          lists.hints[kind] = hint ?? LIST_WITHOUT_HINT;
          this.rehint(kind);
          if (JSON.stringify(items) !== JSON.stringify(lists[kind])) {
            lists[kind] = items;
            changed.add(kind);
          }
        } catch (error) {
          this.options.logger.warn({ server: backend.name, kind, err: (error as Error).message }, "listing failed");
        }
      }),
    );
    if (kinds === undefined) this.listed.add(backend.name);
    if (changed.size > 0) {
      this.rebuild();
      this.options.onChange?.(changed);
    }
  }

  /** Servers whose lists were read in full at least once (until then, their items are not served yet). */
  private readonly listed = new Set<string>();

  /** Have this server's lists been read (the gateway serves its items)? */
  hasListed(server: string): boolean {
    return this.listed.has(server);
  }

  private async fetchAll<C>(backend: Backend<C>, kind: ListKind): Promise<{ items: Item[]; hint: CacheHint | undefined }> {
    const method = LISTS[kind].method;
    const items: Item[] = [];
    let hint: CacheHint | undefined;
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = (await backend.request(method, cursor === undefined ? undefined : { cursor }, { label: method })) as Record<string, unknown>;
      const pageItems = result[kind];
      if (Array.isArray(pageItems)) items.push(...(pageItems as Item[]));
      const pageHint = hintOf(result);
      if (pageHint !== undefined) hint = hint === undefined ? pageHint : strictest(hint, pageHint);
      cursor = typeof result.nextCursor === "string" && result.nextCursor !== "" ? result.nextCursor : undefined;
      if (cursor === undefined) break;
    }
    return { items, hint };
  }

  /** The aggregated hint of a list kind, from every backend that lists it. */
  private rehint(kind: ListKind): void {
    let hint: CacheHint | undefined;
    for (const lists of this.lists.values()) {
      const own = lists.hints[kind];
      if (own !== undefined) hint = hint === undefined ? own : strictest(hint, own);
    }
    this.hints[kind] = hint ?? LIST_WITHOUT_HINT;
  }

  private rebuild(): void {
    const naming = this.options.naming;
    const tools: Item[] = [];
    const prompts: Item[] = [];
    const resources: Item[] = [];
    const templates: Item[] = [];
    const templateServers: string[] = [];
    const toolIndex = new Map<string, Target>();
    const promptIndex = new Map<string, Target>();
    const uriIndex = new Map<string, string>();
    const templateRoutes: TemplateRoute[] = [];
    for (const server of this.order) {
      const lists = this.lists.get(server)!;
      for (const tool of lists.tools) {
        const name = String(tool.name);
        if (!this.options.toolFilter(server, name)) continue;
        const exposed = exposedName(server, name, naming);
        const clash = toolIndex.get(exposed);
        if (clash !== undefined) {
          this.options.logger.error({ server, tool: name, exposed, other: clash }, `tool "${name}" of server "${server}" maps to "${exposed}", already taken by "${clash.name}" of "${clash.server}"; it is not exposed`);
          continue;
        }
        const paramHeaders = paramHeadersOf(tool.inputSchema);
        if (typeof paramHeaders === "string") {
          // HTTP clients of 2026-07-28 MUST exclude such a tool; the gateway does it for all of them.
          this.options.logger.warn({ server, tool: name }, `tool "${name}" of server "${server}" is not exposed: ${paramHeaders}`);
          continue;
        }
        const hints = tool.annotations as { readOnlyHint?: unknown; idempotentHint?: unknown } | undefined;
        const target: Target = { server, name, retrySafe: hints?.readOnlyHint === true || hints?.idempotentHint === true };
        if (paramHeaders.length > 0) target.paramHeaders = paramHeaders;
        const taskSupport = (tool.execution as { taskSupport?: unknown } | undefined)?.taskSupport;
        if (taskSupport === "optional" || taskSupport === "required") target.taskSupport = taskSupport;
        toolIndex.set(exposed, target);
        // A 2025 client asks for a task only where a tool says it may: a 2026-07-28 task backend's tools may.
        tools.push(lists.modernTasks === true && tool.execution === undefined ? { ...tool, name: exposed, execution: { taskSupport: "optional" } } : { ...tool, name: exposed });
      }
      for (const prompt of lists.prompts) {
        const name = String(prompt.name);
        const exposed = exposedName(server, name, naming);
        if (promptIndex.has(exposed)) continue;
        promptIndex.set(exposed, { server, name });
        prompts.push({ ...prompt, name: exposed });
      }
      for (const resource of lists.resources) {
        const uri = String(resource.uri);
        const owner = uriIndex.get(uri);
        if (owner !== undefined) {
          this.options.logger.warn({ server, uri, owner }, `resource ${uri} of "${server}" is already served by "${owner}"; the first server in the config wins`);
          continue;
        }
        uriIndex.set(uri, server);
        resources.push(resource);
      }
      for (const template of lists.resourceTemplates) {
        templateRoutes.push({ server, pattern: templateToRegExp(String(template.uriTemplate)) });
        templates.push(template);
        templateServers.push(server);
      }
    }
    this.tools = tools;
    this.prompts = prompts;
    this.resources = resources;
    this.resourceTemplates = templates;
    this.resourceTemplateServers = templateServers;
    this.toolIndex = toolIndex;
    this.promptIndex = promptIndex;
    this.uriIndex = uriIndex;
    this.templateRoutes = templateRoutes;
  }
}
