/**
 * The components of the `mcp-fleet` Pulumi package (`pulumi package add`): McpServer, McpGateway, Monitoring and
 * Fleet, for programs in any Pulumi language. Each validates its plain arguments (args.ts) with the catalog's rules,
 * then creates the repository's own component of the same name as its only child: the resources, their hardening
 * and their names are exactly those of `pulumi up -s <stack>`. Type tokens are `mcp-fleet:index:<Name>`, the module
 * the component provider host serves.
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { Fleet as FleetComponent } from "../components/fleet/fleet.js";
import { McpGateway as McpGatewayComponent } from "../components/k8s/mcp-gateway.js";
import { McpServer as McpServerComponent } from "../components/k8s/mcp-server.js";
import { Monitoring as MonitoringComponent, type MonitoringComponentArgs } from "../components/monitoring/index.js";
import { workloadOf } from "../components/workload.js";
import { fleetModel, type ClusterNetwork, type FleetModel } from "../servers/catalog/derive.js";
import { catalogOf, type Server, type ServerSlo } from "./args.js";

/** Where servers would keep their Dockerfiles for the package: here, where there are none (see `catalogOf`). */
const PACKAGE_ROOT = dirname(fileURLToPath(import.meta.url));

/** The fleet model of these servers in a namespace: every name, label and URL, as the repository's stacks derive them. */
function clusterFleet(component: string, servers: readonly Server[], where: { namespace: string; prefix?: string | undefined; owner?: string | undefined }): FleetModel<ClusterNetwork> {
  const catalog = catalogOf(component, servers, PACKAGE_ROOT);
  return fleetModel(catalog, {
    network: { kind: "cluster", namespace: where.namespace },
    ...(where.prefix !== undefined ? { prefix: where.prefix } : {}),
    ...(where.owner !== undefined ? { owner: where.owner } : {}),
  });
}

/** Horizontal autoscaling on CPU. */
export interface Autoscaling {
  minReplicas: number;
  maxReplicas: number;
  /** Average CPU utilization (percent of requests) to scale at. @default 70 */
  targetCpuUtilization?: number;
}

export const IssuerKind = { ClusterIssuer: "ClusterIssuer", Issuer: "Issuer" } as const;
export type IssuerKind = (typeof IssuerKind)[keyof typeof IssuerKind];

export interface IngressTls {
  /** The cert-manager (Cluster)Issuer that signs the certificate. */
  issuer: string;
  /** @default "ClusterIssuer" */
  issuerKind?: IssuerKind;
}

/** The gateway's public endpoint. */
export interface GatewayIngress {
  /** Host name clients connect to (mcp.example.com). */
  host: string;
  /** @default the cluster's default IngressClass */
  className?: string;
  /** TLS through cert-manager. @default none */
  tls?: IngressTls;
}

export interface McpServerArgs {
  server: Server;
  /** Namespace of its objects (must exist). */
  namespace: string;
  /** The gateway image, pinned: runs the adapter of a stdio, http or sse server. */
  gatewayImage: string;
  /** Prefix of Kubernetes names. @default "mcp" */
  prefix?: string;
  /** Namespace of the monitoring stack, allowed to scrape. @default "monitoring" */
  monitoringNamespace?: string;
  /** Scale on CPU instead of the spec's fixed replicas. */
  autoscaling?: Autoscaling;
  /** Values of the server's secret variables (Pulumi secrets); unset, its Secret comes from elsewhere. */
  secretValues?: Record<string, pulumi.Input<string>>;
  /** The fleet's session secret (a Pulumi secret): an adapter's replicas share a key derived from it. */
  fleetSessionSecret?: pulumi.Input<string>;
  /** Extra ServiceAccount annotations (IRSA role, ...). */
  serviceAccountAnnotations?: Record<string, string>;
}

/** One MCP server on Kubernetes: ServiceAccount, hardened Deployment, Service, PodDisruptionBudget, NetworkPolicy. */
export class McpServer extends pulumi.ComponentResource {
  /** Name of its Service (and of every object of the server). */
  public readonly serviceName: pulumi.Output<string>;
  /** In-cluster URL of its MCP endpoint. */
  public readonly url: pulumi.Output<string>;

