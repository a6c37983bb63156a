/**
 * The backends of the gateway, by server: each server's endpoint set (shared by every client session; its primary
 * endpoint also feeds the registry), plus, for servers with `isolation: session`, one connection per client
 * session, opened on the session's first call and closed with the session (so they are bounded by
 * `sessions.maxSessions` and idle expiry).
 *
 * A server's endpoints: `instances` processes of a stdio server, `url` and `urls` of a remote one (or every address
 * of its DNS name, `dns`), and its canary's. Each gets a circuit breaker and health checks (breaker.ts, health.ts).
 * Servers can be added, removed (drained, then stopped) and replaced while the gateway runs (a config reload).
 */
import type { BackendConfig } from "../config.js";
import type { ClientCall } from "../context.js";
import type { Logger } from "../observability/logger.js";
import { ErrorCode, RpcError, type JsonRpcNotification, type JsonRpcRequest } from "../jsonrpc.js";
import type { Session } from "../session/session.js";
import { Backend, type BackendState, type CallPresentation } from "./backend.js";
import { balancerFor } from "./balancers.js";
import { Breaker } from "./breaker.js";
import type { Channel } from "./channel.js";
import { DnsDiscovery, lookupAll, type Resolve } from "./discovery.js";
import { EndpointSet, type Endpoint, type GatewayBackend, type Track } from "./endpoints.js";
import { HealthChecker } from "./health.js";
import { Verdicts } from "./negotiate.js";
import { SseChannel } from "./http.js";
import { CanarySplit } from "./split.js";
import { StreamableHttpClientChannel } from "./streamable-client.js";
import { StdioChannel } from "./stdio.js";
import { withCredentials } from "./credentials.js";
import { ResourceWatches } from "./watches.js";
import { createHash, randomBytes } from "node:crypto";

export type { GatewayBackend } from "./endpoints.js";

export interface PoolHandlers {
  onNotification(backend: GatewayBackend, message: JsonRpcNotification, owner: Session | undefined, origin?: ClientCall): void;
  onRequest(backend: GatewayBackend, message: JsonRpcRequest, owner: Session | undefined, origin: ClientCall | undefined): void;
  onStateChange(backend: GatewayBackend, previous: BackendState, owner: Session | undefined): void;
  /** The circuit state a server's calls see changed (closed, half-open, open). */
  onCircuitChange?(set: EndpointSet): void;
  /** What a server's calls carry for their caller (the identity room); `undefined`: nothing, no per-call work. */
  presenter?(config: BackendConfig): ((call: ClientCall) => CallPresentation | Promise<CallPresentation> | undefined) | undefined;
}

export interface PoolOptions {
  /** Resolves a DNS name to its addresses (servers with `dns`). @default every address from the system resolver */
  resolve?: Resolve;
}

const REMOTE_RESTART = { initialDelayMs: 500, maxDelayMs: 10_000 };
const DRAIN_POLL_MS = 50;

/** `inheritEnv` names already reported unset, per server: a restarting child warns once, not per restart. */
const reportedMissingEnv = new Map<string, Set<string>>();

export function createChannel(config: BackendConfig, logger: Logger): Channel {
  switch (config.transport) {
    case "stdio": {
      const onMissingEnv = (names: string[]): void => {
        let reported = reportedMissingEnv.get(config.name);
        if (reported === undefined) reportedMissingEnv.set(config.name, (reported = new Set()));
        const fresh = names.filter((name) => !reported.has(name));
        if (fresh.length === 0) return;
        for (const name of fresh) reported.add(name);
        // Names only, never values (they are unset anyway, but the rule is the rule).
        logger.warn({ missingEnv: fresh }, "inheritEnv names variables unset in the gateway's environment; the backend starts without them");
      };
      return new StdioChannel({ command: config.command, args: config.args, env: config.env, inheritEnv: config.inheritEnv, onMissingEnv, cwd: config.cwd, logger });
    }
    case "http":
      return new StreamableHttpClientChannel({ url: config.url, headers: withCredentials(config, logger), logger, pipelining: config.pipelining });
    case "sse":
      return new SseChannel({ url: config.url, headers: withCredentials(config, logger), logger });
  }
}

