/**
 * Composition: builds every room of the gateway and connects them; the rooms do the work. The request path:
 * http/ (bytes, the endpoint table) -> front/ (admission steps, the body within bounds, the era, the front of that
 * era and its sessions) -> routes/ (subject, per-request steps, serve) -> upstream/ (the server's endpoints). What
 * backends send comes back through downstream/.
 */
import { accessViews, type AccessViews } from "./access/index.js";
import { authentication } from "./auth/index.js";
import { Registry } from "./catalog/registry.js";
import { compileToolFilter } from "./catalog/filter.js";
import type { GatewayConfig } from "./config.js";
import type { Caller } from "./context.js";
import { Forwarder } from "./downstream/forwarder.js";
import { Dispatcher } from "./front/dispatch.js";
import { McpEndpoint } from "./front/endpoint.js";
import { LegacyFront } from "./front/legacy.js";
import { ListenStreams } from "./front/listen.js";
import { StatelessFront } from "./front/stateless.js";
import { createHttpServer, type BackendStatus } from "./http/server.js";
import { drainer } from "./lifecycle/drain.js";
import { ConfigReloader } from "./lifecycle/reload.js";
import { releaseSession } from "./lifecycle/session-end.js";
import { installExitHook } from "./lifecycle/shutdown.js";
import { createLogger, type Logger } from "./observability/logger.js";
import { GatewayMetrics } from "./observability/metrics.js";
import { createTracing } from "./observability/tracing.js";
import { Routes } from "./routes/index.js";
import type { Session } from "./session/session.js";
import { SessionStore } from "./session/store.js";
import { Subscriptions } from "./session/subscriptions.js";
import { TaskHandles, TaskOwners } from "./session/tasks.js";
import { SessionSealer } from "./session/token.js";
import { originStep } from "./steps/origin.js";
import { Steps } from "./steps/steps.js";
import { createSharedState } from "./store/create.js";
import { CIRCUIT_STATES } from "./observability/metrics-contract.js";
import { Translator } from "./translate/index.js";
import { rateLimitStep } from "./limits/step.js";
import { openAudit } from "./audit/index.js";
import { BackendPool, type PoolOptions } from "./upstream/pool.js";
import { identityRoom } from "./identity/index.js";

export interface StartOptions {
  /** @default a pino logger at `config.logging.level` on stderr */
  logger?: Logger;
  /** Key sealing session ids; share it between replicas. @default $MCP_FLEET_SESSION_SECRET, else random */
  sessionSecret?: string;
  /** How long start waits for backends' first connection attempt (the gateway listens before). @default the largest `startTimeoutMs` of the servers */
  startTimeoutMs?: number;
  /** Upstream settings for tests (a DNS resolver). */
  pool?: PoolOptions;
  /** The file the config came from: watched and reloaded on change (lifecycle/reload.ts). @default no reload */
  configFile?: string;
  /** Also reload on SIGHUP (the executable does). @default false */
  reloadOnSignal?: boolean;
  /** `listen.port` set on the command line, which a reload keeps. */
  portOverride?: number;
}

export interface RunningGateway {
  /** The MCP endpoint, e.g. `http://127.0.0.1:8080/mcp`. */
  url: string;
  port: number;
  /** The state of every backend (what `GET /status` returns). */
  status(): BackendStatus[];
  metrics: GatewayMetrics;
  /** Reloads the config file now (with `configFile`): `applied`, `unchanged` or `invalid`. */
  reload(): Promise<string | undefined>;
  /** Stops accepting, drains in-flight calls (up to `shutdown.drainTimeoutMs`), lets sessions go, stops backends. */
  close(): Promise<void>;
}

