/** `tools/list`, `resources/list`, `resources/templates/list`, `prompts/list`: what the caller's view shows, in one page. */
import type { CatalogView } from "../catalog/view.js";
import { GATEWAY, result, type Route } from "./route.js";

export function listRoute(key: "tools" | "resources" | "resourceTemplates" | "prompts"): Route {
  return {
    resolve: () => GATEWAY,
    serve: (call, request, _subject, reply) => reply(result(request, { [key]: (call.ctx.view as CatalogView)[key] })),
  };
}