/** The endpoints a server's config describes (before DNS discovery): key, channel settings, weight, track. */
function endpointSpecs(config: BackendConfig): { key: string; config: BackendConfig; weight: number; track: Track }[] {
  const specs: { key: string; config: BackendConfig; weight: number; track: Track }[] = [];
  if (config.transport === "stdio") {
    for (let i = 0; i < config.instances; i++) specs.push({ key: String(i), config, weight: 1, track: "stable" });
    const canary = config.canary;
    if (canary !== undefined) {
      specs.push({ key: "canary", config: { ...config, command: canary.command ?? config.command, args: canary.args ?? config.args, env: { ...config.env, ...canary.env } }, weight: 1, track: "canary" });
    }
    return specs;
  }
  specs.push({ key: "0", config, weight: config.weight, track: "stable" });
  config.urls.forEach((entry, i) => {
    const { url, weight } = typeof entry === "string" ? { url: entry, weight: 1 } : entry;
    specs.push({ key: String(i + 1), config: { ...config, url }, weight, track: "stable" });
  });
  if (config.canary?.url !== undefined) specs.push({ key: "canary", config: { ...config, url: config.canary.url }, weight: 1, track: "canary" });
  return specs;
}

/** {@link Endpoint.id}: a digest of a remote endpoint's URL (the same on every replica), random for a stdio instance. */
function endpointId(config: BackendConfig): string {
  if (config.transport === "stdio") return randomBytes(9).toString("base64url");
  return createHash("sha256").update(config.url).digest("base64url").slice(0, 12);
}

export class BackendPool {
  /** Every server's endpoints, in config order. */
  readonly sets = new Map<string, EndpointSet>();
  /** Per-session connections open, by server (bounded by `maxConnections`). */
  private readonly isolatedCount = new Map<string, number>();
  private readonly discoveries = new Map<string, DnsDiscovery>();
  private readonly resolve: Resolve;
  /** Which era each server speaks (`protocol: auto`), shared by its connections. */
  private readonly verdicts = new Verdicts();
  /** The resources clients watch, on every endpoint of their server. */
  private readonly watches: ResourceWatches;

  constructor(
    servers: readonly BackendConfig[],
    private readonly logger: Logger,
    private readonly handlers: PoolHandlers,
    options: PoolOptions = {},
  ) {
    this.resolve = options.resolve ?? lookupAll;
    this.watches = new ResourceWatches(logger);
    for (const config of servers) this.addServer(config);
  }

  private readonly presenters = new Map<string, (call: ClientCall) => CallPresentation | Promise<CallPresentation> | undefined>();

  /** Each server's config as given (its endpoints get copies): the key of its era verdict. */
  private readonly roots = new Map<string, BackendConfig>();
  private verdictKey(server: string): object {
    return this.roots.get(server) ?? this.roots;
  }

  /** Adds a server's endpoint set (not started: {@link startServer}). */
  addServer(config: BackendConfig): EndpointSet {
    this.roots.set(config.name, config);
    // One presenter per server (its token cache), shared by its endpoints and per-session connections.
    const present = this.handlers.presenter?.(config);
    if (present === undefined) this.presenters.delete(config.name);
    else this.presenters.set(config.name, present);
    const members = endpointSpecs(config).map((s) => this.makeEndpoint(s.config, undefined, s.key, s.track, s.weight));
    const split = config.canary === undefined ? undefined : new CanarySplit(config.name, config.canary.weight, config.sticky);
    const set = new EndpointSet(config, members, balancerFor(config.balancing), split);
    this.sets.set(config.name, set);
    if (config.transport !== "stdio" && config.dns !== undefined) {
      this.discoveries.set(
        config.name,
        new DnsDiscovery({
          set,
          resolve: this.resolve,
          logger: this.logger.child({ server: config.name }),
          make: (key, endpointConfig) => this.makeEndpoint(endpointConfig, undefined, key, "stable", 1),
          drain: (endpoint) => this.drain(set, endpoint),
        }),
      );
    }
    return set;
  }

