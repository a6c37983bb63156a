/** `tools/list`, `resources/list`, `resources/templates/list`, `prompts/list`: what the caller's view shows, in one page. */
import type { CatalogView } from "../context.js";
import { GATEWAY, result, type Route } from "./route.js";

export function listRoute(key: keyof Pick<CatalogView, "tools" | "resources" | "resourceTemplates" | "prompts">): Route {
  return {
    resolve: () => GATEWAY,
    serve: (call, request, _subject, reply) => reply(result(request, { [key]: call.ctx.view[key] })),
  };
}
