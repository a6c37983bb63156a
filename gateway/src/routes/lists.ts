/**
 * `tools/list`, `resources/list`, `resources/templates/list`, `prompts/list`: what the caller's view shows, in one
 * page. A 2026-07-28 caller also gets the list's cache hint: the most conservative of the backends' (registry), and
 * `private` when its view is narrower than the whole catalog (the list then varies by caller).
 */
import type { ListKind } from "../catalog/registry.js";
import type { CatalogView } from "../context.js";
import { privately, type CacheHint } from "../protocol/cache-hints.js";
import { GATEWAY, result, type Route } from "./route.js";

/** The whole catalog, and the hints of its lists. */
export interface Lists {
  readonly full: CatalogView;
  hint(kind: ListKind): CacheHint;
}

export function listRoute(key: ListKind, lists: Lists): Route {
  return {
    resolve: () => GATEWAY,
    serve: (call, request, _subject, reply) => {
      const view = call.ctx.view;
      if (call.ctx.era !== "stateless") {
        reply(result(request, { [key]: view[key] }));
        return;
      }
      const hint = view === lists.full ? lists.hint(key) : privately(lists.hint(key));
      reply(result(request, { [key]: view[key], ttlMs: hint.ttlMs, cacheScope: hint.cacheScope }));
    },
  };
}
