/**
 * `Fleet`: the one call a Kubernetes stack makes. The namespace (Pod Security `restricted`), a default-deny
 * NetworkPolicy, one `McpServer` per catalog server, the `McpGateway`, and the monitoring hook points.
 */
import * as pulumi from "@pulumi/pulumi";
import { SESSION_SECRET_ENV } from "../../servers/catalog/derive.js";
import { createObject } from "../k8s/create.js";
import { McpGateway } from "../k8s/mcp-gateway.js";
import { McpServer } from "../k8s/mcp-server.js";
import { ComponentArgsError } from "../k8s/validate.js";
import { Monitoring } from "../monitoring/index.js";
import { gatewayInput, planFleet, planFleetMonitoring, validateFleetPlanInput, type FleetPlan, type FleetPlanInput } from "./plan.js";

export interface FleetArgs extends FleetPlanInput {
  /** The gateway's keys by environment variable (at least `MCP_FLEET_SESSION_SECRET`), as Pulumi secrets. */
  gatewaySecrets: Record<string, pulumi.Input<string>>;
  /**
   * Values of the servers' secret variables, by server then variable, as Pulumi secrets. A server left out gets no
   * Secret from us: its `<k8sName>-secrets` is provided by someone else (External Secrets in prod). @default {}
   */
  serverSecrets?: Record<string, Record<string, pulumi.Input<string>>>;
}

/** Every problem of the args (empty when valid). */
export function validateFleetArgs(args: FleetArgs): string[] {
  const problems = validateFleetPlanInput(args);
  const names = new Set(args.fleet.servers.map((s) => s.spec.name));
  for (const server of Object.keys(args.serverSecrets ?? {})) {
    if (!names.has(server)) problems.push(`\`serverSecrets.${server}\` names no server of the catalog. Remove it or add the server under servers/.`);
  }
  if (!(SESSION_SECRET_ENV in args.gatewaySecrets)) {
    problems.push(`\`gatewaySecrets.${SESSION_SECRET_ENV}\` is missing. Pass a random key of at least 32 characters: gateway replicas share it to seal session ids.`);
  }
  const signingKeyEnv = args.gateway?.identity?.identity?.signingKeyEnv;
  if (signingKeyEnv !== undefined && !(signingKeyEnv in args.gatewaySecrets)) {
    problems.push(`\`gatewaySecrets.${signingKeyEnv}\` is missing: \`gateway.identity.identity.signingKeyEnv\` names it. Pass the private key that signs callers' identity tokens (an Ed25519 or P-256 JWK or PKCS#8 PEM) as a Pulumi secret.`);
  }
  return problems;
}

export class Fleet extends pulumi.ComponentResource {
  readonly namespace: string;
  readonly gateway: McpGateway;
  readonly servers: Record<string, McpServer>;
  /** Public (or in-cluster) URL clients connect to. */
  readonly gatewayUrl: string;
  /** The plan the resources were created from (what `synth` writes). */
  readonly plan: FleetPlan;
  /** Rules, alerts, dashboards (and Prometheus/Grafana in standalone mode), when `monitoringStack` is set. */
  readonly monitoringStack?: Monitoring;

  constructor(name: string, args: FleetArgs, opts?: pulumi.ComponentResourceOptions) {
    const problems = validateFleetArgs(args);
    if (problems.length > 0) throw new ComponentArgsError(`Fleet "${name}"`, problems);
    super("mcp-fleet:index:Fleet", name, {}, opts);
    this.servers = {};

    this.namespace = args.fleet.network.namespace;
    this.plan = planFleet({ ...args, gateway: { ...args.gateway, secretKeys: Object.keys(args.gatewaySecrets) } });
    const child = { parent: this };
    const base: pulumi.Resource[] = [];
    if (this.plan.namespace !== undefined) base.push(createObject(`${name}-ns`, this.plan.namespace, child));
    base.push(createObject(`${name}-default-deny`, this.plan.defaultDeny, { ...child, dependsOn: base.slice() }));

    // Each component gets the very inputs its objects were planned from, and the values of its Secrets.
    for (const s of this.plan.servers) {
      const serverName = s.server.spec.name;
      const secretValues = args.serverSecrets?.[serverName];
      this.servers[serverName] = new McpServer(
        `${name}-${serverName}`,
        {
          ...s.input,
          ...(secretValues !== undefined ? { secretValues } : {}),
          ...(s.input.workload.kind === "adapter" ? { fleetSessionSecret: args.gatewaySecrets[SESSION_SECRET_ENV]! } : {}),
        },
        { parent: this, dependsOn: base },
      );
    }
    const { secretKeys: _keys, ...gateway } = gatewayInput(args);
    const identity = args.gateway?.identity;
    this.gateway = new McpGateway(`${name}-gateway`, { ...gateway, secrets: args.gatewaySecrets, ...(identity !== undefined ? { identity } : {}) }, { parent: this, dependsOn: base });
    this.gatewayUrl = this.gateway.url;
    const monitoring = planFleetMonitoring(name, args);
    if (monitoring !== undefined) this.monitoringStack = new Monitoring(monitoring.name, monitoring.args, { parent: this, dependsOn: base });
    this.registerOutputs({
      namespace: this.namespace,
      gatewayUrl: this.gatewayUrl,
      serviceNames: Object.fromEntries(Object.entries(this.servers).map(([k, v]) => [k, v.serviceName])),
    });
  }
}
