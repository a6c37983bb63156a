/**
 * `resources/subscribe` and `resources/unsubscribe`. On a shared connection the backend is subscribed once per URI
 * (by the first subscriber, unsubscribed after the last) and its updates go to the subscribed sessions; a session
 * with its own connection (`isolation: session`) subscribes there, and the updates go to it alone.
 */
import type { Logger } from "../observability/logger.js";
import type { Subscriptions } from "../session/subscriptions.js";
import type { BackendPool } from "../upstream/pool.js";
import type { Forwarding } from "./forward.js";
import { asErrorObject } from "./outcome.js";
import { result, type Route, type Subject } from "./route.js";
import { resolveResource } from "./resources.js";

type Resource = Extract<Subject, { kind: "resource" }>;

export function subscriptionRoute(deps: { pool: BackendPool; subscriptions: Subscriptions; forwarding: Forwarding; logger: Logger }): Route<Resource> {
  return {
    resolve: (call, request) => {
      const uri = request.params?.uri;
      return resolveResource(typeof uri === "string" ? call.ctx.view.resourceServer(uri) : undefined, uri);
    },
    serve(call, request, { server, uri }, reply) {
      const session = call.session;
      if (deps.pool.isIsolated(server, session)) {
        deps.forwarding.forward(call, server, request, { uri }, reply, { label: `${request.method} "${uri}"` });
        return;
      }
      const subscribe = request.method === "resources/subscribe";
      const first = subscribe ? deps.subscriptions.add(uri, session) : deps.subscriptions.remove(uri, session);
      if (!first) {
        reply(result(request, {}));
        return;
      }
      deps.pool.primary(server)!.request(request.method, { uri }, { label: `${request.method} "${uri}"` }).then(
        () => reply(result(request, {})),
        (error: unknown) => {
          if (subscribe) deps.subscriptions.remove(uri, session);
          reply({ jsonrpc: "2.0", id: request.id, error: asErrorObject(error) });
        },
      );
    },
  };
}