  constructor(name: string, args: McpServerArgs, opts?: pulumi.ComponentResourceOptions) {
    const fleet = clusterFleet(`McpServer "${name}"`, [args.server], args);
    const server = fleet.servers[0]!;
    super("mcp-fleet:index:McpServer", name, {}, opts);
    const workload = workloadOf(server, { gatewayImage: args.gatewayImage, builtImage: () => args.gatewayImage });
    const inner = new McpServerComponent(
      name,
      {
        fleet,
        server,
        workload,
        ...(args.fleetSessionSecret !== undefined ? { fleetSessionSecret: args.fleetSessionSecret } : {}),
        ...(args.monitoringNamespace !== undefined ? { monitoringNamespace: args.monitoringNamespace } : {}),
        ...(args.autoscaling !== undefined ? { autoscaling: args.autoscaling } : {}),
        ...(args.secretValues !== undefined ? { secretValues: args.secretValues } : {}),
        ...(args.serviceAccountAnnotations !== undefined ? { serviceAccountAnnotations: args.serviceAccountAnnotations } : {}),
      },
      { parent: this },
    );
    this.serviceName = pulumi.output(inner.serviceName);
    this.url = pulumi.output(inner.url);
    this.registerOutputs({ serviceName: this.serviceName, url: this.url });
  }
}

export interface McpGatewayArgs {
  /** Every server the gateway fronts (each reached at its Service). */
  servers: Server[];
  namespace: string;
  /** The gateway image, pinned. */
  image: string;
  /** @default "mcp" */
  prefix?: string;
  /** @default 2 */
  replicas?: number;
  autoscaling?: Autoscaling;
  /** Public endpoint; unset: in-cluster only. */
  ingress?: GatewayIngress;
  /** The gateway's keys by environment variable; must hold MCP_FLEET_SESSION_SECRET. */
  secrets: Record<string, pulumi.Input<string>>;
  /** Owning team. @default "platform" */
  owner?: string;
}

/** The MCP gateway on Kubernetes: one Streamable HTTP endpoint in front of every server. */
export class McpGateway extends pulumi.ComponentResource {
  public readonly serviceName: pulumi.Output<string>;
  /** In-cluster URL of its MCP endpoint. */
  public readonly internalUrl: pulumi.Output<string>;
  /** The URL clients connect to (the ingress host when there is one). */
  public readonly url: pulumi.Output<string>;

  constructor(name: string, args: McpGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    const fleet = clusterFleet(`McpGateway "${name}"`, args.servers, args);
    super("mcp-fleet:index:McpGateway", name, {}, opts);
    const inner = new McpGatewayComponent(
      name,
      {
        fleet,
        image: args.image,
        secrets: args.secrets,
        ...(args.replicas !== undefined ? { replicas: args.replicas } : {}),
        ...(args.autoscaling !== undefined ? { autoscaling: args.autoscaling } : {}),
        ...(args.ingress !== undefined ? { ingress: args.ingress } : {}),
      },
      { parent: this },
    );
    this.serviceName = pulumi.output(inner.serviceName);
    this.internalUrl = pulumi.output(inner.internalUrl);
    this.url = pulumi.output(inner.url);
    this.registerOutputs({ serviceName: this.serviceName, internalUrl: this.internalUrl, url: this.url });
  }
}

export const MonitoringMode = { KubePrometheusStack: "kube-prometheus-stack", Standalone: "standalone", Docker: "docker" } as const;
export type MonitoringMode = (typeof MonitoringMode)[keyof typeof MonitoringMode];
export const MonitorKind = { ServiceMonitor: "ServiceMonitor", PodMonitor: "PodMonitor", None: "none" } as const;
export type MonitorKind = (typeof MonitorKind)[keyof typeof MonitorKind];

/** A server as monitoring sees it: its name and its alert thresholds. */
export interface MonitoredServer {
  name: string;
  slo?: ServerSlo;
}

/** Where the gateway's pods are (Kubernetes modes). */
export interface GatewayTarget {
  namespace: string;
  podSelector: Record<string, string>;
  /** @default podSelector */
  serviceSelector?: Record<string, string>;
  /** @default "http" */
  portName?: string;
  /** @default 8080 */
  port?: number;
}

export interface KubePrometheusStack {
  /** @default "ServiceMonitor" */
  monitor?: MonitorKind;
  /** @default { release: "kube-prometheus-stack" } */
  selectorLabels?: Record<string, string>;
  dashboardsNamespace?: string;
  /** @default "MCP fleet" */
  folder?: string;
}

export interface Persistence {
  size: string;
  storageClassName?: string;
}

export interface SecretKeyRef {
  name: string;
  key: string;
}

export interface Standalone {
  prometheusImage?: string;
  grafanaImage?: string;
  /** @default "15d" */
  retention?: string;
  persistence?: Persistence;
  grafanaAdminPasswordSecret?: SecretKeyRef;
}

