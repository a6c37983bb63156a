/**
 * The endpoints of one server and how a call picks one: every endpoint is one connection (a stdio process of
 * `instances`, a URL of `urls`, an address of a `dns` name, or the canary's) with its circuit breaker and health
 * checks; the set splits calls between stable and canary, skips endpoints that cannot serve, and lets the
 * balancer choose among the rest. When none can serve because their circuits are open, a call fails at once
 * with an error naming the server, the open circuit and when it retries.
 */
import type { BackendConfig } from "../config.js";
import type { ClientCall } from "../context.js";
import { ErrorCode, RpcError } from "../jsonrpc.js";
import { NotSentError, type Backend } from "./backend.js";
import type { Breaker } from "./breaker.js";
import type { HealthChecker } from "./health.js";
import type { CanarySplit, Track } from "./split.js";

export type GatewayBackend = Backend<ClientCall>;
export type { Track } from "./split.js";

/** One connection of a server, as balancing and breaking see it. */
export interface Endpoint {
  readonly backend: GatewayBackend;
  readonly breaker: Breaker;
  readonly health: HealthChecker;
  /** For the weighted strategy. */
  readonly weight: number;
  readonly track: Track;
  /** Stable within its set, for logs and status: `0`, `1`, `10.1.2.3`, `canary`. */
  readonly key: string;
  /** The channel settings of this endpoint (its URL, or its command and args). */
  readonly config: BackendConfig;
  /**
   * Names this endpoint in task handles (tasks are sticky: every task method goes where the task was created). A
   * remote endpoint's is a digest of its URL, the same on every replica and across reloads that keep the URL; a stdio
   * instance's is random per process slot of this replica (its processes are this replica's alone).
   */
  readonly id: string;
  /** Going away: no new call, the ones in flight finish. */
  draining: boolean;
}

/**
 * What a task handle records of the endpoint that created the task: its id, and for a stdio process the connection
 * it had (a restarted process is another process: the tasks of the one that exited are gone with it).
 */
export function taskAnchor(endpoint: Endpoint): string {
  return endpoint.config.transport === "stdio" ? `${endpoint.id}:${endpoint.backend.connections}` : endpoint.id;
}

/** Chooses the endpoint of one call among those that may serve it (never empty). */
export interface Balancer {
  pick(candidates: readonly Endpoint[], call: ClientCall | undefined): Endpoint;
}

/** The only strategy one endpoint needs. */
export const FIRST_ENDPOINT: Balancer = { pick: (endpoints) => endpoints[0]! };

/** Calls of a server whose every usable endpoint has its circuit open fail with this, naming when it retries. */
export function circuitOpenError(server: string, open: readonly Endpoint[]): NotSentError {
  const next = Math.min(...open.map((e) => e.breaker.retryAt));
  const inSeconds = Math.max(0, (next - Date.now()) / 1000).toFixed(1);
  const cause = open[0]!.breaker.cause;
  const which = open.length === 1 ? "its circuit is open" : `the circuits of all ${open.length} of its endpoints are open`;
  return new NotSentError(ErrorCode.BackendUnavailable, `Server "${server}" is unavailable: ${which} (${cause}); the gateway retries it in ${inSeconds} s.`);
}

export class EndpointSet {
  private list: Endpoint[];

  constructor(
    readonly config: BackendConfig,
    members: readonly Endpoint[],
    private readonly balancer: Balancer = FIRST_ENDPOINT,
    private readonly split: CanarySplit | undefined = undefined,
  ) {
    if (members.length === 0) throw new Error(`server "${config.name}" has no endpoint`);
    this.list = [...members];
  }

  get server(): string {
    return this.config.name;
  }

  /** Every endpoint, draining ones included. */
  get members(): readonly Endpoint[] {
    return this.list;
  }

  /** Every endpoint's connection. */
  get endpoints(): readonly GatewayBackend[] {
    return this.list.map((m) => m.backend);
  }

  /**
   * The endpoint whose lists and capabilities stand for the server (the registry reads it): the first stable one
   * that is up, else the first. Not simply the first: a server whose first endpoint is down still lists its tools.
   */
  get primary(): GatewayBackend {
    return this.primaryEndpoint.backend;
  }

