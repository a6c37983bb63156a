/**
 * DNS discovery of a remote server's endpoints (`dns` in its config): the host of its `url` is resolved to every
 * address it has (in Kubernetes, the headless Service of the server: one address per ready pod), each address
 * becomes an endpoint (the URL with the address as host, the name kept in the `Host` header), and the name is
 * re-resolved every `refreshMs`: new addresses join, addresses gone are drained, then closed. When the name does not
 * resolve, the endpoints stay as they are (the last answer stands) and a failure is logged once until it resolves
 * again.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { BackendConfig } from "../config.js";
import type { Logger } from "../observability/logger.js";
import type { Endpoint, EndpointSet } from "./endpoints.js";

/** Every address of a host name. */
export type Resolve = (host: string) => Promise<string[]>;

export const lookupAll: Resolve = async (host) => (await lookup(host, { all: true })).map((a) => a.address).sort();

type RemoteConfig = Extract<BackendConfig, { transport: "http" | "sse" }>;

export interface DiscoveryDeps {
  set: EndpointSet;
  resolve: Resolve;
  logger: Logger;
  make: (key: string, config: BackendConfig) => Endpoint;
  drain: (endpoint: Endpoint) => Promise<void>;
}

/** The channel settings of one address of a server's URL. */
export function addressConfig(config: RemoteConfig, address: string): RemoteConfig {
  const url = new URL(config.url);
  const host = url.host;
  url.hostname = isIP(address) === 6 ? `[${address}]` : address;
  return { ...config, url: url.href, headers: { ...config.headers, host } };
}

export class DnsDiscovery {
  private timer: NodeJS.Timeout | undefined;
  private failing = false;
  private readonly config: RemoteConfig;
  private readonly host: string;

  constructor(private readonly deps: DiscoveryDeps) {
    this.config = deps.set.config as RemoteConfig;
    this.host = new URL(this.config.url).hostname;
  }

  /** Resolves once (the set's endpoints become the addresses), then keeps re-resolving. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.config.dns!.refreshMs);
    this.timer.unref();
  }

  /** One resolution, applied: endpoints of new addresses start, those of addresses gone drain. */
  async refresh(): Promise<void> {
    let addresses: string[];
    try {
      addresses = [...new Set(await this.deps.resolve(this.host))];
    } catch (error) {
      if (!this.failing) this.deps.logger.warn({ host: this.host, err: (error as Error).message }, "DNS name of the server does not resolve; keeping its endpoints");
      this.failing = true;
      return;
    }
    if (addresses.length === 0) return;
    if (this.failing) this.deps.logger.info({ host: this.host, addresses }, "DNS name of the server resolves again");
    this.failing = false;
    const { set } = this.deps;
    const wanted = new Set(addresses);
    // The endpoints made from the config itself (the URL as written) give way to the addresses.
    const gone = set.members.filter((m) => m.track === "stable" && !m.draining && !wanted.has(m.key));
    const have = new Set(set.members.filter((m) => !m.draining).map((m) => m.key));
    const added: Endpoint[] = [];
    for (const address of addresses) {
      if (have.has(address)) continue;
      const endpoint = this.deps.make(address, addressConfig(this.config, address));
      set.add(endpoint);
      added.push(endpoint);
    }
    if (added.length > 0 || gone.length > 0) {
      this.deps.logger.info({ host: this.host, added: added.map((e) => e.key), removed: gone.map((e) => e.key) }, "server endpoints changed (DNS)");
    }
    await Promise.all(
      added.map((e) => {
        e.health.start();
        return e.backend.start();
      }),
    );
    for (const endpoint of gone) void this.deps.drain(endpoint);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
