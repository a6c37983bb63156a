/**
 * What a session leaving this replica's memory releases (whatever the reason: ended, idle, evicted, shutdown): its
 * calls in flight are cancelled, its stream ends, backends waiting on its answers get an error, the tasks it owns
 * here are forgotten, subscriptions nobody else holds are dropped upstream, and its own connections close.
 */
import type { Registry } from "../catalog/registry.js";
import type { Forwarder } from "../downstream/forwarder.js";
import type { Logger } from "../observability/logger.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import type { Session } from "../session/session.js";
import type { CloseReason } from "../session/store.js";
import type { Subscriptions } from "../session/subscriptions.js";
import type { TaskOwners } from "../session/tasks.js";
import type { BackendPool } from "../upstream/pool.js";

export interface SessionEndDeps {
  forwarder: Forwarder;
  taskOwners: TaskOwners;
  subscriptions: Subscriptions;
  registry: Registry;
  pool: BackendPool;
  metrics: GatewayMetrics;
  logger: Logger;
}

export function releaseSession(deps: SessionEndDeps): (session: Session, why: CloseReason) => void {
  return (session, why) => {
    if (why === "expired") deps.metrics.sessionExpired();
    deps.logger.debug({ sessionId: session.id, why }, "session closed");
    for (const call of session.calls.values()) call.cancel?.("session closed");
    session.stream?.end();
    deps.forwarder.sessionClosed(session);
    deps.taskOwners.dropSession(session);
    for (const uri of deps.subscriptions.dropSession(session)) {
      const server = deps.registry.resourceServer(uri);
      const backend = server === undefined ? undefined : deps.pool.primary(server);
      backend?.request("resources/unsubscribe", { uri }, { label: `resources/unsubscribe "${uri}"` }).catch(() => undefined);
    }
    void deps.pool.closeSession(session);
  };
}