export interface DockerMonitoring {
  /** Absolute host directory the generated files are written to and bind-mounted from. */
  configDir: string;
  /** @default "127.0.0.1:8080" */
  gatewayAddress?: string;
  /** @default true */
  writeFiles?: boolean;
  /** @default "host" */
  networkMode?: string;
  /** @default 9090 */
  prometheusPort?: number;
  /** @default 3000 */
  grafanaPort?: number;
  prometheusImage?: string;
  grafanaImage?: string;
}

export interface MonitoringArgs {
  mode: MonitoringMode;
  servers: MonitoredServer[];
  gateway?: GatewayTarget;
  kubePrometheusStack?: KubePrometheusStack;
  standalone?: Standalone;
  docker?: DockerMonitoring;
  /** @default "30s" */
  scrapeInterval?: string;
  /** @default "platform" */
  owner?: string;
}

/** Recording rules, alerts and Grafana dashboards of the fleet, into kube-prometheus-stack, standalone, or Docker. */
export class Monitoring extends pulumi.ComponentResource {
  public readonly grafanaUrl: pulumi.Output<string | undefined>;
  public readonly prometheusUrl: pulumi.Output<string | undefined>;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mcp-fleet:index:Monitoring", name, {}, opts);
    const inner = new MonitoringComponent(name, { ...args, servers: args.servers.map((s) => ({ name: s.name, slo: { ...(s.slo ?? {}) } })) } satisfies MonitoringComponentArgs, { parent: this });
    this.grafanaUrl = inner.grafanaUrl;
    this.prometheusUrl = inner.prometheusUrl;
    this.registerOutputs({ grafanaUrl: this.grafanaUrl, prometheusUrl: this.prometheusUrl });
  }
}

export interface FleetGateway {
  /** @default 2 */
  replicas?: number;
  autoscaling?: Autoscaling;
  ingress?: GatewayIngress;
}

export const FleetMonitoringMode = { KubePrometheusStack: "kube-prometheus-stack", Standalone: "standalone" } as const;
export type FleetMonitoringMode = (typeof FleetMonitoringMode)[keyof typeof FleetMonitoringMode];

export interface FleetMonitoringStack {
  mode: FleetMonitoringMode;
  kubePrometheusStack?: KubePrometheusStack;
  standalone?: Standalone;
  scrapeInterval?: string;
}

export interface FleetArgs {
  servers: Server[];
  namespace: string;
  /** The gateway image, pinned; also runs the adapters of stdio/http/sse servers. */
  gatewayImage: string;
  /** @default "mcp" */
  prefix?: string;
  /** @default "platform" */
  owner?: string;
  /** Create the namespace (Pod Security `restricted`). @default true */
  createNamespace?: boolean;
  gateway?: FleetGateway;
  /** Per-server autoscaling, by server name. */
  serverAutoscaling?: Record<string, Autoscaling>;
  /** @default "monitoring" */
  monitoringNamespace?: string;
  /** Rules, alerts and dashboards with the fleet. @default none */
  monitoringStack?: FleetMonitoringStack;
  /** The gateway's keys by environment variable (MCP_FLEET_SESSION_SECRET at least), as Pulumi secrets. */
  gatewaySecrets: Record<string, pulumi.Input<string>>;
  /** Server secret values by server then variable, as Pulumi secrets. */
  serverSecrets?: Record<string, Record<string, pulumi.Input<string>>>;
}

/** The whole fleet on Kubernetes: namespace, default-deny NetworkPolicy, every server, the gateway, monitoring. */
export class Fleet extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  /** The URL clients connect to. */
  public readonly gatewayUrl: pulumi.Output<string>;

  constructor(name: string, args: FleetArgs, opts?: pulumi.ComponentResourceOptions) {
    const fleet = clusterFleet(`Fleet "${name}"`, args.servers, args);
    super("mcp-fleet:index:Fleet", name, {}, opts);
    const { servers: _servers, namespace: _namespace, prefix: _prefix, owner: _owner, ...rest } = args;
    void [_servers, _namespace, _prefix, _owner];
    const inner = new FleetComponent(name, { ...rest, fleet } satisfies ConstructorParameters<typeof FleetComponent>[1], { parent: this });
    this.namespace = pulumi.output(inner.namespace);
    this.gatewayUrl = pulumi.output(inner.gatewayUrl);
    this.registerOutputs({ namespace: this.namespace, gatewayUrl: this.gatewayUrl });
  }
}