  /** One endpoint: its connection, breaker and health checks. `owner`: the session of a per-session connection. */
  private makeEndpoint(config: BackendConfig, owner: Session | undefined, key: string, track: Track, weight: number): Endpoint {
    const logger = this.logger.child({ server: config.name, ...(key === "0" ? {} : { endpoint: key }), ...(owner?.id === undefined ? {} : { sessionId: owner.id }) });
    // Filled right below; the backend's callbacks only run once it started.
    const ref = {} as { endpoint: Endpoint; health: HealthChecker };
    const backend = new Backend<ClientCall>({
      name: config.name,
      transport: config.transport,
      timeoutMs: config.timeoutMs,
      startTimeoutMs: config.startTimeoutMs,
      logger,
      createChannel: () => createChannel(config, logger),
      restart: config.transport === "stdio" ? config.restart : REMOTE_RESTART,
      noRestart: owner !== undefined,
      onNotification: (b, message, origin) => {
        // The same update from several endpoints of a server reaches its subscribers once.
        if (owner === undefined && message.method === "notifications/resources/updated" && !this.watches.fresh(b, message.params?.uri)) return;
        this.handlers.onNotification(b, message, owner, origin);
      },
      onRequest: (b, message, origin) => this.handlers.onRequest(b, message, owner, origin),
      onStateChange: (b, previous) => {
        if (b.state === "up") {
          ref.endpoint.breaker.reconnected();
          if (owner === undefined) this.watches.endpointUp(ref.endpoint);
        }
        this.handlers.onStateChange(b, previous, owner);
      },
      onCallOutcome: (failed, cause) => (failed ? ref.endpoint.breaker.failure(cause) : ref.endpoint.breaker.success()),
      protocol: config.transport === "sse" ? "2025-11-25" : config.protocol,
      // One verdict per server (its endpoints speak the same era); keyed by the server's name, since each endpoint has a config copy of its own.
      verdicts: { cache: this.verdicts, key: this.verdictKey(config.name) },
      ...(this.presenters.has(config.name) ? { present: this.presenters.get(config.name)! } : {}),
    });
    const perSession = owner !== undefined;
    const breakerSettings = perSession ? { ...config.breaker, enabled: false } : config.breaker;
    const healthSettings = perSession ? { ...config.healthCheck, kind: "none" } : config.healthCheck;
    const breaker = new Breaker(breakerSettings, () => ref.health.probe(), (b) => {
      const set = this.sets.get(config.name);
      if (b.state === "open") logger.warn({ circuit: b.state, cause: b.cause, retryInMs: b.retryAt - Date.now() }, "circuit open");
      else logger.info({ circuit: b.state }, `circuit ${b.state.replace("_", "-")}`);
      if (set !== undefined && !perSession) this.handlers.onCircuitChange?.(set);
    });
    const health = new HealthChecker(backend as Backend<unknown>, breaker, healthSettings);
    ref.health = health;
    ref.endpoint = { backend, breaker, health, weight, track, key, config, id: endpointId(config), draining: false };
    return ref.endpoint;
  }

  /** Each server's primary endpoint, in config order (status, capabilities, lists). */
  primaries(): GatewayBackend[] {
    return [...this.sets.values()].map((set) => set.primary);
  }

  /** Every shared connection of every server (logging levels go to each). */
  connections(): GatewayBackend[] {
    return [...this.sets.values()].flatMap((set) => set.endpoints);
  }

  /** The primary endpoint of a server. */
  primary(server: string): GatewayBackend | undefined {
    return this.sets.get(server)?.primary;
  }

  /** Is this connection the one whose lists stand for its server (the registry reads it)? */
  isListSource(backend: GatewayBackend): boolean {
    return this.sets.get(backend.name)?.primary === backend;
  }

  /** Is any endpoint of the server connected? */
  serverUp(server: string): boolean {
    return this.sets.get(server)?.up ?? false;
  }

  /** Starts every endpoint; resolves when each settled its first attempt. */
  async start(): Promise<void> {
    await Promise.all([...this.sets.keys()].map((name) => this.startServer(name)));
  }

  /** Starts one server's endpoints (DNS names resolved first); resolves when each settled its first attempt. */
  async startServer(name: string): Promise<void> {
    const set = this.sets.get(name);
    if (set === undefined) return;
    await this.discoveries.get(name)?.start();
    await Promise.all(
      set.members.map((m) => {
        m.health.start();
        return m.backend.start();
      }),
    );
  }

  /** Does `server` give this session a connection of its own (`isolation: session`)? */
  isIsolated(server: string, session: Session): boolean {
    return session.id !== undefined && this.sets.get(server)?.config.isolation === "session";
  }

  /**
   * The endpoint that serves `server` for this call: one of the set now (may throw: every circuit open), or the
   * session's own (opened on first use). `pin`: a task's call, for the endpoint that created the task and no other
   * ({@link EndpointSet.pinned}; a session's own connection is the task's anyway).
   */
  endpointFor(server: string, call: ClientCall, pin?: { anchor: string; what: string }): Endpoint | Promise<Endpoint> {
    const set = this.sets.get(server);
    if (set === undefined) throw new RpcError(ErrorCode.BackendUnavailable, `Server "${server}" is not configured on this gateway any more (the config was reloaded).`);
    if (this.isIsolated(server, call.session)) return this.forSession(set, call);
    return pin === undefined ? set.pick(call) : set.pinned(pin.anchor, pin.what);
  }