export async function startGateway(config: GatewayConfig, options: StartOptions = {}): Promise<RunningGateway> {
  installExitHook();
  const logger = options.logger ?? createLogger({ level: config.logging.level });
  const metrics = new GatewayMetrics();
  metrics.sessionsMax(config.sessions.maxSessions);

  // The catalog, and what the backends send back.
  const filters = new Map(config.servers.map((s) => [s.name, compileToolFilter(s.tools)]));
  const late: { sessions?: SessionStore; forwarder?: Forwarder; views?: AccessViews | undefined; listens?: ListenStreams } = {};
  // Everyone who hears change notifications: 2025 sessions, and 2026-07-28 listen streams.
  const liveSessions = function* (): Iterable<Session> {
    yield* late.sessions?.all() ?? [];
    yield* late.listens?.all() ?? [];
  };
  const registry = new Registry({
    naming: config.naming,
    toolFilter: (server, tool) => filters.get(server)?.(tool) ?? true,
    logger,
    onChange: (kinds) => {
      late.views?.invalidate();
      late.forwarder?.listsChanged(kinds);
    },
  });
  // Identity and access: who calls (auth/), what each caller sees and may call (access/).
  const auth = authentication(config, logger);
  // How backends that ask for it learn who calls (identity/): signed tokens per call, the JWKS.
  const identity = identityRoom(config, logger);
  const views = (late.views = accessViews(config, registry));
  const subscriptions = new Subscriptions();
  const sealer = new SessionSealer(options.sessionSecret ?? process.env.MCP_FLEET_SESSION_SECRET);
  const tasks = { handles: new TaskHandles((purpose, text) => sealer.sign(purpose, text)), owners: new TaskOwners() };
  const forwarder = new Forwarder({ registry, subscriptions, sessions: liveSessions, logger, tasks });
  late.forwarder = forwarder;

  // Upstream.
  const pool = new BackendPool(config.servers, logger, {
    onNotification: (backend, message, owner, origin) => forwarder.onNotification(backend, message, owner, origin),
    onRequest: (backend, message, owner, origin) => forwarder.onRequest(backend, message, owner, origin),
    onStateChange: (backend, previous, owner) => {
      if (owner !== undefined) return;
      metrics.backendUp(backend.name, backend.transport, pool.serverUp(backend.name));
      if (backend.state === "up") {
        if (backend.connections > 1) metrics.backendRestart(backend.name);
        logger.info({ server: backend.name, previous }, "backend up");
        // The registry reads each server's lists from one endpoint (the first stable one that is up).
        if (pool.isListSource(backend)) void registry.refresh(backend);
      }
    },
    onCircuitChange: (set) => metrics.circuit(set.server, CIRCUIT_STATES[set.circuit]),
    presenter: (server) => identity.presenter(server),
  }, options.pool);
  for (const server of config.servers) {
    registry.addServer(server.name);
    metrics.backendUp(server.name, server.transport, false);
    metrics.circuit(server.name, CIRCUIT_STATES.closed);
  }

  // Sessions, and the state replicas share.
  const shared = await createSharedState(config.rateLimits.store, logger);
  let sharedErrorLoggedAt = 0;
  const sessions = new SessionStore({
    sealer,
    shared,
    idleTimeoutMs: config.sessions.idleTimeoutSeconds * 1000,
    maxSessions: config.sessions.maxSessions,
    onCountChange: (count) => metrics.sessions(count),
    onClose: releaseSession({ forwarder, taskOwners: tasks.owners, subscriptions, registry, pool, metrics, logger }),
    onSharedError: (error) => {
      // At most one line per 10 s: an outage must not flood the log.
      if (Date.now() - sharedErrorLoggedAt < 10_000) return;
      sharedErrorLoggedAt = Date.now();
      logger.warn({ err: error.message, onUnavailable: shared.onUnavailable }, "shared state store failed");
    },
  });
  late.sessions = sessions;
  shared.onSessionEnded((sid, ttlMs) => sessions.endedElsewhere(sid, ttlMs));
  await shared.ready();

  // The request path.
  const tracing = await createTracing(config.tracing);
  const limits = rateLimitStep(config, shared, metrics, logger);
  const steps = new Steps([originStep(config, logger), ...auth.steps, ...identity.steps], limits === undefined ? [] : [limits]);
  const audit = openAudit(config, registry, logger);
  const translator = new Translator({ forwarder, sign: (purpose, text) => sealer.sign(purpose, text), logger, taskOwners: tasks.owners });
  const lists = { full: registry, hint: (kind: Parameters<Registry["hint"]>[0]) => registry.hint(kind) };
  const routes = new Routes({
    config, pool, subscriptions, metrics, logger, sessions: liveSessions, tasks, steps, translator, lists, schemas: registry,
    ...(audit !== undefined ? { audit: audit.calls } : {}),
    ...(tracing === undefined ? {} : { tracing }),
  });
  const inflight = { count: 0 };
  let draining = false;
  // An adapter (readiness.requireBackends) opens no session and answers no discovery before its server is up: the
  // caller would start with that server's capabilities unknown.
  const serversNotUp = (): string | undefined => {
    if (!config.readiness.requireBackends) return undefined;
    const down = pool.primaries().filter((b) => b.state !== "up").map((b) => b.name);
    return down.length === 0 ? undefined : `server ${down.map((n) => `"${n}"`).join(", ")} is not up yet (readiness.requireBackends)`;
  };
  const dispatcher = new Dispatcher({ config, routes, logger, inflight });
  const legacy = new LegacyFront({
    config, routes, dispatcher, forwarder, sessions, metrics, logger,
    sessionsRefused: () => (draining ? "the gateway is shutting down" : serversNotUp()),
    endSession: (session) => sessions.end(session),
  });
  const listens = new ListenStreams({ pool, subscriptions, logger, maxListens: config.sessions.maxSessions });
  late.listens = listens;
  const stateless = new StatelessFront({ config, routes, listens, logger, inflight, discoveryRefused: serversNotUp });
  const endpoint = new McpEndpoint({
    config, steps, view: registry, ...(views !== undefined ? { viewFor: (caller: Caller) => views.viewFor(caller) } : {}), fronts: { legacy, stateless }, logger,
    ...(tracing === undefined ? {} : { tracing }),
  });

  const status = (): BackendStatus[] =>
    [...pool.sets.values()].map((set) => {
      const b = set.primary;
      // Up once its lists are read: until then the gateway does not serve its items.
      const state = b.reportedState === "up" && !registry.hasListed(b.name) ? "connecting" : b.reportedState;
      const s: BackendStatus = { name: b.name, transport: b.transport, state, tools: registry.toolCount(b.name), circuit: set.circuit };
      if (b.state === "up") s.protocol = b.protocolVersion;
      if (b.state !== "up" && b.lastError !== undefined) s.lastError = b.lastError;
      if (set.members.length > 1) {
        s.endpoints = set.members.map((m) => ({
          key: m.key, track: m.track, state: m.backend.reportedState, circuit: m.breaker.state, outstanding: m.backend.outstanding, ...(m.draining ? { draining: true } : {}),
        }));
      }
      return s;
    });
  const ready = (): boolean => !draining && (!config.readiness.requireBackends || pool.primaries().every((b) => b.state === "up"));
  const server = createHttpServer({ config, mcp: endpoint, metrics, logger, status, ready, endpoints: new Map([...auth.endpoints, ...identity.endpoints]) });

  // Listen at once: a backend slow to start (or stuck in its handshake) must not keep the replica from serving the
  // others. Then wait (bounded) for every backend's first attempt and first lists, so that the caller (and the
  // first client after it) sees their tools.
  const { port } = await server.listen(config.listen.port, config.listen.host);
  const host = config.listen.host.includes(":") ? `[${config.listen.host}]` : config.listen.host;
  const url = `http://${host}:${port}${config.listen.path}`;
  const startTimeout = options.startTimeoutMs ?? Math.max(...config.servers.map((s) => s.startTimeoutMs));
  let timer: NodeJS.Timeout | undefined;
  const started = pool.start().then(() => Promise.all(pool.primaries().filter((b) => b.state === "up").map((b) => registry.refresh(b))));
  await Promise.race([started, new Promise<void>((resolve) => (timer = setTimeout(resolve, startTimeout)))]);
  clearTimeout(timer);
  logger.info({ url, servers: status() }, "gateway listening");

  const reloader =
    options.configFile === undefined
      ? undefined
      : new ConfigReloader({ file: options.configFile, config, pool, registry, filters, metrics, logger, ...(options.portOverride === undefined ? {} : { portOverride: options.portOverride }) });
  reloader?.start({ signal: options.reloadOnSignal === true });
  const reload = async () => reloader?.reload("api");

  const drain = drainer({
    server, sessions, pool, shared, logger, inflight,
    drainTimeoutMs: config.shutdown.drainTimeoutMs,
    startDraining: () => {
      draining = true;
      listens.endAll();
    },
  });
  const closeAll = async (): Promise<void> => {
    reloader?.stop();
    await drain();
    await Promise.all([audit?.log.close(), tracing?.close()]);
  };
  return { url, port, status, metrics, reload, close: closeAll };
}