  get primaryEndpoint(): Endpoint {
    for (const m of this.list) if (m.track === "stable" && !m.draining && m.backend.state === "up") return m;
    return this.list.find((m) => m.track === "stable" && !m.draining) ?? this.list[0]!;
  }

  /** Is any endpoint connected? */
  get up(): boolean {
    return this.list.some((m) => m.backend.state === "up");
  }

  /** The circuit state calls see: closed while any endpoint's is, else half-open while any probes, else open. */
  get circuit(): "closed" | "half_open" | "open" {
    let best: "closed" | "half_open" | "open" = "open";
    for (const m of this.list) {
      if (m.draining) continue;
      if (m.breaker.state === "closed") return "closed";
      if (m.breaker.state === "half_open") best = "half_open";
    }
    return best;
  }

  add(endpoint: Endpoint): void {
    this.list.push(endpoint);
  }

  /** Takes an endpoint out of the set (it must have been drained by the caller). */
  remove(endpoint: Endpoint): void {
    this.list = this.list.filter((m) => m !== endpoint);
  }

  /**
   * The endpoint a task lives on (`anchor`: {@link taskAnchor} of its creator), for `what` (e.g. `tasks/get of task
   * "t1"`). Never another endpoint, which has never heard of the task: when its own cannot answer, the error names
   * the server and why (`-32602` when the task is gone for good, `-32002` while its endpoint is down or open).
   */
  pinned(anchor: string, what: string): Endpoint {
    const [id, generation] = anchor.split(":");
    const endpoint = this.list.find((m) => m.id === id);
    const lost = (why: string): RpcError => new RpcError(ErrorCode.InvalidParams, `Task lost: ${what} cannot be answered, ${why}.`);
    if (endpoint === undefined) return throwing(lost(`the endpoint of server "${this.server}" that ran it is no longer part of the server (the config was reloaded, its address left DNS, or another replica of the gateway ran it)`));
    const label = this.list.length === 1 ? `server "${this.server}"` : `endpoint ${endpoint.key} of server "${this.server}"`;
    if (generation !== undefined) {
      // A stdio process: its tasks live and die with it.
      if (String(endpoint.backend.connections) !== generation || endpoint.backend.state !== "up") {
        return throwing(lost(`the process of ${label} that ran it exited${endpoint.backend.lastError === undefined ? "" : ` (${endpoint.backend.lastError})`}`));
      }
    } else if (endpoint.backend.state !== "up") {
      return throwing(new NotSentError(ErrorCode.BackendUnavailable, `Server "${this.server}" cannot answer ${what}: ${label}, which runs the task, is not connected${endpoint.backend.lastError === undefined ? "" : ` (${endpoint.backend.lastError})`}; try again later.`));
    }
    if (!endpoint.breaker.allows) {
      const inSeconds = Math.max(0, (endpoint.breaker.retryAt - Date.now()) / 1000).toFixed(1);
      return throwing(new NotSentError(ErrorCode.BackendUnavailable, `Server "${this.server}" cannot answer ${what}: the circuit of ${label}, which runs the task, is open (${endpoint.breaker.cause}); the gateway retries it in ${inSeconds} s.`));
    }
    return endpoint;
  }

  /** The endpoint that serves one call; throws {@link circuitOpenError} when every usable one is open. */
  pick(call: ClientCall | undefined): Endpoint {
    const list = this.list;
    if (list.length === 1) {
      const only = list[0]!;
      if (only.breaker.allows || only.backend.state !== "up") return only; // a backend that is down says so itself
      throw circuitOpenError(this.server, list);
    }
    const track = this.split?.track(call) ?? "stable";
    let candidates = list.filter((m) => m.track === track && usable(m));
    // The other side serves when this one cannot (a canary that is down does not fail its share of calls).
    if (candidates.length === 0) candidates = list.filter(usable);
    if (candidates.length > 0) return candidates.length === 1 ? candidates[0]! : this.balancer.pick(candidates, call);
    const open = list.filter((m) => !m.draining && m.backend.state === "up" && !m.breaker.allows);
    if (open.length > 0) throw circuitOpenError(this.server, open);
    return this.primaryEndpoint; // every endpoint is down: its request says so, naming the server and the cause
  }
}

function throwing(error: Error): never {
  throw error;
}

function usable(m: Endpoint): boolean {
  return !m.draining && m.breaker.allows && m.backend.state === "up";
}