  /**
   * Starts or stops watching a resource of a shared server on every endpoint (upstream/watches.ts): with the first
   * subscriber and the last one (the caller counts).
   */
  watch(server: string, uri: string, on: boolean): Promise<void> {
    const set = this.sets.get(server);
    if (set === undefined) return Promise.reject(new RpcError(ErrorCode.BackendUnavailable, `Server "${server}" is not configured on this gateway any more (the config was reloaded).`));
    return this.watches.watch(set, uri, on);
  }

  /** The per-session connections of a session. */
  sessionEndpoints(session: Session): GatewayBackend[] {
    return [...session.isolated.values()].map((e) => (e as Endpoint).backend);
  }

  private async forSession(set: EndpointSet, call: ClientCall): Promise<Endpoint> {
    const { config } = set;
    const server = config.name;
    const session = call.session;
    let endpoint = session.isolated.get(server) as Endpoint | undefined;
    if (endpoint === undefined || endpoint.backend.state === "down") {
      if (endpoint !== undefined) this.release(server, endpoint);
      const open = this.isolatedCount.get(server) ?? 0;
      if (open >= config.maxConnections) {
        throw new RpcError(
          ErrorCode.BackendUnavailable,
          `Server "${server}" already has ${open} per-session connections open, its maximum (maxConnections); try again when another session ends, or raise maxConnections.`,
        );
      }
      // The session's connection copies one endpoint of the set (the balancer's choice, on the session's side of a canary split).
      const like = set.members.length === 1 ? set.members[0]! : set.pick(call);
      endpoint = this.makeEndpoint(like.config, session, like.key, like.track, like.weight);
      this.isolatedCount.set(server, open + 1);
      session.isolated.set(server, endpoint);
      await endpoint.backend.start();
    } else if (endpoint.backend.state === "connecting") {
      await endpoint.backend.start();
    }
    return endpoint;
  }

  private release(server: string, endpoint: Endpoint): void {
    this.isolatedCount.set(server, Math.max(0, (this.isolatedCount.get(server) ?? 1) - 1));
    void endpoint.backend.stop();
  }

  /** Closes the per-session connections of a session. */
  async closeSession(session: Session): Promise<void> {
    const endpoints = [...session.isolated.entries()] as [string, Endpoint][];
    session.isolated.clear();
    for (const [server] of endpoints) this.isolatedCount.set(server, Math.max(0, (this.isolatedCount.get(server) ?? 1) - 1));
    await Promise.all(endpoints.map(([, e]) => e.backend.stop()));
  }

  /**
   * Drains an endpoint: no new call goes to it, the calls in flight finish (up to the server's `timeoutMs`), then
   * its connection closes and it leaves the set.
   */
  async drain(set: EndpointSet, endpoint: Endpoint): Promise<void> {
    endpoint.draining = true;
    const deadline = Date.now() + set.config.timeoutMs;
    while (endpoint.backend.outstanding > 0 && endpoint.backend.state === "up" && Date.now() < deadline) await new Promise((r) => setTimeout(r, DRAIN_POLL_MS));
    set.remove(endpoint);
    await this.stopEndpoint(endpoint);
  }

  private async stopEndpoint(endpoint: Endpoint): Promise<void> {
    endpoint.health.stop();
    endpoint.breaker.stop();
    await endpoint.backend.stop();
  }

  /** Removes a server: it stops taking calls at once, its calls in flight finish (drained), then it stops. */
  async removeServer(name: string): Promise<void> {
    const set = this.sets.get(name);
    if (set === undefined) return;
    this.sets.delete(name);
    this.watches.dropServer(name);
    this.discoveries.get(name)?.stop();
    this.discoveries.delete(name);
    await Promise.all(set.members.map((m) => this.drain(set, m)));
  }

  /** Replaces a server's endpoints with those of a changed config: the new ones start, the old ones drain, then stop. */
  async replaceServer(config: BackendConfig): Promise<void> {
    const old = this.sets.get(config.name);
    const oldDiscovery = this.discoveries.get(config.name);
    this.discoveries.delete(config.name);
    this.addServer(config);
    oldDiscovery?.stop();
    const started = this.startServer(config.name);
    if (old !== undefined) await Promise.all(old.members.map((m) => this.drain(old, m)));
    await started;
  }

  async stop(): Promise<void> {
    for (const discovery of this.discoveries.values()) discovery.stop();
    await Promise.all([...this.sets.values()].flatMap((set) => set.members.map((m) => this.stopEndpoint(m))));
  }
}
