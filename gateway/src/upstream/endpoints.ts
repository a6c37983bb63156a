/**
 * The endpoints of one server and how a call picks one. Today every server has one endpoint (one connection); the
 * set is where several live (replicas, instances, canaries) and where balancing and circuit breakers decide.
 */
import type { BackendConfig } from "../config.js";
import type { ClientCall } from "../context.js";
import type { Backend } from "./backend.js";

export type GatewayBackend = Backend<ClientCall>;

/** Chooses the endpoint of one call among those of a server. */
export interface Balancer {
  pick(endpoints: readonly GatewayBackend[], call: ClientCall | undefined): GatewayBackend;
}

/** The only strategy one endpoint needs. */
export const FIRST_ENDPOINT: Balancer = { pick: (endpoints) => endpoints[0]! };

export class EndpointSet {
  constructor(
    readonly config: BackendConfig,
    readonly endpoints: readonly GatewayBackend[],
    private readonly balancer: Balancer = FIRST_ENDPOINT,
  ) {
    if (endpoints.length === 0) throw new Error(`server "${config.name}" has no endpoint`);
  }

  get server(): string {
    return this.config.name;
  }

  /** The endpoint whose lists and capabilities stand for the server (the registry reads it). */
  get primary(): GatewayBackend {
    return this.endpoints[0]!;
  }

  /** The endpoint that serves one call. */
  pick(call: ClientCall | undefined): GatewayBackend {
    return this.endpoints.length === 1 ? this.endpoints[0]! : this.balancer.pick(this.endpoints, call);
  }
}
