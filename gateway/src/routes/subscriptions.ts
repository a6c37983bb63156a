/**
 * `resources/subscribe` and `resources/unsubscribe`. On shared connections the backend is subscribed once per URI
 * (by the first subscriber, unsubscribed after the last) on every endpoint of the server, and its updates go to the
 * subscribed sessions, once each; a session
 * with its own connection (`isolation: session`) subscribes there, and the updates go to it alone. A 2026-07-28
 * backend has no `resources/subscribe`: the URI joins its shared `subscriptions/listen` instead. The same
 * bookkeeping serves a 2026-07-28 caller's `subscriptions/listen` (front/listen.ts).
 */
import type { Logger } from "../observability/logger.js";
import type { Session } from "../session/session.js";
import type { Subscriptions } from "../session/subscriptions.js";
import type { BackendPool } from "../upstream/pool.js";
import type { Forwarding } from "./forward.js";
import { asErrorObject } from "../observability/outcome.js";
import { result, type Route, type Subject } from "./route.js";
import { resolveResource } from "./resources.js";

type Resource = Extract<Subject, { kind: "resource" }>;

export interface WatchDeps {
  pool: BackendPool;
  subscriptions: Subscriptions;
}

/**
 * Starts (`on`) or stops a session's interest in a resource of a shared backend: the backend hears of it with the
 * first subscriber and the last unsubscriber only, on every endpoint of the server (upstream/watches.ts). Rejects
 * with the backend's error (the interest is then undone).
 */
export async function watchResource(deps: WatchDeps, session: Session, server: string, uri: string, on: boolean): Promise<void> {
  const changed = on ? deps.subscriptions.add(uri, session) : deps.subscriptions.remove(uri, session);
  if (!changed) return;
  try {
    await deps.pool.watch(server, uri, on);
  } catch (error) {
    if (on) deps.subscriptions.remove(uri, session);
    throw error;
  }
}

export function subscriptionRoute(deps: { pool: BackendPool; subscriptions: Subscriptions; forwarding: Forwarding; logger: Logger }): Route<Resource> {
  return {
    resolve: (call, request) => {
      const uri = request.params?.uri;
      return resolveResource(typeof uri === "string" ? call.ctx.view.resourceServer(uri) : undefined, uri);
    },
    serve(call, request, { server, uri }, reply) {
      const session = call.session;
      if (deps.pool.isIsolated(server, session) && deps.pool.primary(server)?.listen === undefined) {
        deps.forwarding.forward(call, server, request, { uri }, reply, { label: `${request.method} "${uri}"` });
        return;
      }
      watchResource(deps, session, server, uri, request.method === "resources/subscribe").then(
        () => reply(result(request, {})),
        (error: unknown) => reply({ jsonrpc: "2.0", id: request.id, error: asErrorObject(error) }),
      );
    },
  };
}
