/**
 * Composition: wires config, logger, metrics, backends, registry, sessions, router and the HTTP server into a
 * running gateway. Each part lives in its own module; this file only connects them.
 */
import type { GatewayConfig } from "./config.js";
import { createHttpServer, type BackendStatus } from "./http/server.js";
import { StreamableHttpHandler } from "./http/streamable.js";
import { createLogger, type Logger } from "./observability/logger.js";
import { GatewayMetrics } from "./observability/metrics.js";
import { compileToolFilter } from "./router/filter.js";
import { Forwarder } from "./router/forwarder.js";
import { Registry } from "./router/registry.js";
import { Router } from "./router/router.js";
import { Subscriptions } from "./router/subscriptions.js";
import { TaskHandles, TaskOwners } from "./router/tasks.js";
import type { Session } from "./session/session.js";
import { SessionStore } from "./session/store.js";
import { SessionSealer } from "./session/token.js";
import { createSharedState } from "./store/shared-state.js";
import { installExitHook } from "./shutdown.js";
import { BackendPool } from "./upstream/pool.js";

export interface StartOptions {
  /** @default a pino logger at `config.logging.level` on stderr */
  logger?: Logger;
  /** Key sealing session ids; share it between replicas. @default $MCP_FLEET_SESSION_SECRET, else random */
  sessionSecret?: string;
  /** How long start waits for backends' first connection attempt (the gateway listens before). @default the largest `startTimeoutMs` of the servers */
  startTimeoutMs?: number;
}

export interface RunningGateway {
  /** The MCP endpoint, e.g. `http://127.0.0.1:8080/mcp`. */
  url: string;
  port: number;
  /** The state of every backend (what `GET /status` returns). */
  status(): BackendStatus[];
  metrics: GatewayMetrics;
  /** Stops accepting, drains in-flight calls (up to `shutdown.drainTimeoutMs`), closes sessions and backends. */
  close(): Promise<void>;
}

export async function startGateway(config: GatewayConfig, options: StartOptions = {}): Promise<RunningGateway> {
  installExitHook();
  const logger = options.logger ?? createLogger({ level: config.logging.level });
  const metrics = new GatewayMetrics();
  metrics.sessionsMax(config.sessions.maxSessions);
  const filters = new Map(config.servers.map((s) => [s.name, compileToolFilter(s.tools)]));
  const late: { sessions?: SessionStore; forwarder?: Forwarder } = {};
  const liveSessions = (): Iterable<Session> => late.sessions?.all() ?? [];
  const subscriptions = new Subscriptions();
  const registry = new Registry({
    naming: config.naming,
    toolFilter: (server, tool) => filters.get(server)?.(tool) ?? true,
    logger,
    onChange: (kinds) => late.forwarder?.listsChanged(kinds),
  });
  const sealer = new SessionSealer(options.sessionSecret ?? process.env.MCP_FLEET_SESSION_SECRET);
  const tasks = { handles: new TaskHandles((purpose, text) => sealer.sign(purpose, text)), owners: new TaskOwners() };
  const fwd = new Forwarder({ registry, subscriptions, sessions: liveSessions, logger, tasks });
  late.forwarder = fwd;
  const pool = new BackendPool(config.servers, logger, {
    onNotification: (backend, message, owner) => fwd.onNotification(backend, message, owner),
    onRequest: (backend, message, owner, origin) => fwd.onRequest(backend, message, owner, origin),
    onStateChange: (backend, previous, owner) => {
      if (owner !== undefined) return;
      metrics.backendUp(backend.name, backend.transport, backend.state === "up");
      if (backend.state === "up") {
        if (backend.connections > 1) metrics.backendRestart(backend.name);
        logger.info({ server: backend.name, previous }, "backend up");
        void registry.refresh(backend);
      }
    },
  });
  for (const server of config.servers) {
    registry.addServer(server.name);
    metrics.backendUp(server.name, server.transport, false);
  }

  const shared = await createSharedState(config.rateLimits.store, logger);
  let sharedErrorLoggedAt = 0;
  const store = new SessionStore({
    sealer,
    shared,
    onSharedError: (error) => {
      // At most one line per 10 s: an outage must not flood the log.
      if (Date.now() - sharedErrorLoggedAt < 10_000) return;
      sharedErrorLoggedAt = Date.now();
      logger.warn({ err: error.message, onUnavailable: shared.onUnavailable }, "shared state store failed");
    },
    idleTimeoutMs: config.sessions.idleTimeoutSeconds * 1000,
    maxSessions: config.sessions.maxSessions,
    onCountChange: (count) => metrics.sessions(count),
    onClose: (session, why) => {
      if (why === "expired") metrics.sessionExpired();
      logger.debug({ sessionId: session.id, why }, "session closed");
      for (const call of session.calls.values()) call.cancel?.("session closed");
      session.stream?.end();
      fwd.sessionClosed(session);
      tasks.owners.dropSession(session);
      for (const uri of subscriptions.dropSession(session)) {
        const server = registry.resourceServer(uri);
        const backend = server === undefined ? undefined : pool.shared.get(server);
        backend?.request("resources/unsubscribe", { uri }, { label: `resources/unsubscribe "${uri}"` }).catch(() => undefined);
      }
      void pool.closeSession(session);
    },
  });
  late.sessions = store;
  shared.onSessionEnded((sid, ttlMs) => store.endedElsewhere(sid, ttlMs));
  await shared.ready();

  const router = new Router({ config, pool, registry, subscriptions, metrics, logger, sessions: liveSessions, tasks });
  const inflight = { count: 0 };
  let draining = false;
  const mcp = new StreamableHttpHandler({
    config, router, forwarder: fwd, sessions: store, metrics, logger, inflight,
    draining: () => draining,
    closeSession: (session) => store.end(session),
  });
  const status = (): BackendStatus[] =>
    [...pool.shared.values()].map((b) => {
      const s: BackendStatus = { name: b.name, transport: b.transport, state: b.reportedState, tools: registry.toolCount(b.name) };
      if (b.state !== "up" && b.lastError !== undefined) s.lastError = b.lastError;
      return s;
    });
  const ready = (): boolean => !draining && (!config.readiness.requireBackends || [...pool.shared.values()].every((b) => b.state === "up"));
  const server = createHttpServer({ config, mcp, metrics, logger, status, ready });

  // Listen at once: a backend slow to start (or stuck in its handshake) must not keep the replica from serving the
  // others. Then wait (bounded) for every backend's first attempt and first lists, so that the caller (and the
  // first client after it) sees their tools.
  const { port } = await server.listen(config.listen.port, config.listen.host);
  const host = config.listen.host.includes(":") ? `[${config.listen.host}]` : config.listen.host;
  const url = `http://${host}:${port}${config.listen.path}`;
  const startTimeout = options.startTimeoutMs ?? Math.max(...config.servers.map((s) => s.startTimeoutMs));
  let timer: NodeJS.Timeout | undefined;
  const started = pool.start().then(() => Promise.all([...pool.shared.values()].filter((b) => b.state === "up").map((b) => registry.refresh(b))));
  await Promise.race([started, new Promise<void>((resolve) => (timer = setTimeout(resolve, startTimeout)))]);
  clearTimeout(timer);
  logger.info({ url, servers: status() }, "gateway listening");

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      draining = true;
      server.close();
      const deadline = Date.now() + config.shutdown.drainTimeoutMs;
      while (inflight.count > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      store.closeAll();
      await Promise.all([pool.stop(), shared.close()]);
      server.closeAllConnections();
      logger.info("gateway stopped");
    })();
    return closing;
  };
  return { url, port, status, metrics, close };
}
