/**
 * Prometheus metrics, registered from the contract (`metrics-contract.ts`) and nothing else, plus prom-client's
 * default process and runtime metrics. Label children are cached: the hot path does a Map lookup, not label hashing.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { METRICS, type MetricDefinition, type Outcome, type RELOAD_RESULTS, type VERSIONS } from "./metrics-contract.js";

export type Version = (typeof VERSIONS)[number];
export type ReloadResult = (typeof RELOAD_RESULTS)[number];

type AnyMetric = Counter<string> | Gauge<string> | Histogram<string>;

/** MCP methods reported by name in `method` labels; others are `other`. */
const KNOWN_METHODS = new Set([
  "initialize", "ping", "tools/list", "tools/call", "resources/list", "resources/templates/list", "resources/read",
  "resources/subscribe", "resources/unsubscribe", "prompts/list", "prompts/get", "completion/complete", "logging/setLevel",
  "tasks/get", "tasks/result", "tasks/cancel", "tasks/list",
]);

export function methodLabel(method: string): string {
  return KNOWN_METHODS.has(method) ? method : "other";
}

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly metrics = new Map<string, AnyMetric>();
  private readonly toolCallChildren = new Map<string, { inc(): void }>();
  private readonly durationChildren = new Map<string, { observe(v: number): void }>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    for (const [key, def] of Object.entries(METRICS) as [string, MetricDefinition][]) {
      this.metrics.set(key, this.create(def));
    }
    // Known label values start at 0, so that a rate over them has data before the first event.
    for (const result of ["applied", "unchanged", "invalid"] satisfies ReloadResult[]) this.counter("configReloads").labels(result);
  }

  private create(def: MetricDefinition): AnyMetric {
    const base = { name: def.name, help: def.help, labelNames: [...def.labels], registers: [this.registry] };
    if (def.type === "counter") return new Counter(base);
    if (def.type === "gauge") return new Gauge(base);
    return new Histogram({ ...base, buckets: [...(def.buckets ?? [])] });
  }

  private counter(key: keyof typeof METRICS): Counter<string> {
    return this.metrics.get(key) as Counter<string>;
  }
  private gauge(key: keyof typeof METRICS): Gauge<string> {
    return this.metrics.get(key) as Gauge<string>;
  }
  private histogram(key: keyof typeof METRICS): Histogram<string> {
    return this.metrics.get(key) as Histogram<string>;
  }

  /** A cached label child: the hot path pays a Map lookup instead of prom-client's label hashing. */
  private child<T>(cache: Map<string, T>, key: string, make: () => T): T {
    let c = cache.get(key);
    if (c === undefined) {
      c = make();
      cache.set(key, c);
    }
    return c;
  }
  private readonly httpChildren = new Map<string, { inc(): void }>();
  private readonly httpDurationChildren = new Map<string, { observe(v: number): void }>();
  private readonly rpcChildren = new Map<string, { inc(): void }>();

  httpRequest(method: string, code: number, seconds: number): void {
    this.child(this.httpChildren, `${method} ${code}`, () => this.counter("httpRequests").labels(method, String(code))).inc();
    this.child(this.httpDurationChildren, method, () => this.histogram("httpRequestDuration").labels(method)).observe(seconds);
  }

  rpcRequest(method: string, outcome: Outcome): void {
    // Keyed by the label, not the method: clients choose method names, and the cache must stay bounded.
    const label = methodLabel(method);
    this.child(this.rpcChildren, `${label} ${outcome}`, () => this.counter("rpcRequests").labels(label, outcome)).inc();
  }

  toolCall(server: string, tool: string, outcome: Outcome, seconds: number, version: Version = "stable"): void {
    const key = `${server}\u0000${tool}\u0000${outcome}\u0000${version}`;
    let child = this.toolCallChildren.get(key);
    if (child === undefined) {
      child = this.counter("toolCalls").labels(server, tool, outcome, version);
      this.toolCallChildren.set(key, child);
    }
    child.inc();
    const durationKey = version === "stable" ? server : `${server}\u0000${version}`;
    let duration = this.durationChildren.get(durationKey);
    if (duration === undefined) {
      duration = this.histogram("toolCallDuration").labels(server, version);
      this.durationChildren.set(durationKey, duration);
    }
    duration.observe(seconds);
  }

  configReload(result: ReloadResult): void {
    this.counter("configReloads").labels(result).inc();
  }

  backendUp(server: string, transport: string, up: boolean): void {
    this.gauge("backendUp").labels(server, transport).set(up ? 1 : 0);
  }

  /** A server left the config (reload): its per-server gauges go. */
  serverRemoved(server: string, transport: string): void {
    this.gauge("backendUp").remove(server, transport);
    this.gauge("circuitState").remove(server);
  }

  backendRestart(server: string): void {
    this.counter("backendRestarts").labels(server).inc();
  }

  circuit(server: string, state: number): void {
    this.gauge("circuitState").labels(server).set(state);
  }

  private readonly rateLimitedChildren = new Map<string, { inc(): void }>();
  rateLimited(server: string): void {
    this.child(this.rateLimitedChildren, server, () => this.counter("rateLimited").labels(server)).inc();
  }

  sessions(active: number): void {
    this.gauge("sessionsActive").set(active);
  }
  sessionsMax(max: number): void {
    this.gauge("sessionsMax").set(max);
  }
  sessionCreated(): void {
    this.counter("sessionsCreated").inc();
  }
  sessionExpired(): void {
    this.counter("sessionsExpired").inc();
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }
  get contentType(): string {
    return this.registry.contentType;
  }
}
