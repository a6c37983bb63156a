/**
 * A graceful stop: stop accepting, let the POSTs being answered finish (up to `shutdown.drainTimeoutMs`), then let
 * the sessions go (not ended: they go on with other replicas), stop the backends and the shared store, and close
 * what connections are left. Idempotent: every call gets the same promise.
 */
import type { H1Server } from "../http/h1/server.js";
import type { Logger } from "../observability/logger.js";
import type { SessionStore } from "../session/store.js";
import type { SharedState } from "../store/shared-state.js";
import type { BackendPool } from "../upstream/pool.js";

export interface DrainDeps {
  server: H1Server;
  sessions: SessionStore;
  pool: BackendPool;
  shared: SharedState;
  logger: Logger;
  drainTimeoutMs: number;
  /** POSTs being answered now. */
  inflight: { count: number };
  /** Marks the replica as draining (readiness 503, new sessions refused). */
  startDraining: () => void;
}

export function drainer(deps: DrainDeps): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= (async () => {
      deps.startDraining();
      deps.server.close();
      const deadline = Date.now() + deps.drainTimeoutMs;
      while (deps.inflight.count > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      deps.sessions.closeAll();
      await Promise.all([deps.pool.stop(), deps.shared.close()]);
      deps.server.closeAllConnections();
      deps.logger.info("gateway stopped");
    })();
    return closing;
  };
}
