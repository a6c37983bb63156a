/**
 * The resources some client watches, per server, made true on every endpoint of the server: a resource changes in
 * the process (or replica) that serves it, so each endpoint that is up is subscribed (2025: `resources/subscribe`;
 * 2026-07-28: the URI joins the endpoint's shared `subscriptions/listen`), an endpoint that comes up (a restart,
 * a reconnect, added by a reload or by DNS) is subscribed to every watched URI, and an unsubscription goes to every
 * endpoint. The same update reported by several endpoints reaches each subscriber once: an update of a URI from
 * another endpoint within {@link DEDUPE_MS} of the last one delivered is dropped (the news is "read it again", which
 * the first one already said). Counting subscribers is the caller's (session/subscriptions.ts): it watches a URI
 * with its first subscriber and unwatches it with its last.
 */
import type { Logger } from "../observability/logger.js";
import type { Endpoint, EndpointSet, GatewayBackend } from "./endpoints.js";

/** Updates of one URI from different endpoints closer than this are one update. */
export const DEDUPE_MS = 100;
/** URIs whose last update is remembered at once (the oldest forgotten first). */
const MAX_RECENT = 10_000;

export class ResourceWatches {
  private readonly byServer = new Map<string, Set<string>>();
  /** The last update delivered per server and URI: when, and from which endpoint. */
  private readonly recent = new Map<string, { at: number; from: GatewayBackend }>();

  constructor(private readonly logger: Logger) {}

  /** The URIs watched on a server now. */
  watched(server: string): ReadonlySet<string> {
    return this.byServer.get(server) ?? new Set();
  }

  /**
   * Starts or stops watching `uri` on every endpoint of `set` that is up. Resolves when each answered; rejects with
   * the error of the first when none accepted (a subscription is then undone here).
   */
  async watch(set: EndpointSet, uri: string, on: boolean): Promise<void> {
    let uris = this.byServer.get(set.server);
    if (on) {
      if (uris === undefined) this.byServer.set(set.server, (uris = new Set()));
      uris.add(uri);
    } else uris?.delete(uri);
    const up = set.members.filter((m) => m.backend.state === "up" && (!on || !m.draining));
    // None up: the primary's own request says why (not connected, naming the server).
    const targets = up.length > 0 ? up : [set.primaryEndpoint];
    const outcomes = await Promise.allSettled(targets.map((m) => this.apply(m.backend, uri, on)));
    const failures = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    if (failures.length === outcomes.length) {
      if (on) uris?.delete(uri);
      throw failures[0]!.reason;
    }
    for (const [i, o] of outcomes.entries()) {
      if (o.status === "rejected") this.logger.warn({ server: set.server, endpoint: targets[i]!.key, uri, err: (o.reason as Error).message }, `${on ? "subscribing" : "unsubscribing"} an endpoint failed; the others serve`);
    }
  }

  /** An endpoint (re)connected: it is subscribed to every URI watched on its server. */
  endpointUp(endpoint: Endpoint): void {
    const uris = this.byServer.get(endpoint.backend.name);
    if (uris === undefined || uris.size === 0) return;
    for (const uri of uris) {
      this.apply(endpoint.backend, uri, true).catch((error: unknown) =>
        this.logger.warn({ server: endpoint.backend.name, endpoint: endpoint.key, uri, err: (error as Error).message }, "subscribing a reconnected endpoint failed"),
      );
    }
  }

  /** Should this `notifications/resources/updated` of a shared connection go on (false: another endpoint just said it)? */
  fresh(from: GatewayBackend, uri: unknown): boolean {
    if (typeof uri !== "string") return true;
    const key = `${from.name}\n${uri}`;
    const now = Date.now();
    const last = this.recent.get(key);
    if (last !== undefined && last.from !== from && now - last.at < DEDUPE_MS) return false;
    this.recent.delete(key);
    this.recent.set(key, { at: now, from });
    if (this.recent.size > MAX_RECENT) this.recent.delete(this.recent.keys().next().value as string);
    return true;
  }

  /** Forgets a removed server's watches. */
  dropServer(server: string): void {
    this.byServer.delete(server);
  }

  private async apply(backend: GatewayBackend, uri: string, on: boolean): Promise<void> {
    // 2026-07-28: the connection's shared listen (kept across its reconnects; opened once it is up).
    if (backend.listen !== undefined) return backend.listen.watch(uri, on);
    const method = on ? "resources/subscribe" : "resources/unsubscribe";
    await backend.request(method, { uri }, { label: `${method} "${uri}"` });
  }
}
