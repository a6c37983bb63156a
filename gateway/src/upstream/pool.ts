/**
 * The backends of the gateway, by server: each server's endpoint set (shared by every client session; its primary
 * endpoint also feeds the registry), plus, for servers with `isolation: session`, one connection per client
 * session, opened on the session's first call and closed with the session (so they are bounded by
 * `sessions.maxSessions` and idle expiry).
 */
import type { BackendConfig } from "../config.js";
import type { ClientCall } from "../context.js";
import type { Logger } from "../observability/logger.js";
import { ErrorCode, RpcError, type JsonRpcNotification, type JsonRpcRequest } from "../jsonrpc.js";
import type { Session } from "../session/session.js";
import { Backend, type BackendState } from "./backend.js";
import type { Channel } from "./channel.js";
import { EndpointSet, type GatewayBackend } from "./endpoints.js";
import { Verdicts } from "./negotiate.js";
import { SseChannel } from "./http.js";
import { StreamableHttpClientChannel } from "./streamable-client.js";
import { StdioChannel } from "./stdio.js";
import { withCredentials } from "./credentials.js";

export type { GatewayBackend } from "./endpoints.js";

export interface PoolHandlers {
  onNotification(backend: GatewayBackend, message: JsonRpcNotification, owner: Session | undefined, origin?: ClientCall): void;
  onRequest(backend: GatewayBackend, message: JsonRpcRequest, owner: Session | undefined, origin: ClientCall | undefined): void;
  onStateChange(backend: GatewayBackend, previous: BackendState, owner: Session | undefined): void;
}

const REMOTE_RESTART = { initialDelayMs: 500, maxDelayMs: 10_000 };

/** `inheritEnv` names already reported unset, per server config: a restarting child warns once, not per restart. */
const reportedMissingEnv = new WeakMap<BackendConfig, Set<string>>();

export function createChannel(config: BackendConfig, logger: Logger): Channel {
  switch (config.transport) {
    case "stdio": {
      const onMissingEnv = (names: string[]): void => {
        let reported = reportedMissingEnv.get(config);
        if (reported === undefined) reportedMissingEnv.set(config, (reported = new Set()));
        const fresh = names.filter((name) => !reported.has(name));
        if (fresh.length === 0) return;
        for (const name of fresh) reported.add(name);
        // Names only, never values (they are unset anyway, but the rule is the rule).
        logger.warn({ missingEnv: fresh }, "inheritEnv names variables unset in the gateway's environment; the backend starts without them");
      };
      return new StdioChannel({ command: config.command, args: config.args, env: config.env, inheritEnv: config.inheritEnv, onMissingEnv, cwd: config.cwd, logger });
    }
    case "http":
      return new StreamableHttpClientChannel({ url: config.url, headers: withCredentials(config, logger), logger });
    case "sse":
      return new SseChannel({ url: config.url, headers: withCredentials(config, logger), logger });
  }
}

export class BackendPool {
  /** Every server's endpoints, in config order. */
  readonly sets = new Map<string, EndpointSet>();
  /** Per-session connections open, by server (bounded by `maxConnections`). */
  private readonly isolatedCount = new Map<string, number>();
  /** Which era each server speaks (`protocol: auto`), shared by its connections. */
  private readonly verdicts = new Verdicts();

  constructor(
    servers: readonly BackendConfig[],
    private readonly logger: Logger,
    private readonly handlers: PoolHandlers,
  ) {
    for (const config of servers) this.sets.set(config.name, new EndpointSet(config, [this.make(config, undefined)]));
  }

  private make(config: BackendConfig, owner: Session | undefined): GatewayBackend {
    const logger = this.logger.child({ server: config.name, ...(owner?.id === undefined ? {} : { sessionId: owner.id }) });
    return new Backend<ClientCall>({
      name: config.name,
      transport: config.transport,
      timeoutMs: config.timeoutMs,
      startTimeoutMs: config.startTimeoutMs,
      logger,
      createChannel: () => createChannel(config, logger),
      restart: config.transport === "stdio" ? config.restart : REMOTE_RESTART,
      noRestart: owner !== undefined,
      onNotification: (backend, message, origin) => this.handlers.onNotification(backend, message, owner, origin),
      onRequest: (backend, message, origin) => this.handlers.onRequest(backend, message, owner, origin),
      onStateChange: (backend, previous) => this.handlers.onStateChange(backend, previous, owner),
      protocol: config.transport === "sse" ? "2025-11-25" : config.protocol,
      verdicts: { cache: this.verdicts, key: config },
    });
  }

  /** Each server's primary endpoint, in config order (status, capabilities, lists). */
  primaries(): GatewayBackend[] {
    return [...this.sets.values()].map((set) => set.primary);
  }

  /** The primary endpoint of a server. */
  primary(server: string): GatewayBackend | undefined {
    return this.sets.get(server)?.primary;
  }

  /** Starts every endpoint; resolves when each settled its first attempt. */
  async start(): Promise<void> {
    await Promise.all([...this.sets.values()].flatMap((set) => set.endpoints.map((b) => b.start())));
  }

  /** Does `server` give this session a connection of its own (`isolation: session`)? */
  isIsolated(server: string, session: Session): boolean {
    return session.id !== undefined && this.sets.get(server)?.config.isolation === "session";
  }

  /** The connection that serves `server` for this call: an endpoint of the set now, or the session's own (opened on first use). */
  endpointFor(server: string, call: ClientCall): GatewayBackend | Promise<GatewayBackend> {
    const set = this.sets.get(server)!;
    return this.isIsolated(server, call.session) ? this.forSession(set.config, call.session) : set.pick(call);
  }

  /** The per-session connections of a session. */
  sessionEndpoints(session: Session): GatewayBackend[] {
    return [...session.isolated.values()] as GatewayBackend[];
  }

  private async forSession(config: BackendConfig, session: Session): Promise<GatewayBackend> {
    const server = config.name;
    let backend = session.isolated.get(server) as GatewayBackend | undefined;
    if (backend === undefined || backend.state === "down") {
      if (backend !== undefined) this.release(server, backend);
      const open = this.isolatedCount.get(server) ?? 0;
      if (open >= config.maxConnections) {
        throw new RpcError(
          ErrorCode.BackendUnavailable,
          `Server "${server}" already has ${open} per-session connections open, its maximum (maxConnections); try again when another session ends, or raise maxConnections.`,
        );
      }
      backend = this.make(config, session);
      this.isolatedCount.set(server, open + 1);
      session.isolated.set(server, backend);
      await backend.start();
    } else if (backend.state === "connecting") {
      await backend.start();
    }
    return backend;
  }

  private release(server: string, backend: GatewayBackend): void {
    this.isolatedCount.set(server, Math.max(0, (this.isolatedCount.get(server) ?? 1) - 1));
    void backend.stop();
  }

  /** Closes the per-session connections of a session. */
  async closeSession(session: Session): Promise<void> {
    const backends = [...session.isolated.entries()] as [string, GatewayBackend][];
    session.isolated.clear();
    for (const [server] of backends) this.isolatedCount.set(server, Math.max(0, (this.isolatedCount.get(server) ?? 1) - 1));
    await Promise.all(backends.map(([, b]) => b.stop()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.sets.values()].flatMap((set) => set.endpoints.map((b) => b.stop())));
  }
}
