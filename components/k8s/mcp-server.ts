/**
 * `McpServer`: one catalog server on Kubernetes. ServiceAccount (no token), Deployment (hardened), Service
 * (named port `mcp`), PodDisruptionBudget, optional HorizontalPodAutoscaler, NetworkPolicy (ingress only from the
 * gateway and monitoring), the adapter's ConfigMap for stdio/http/sse servers, and the Secret of its secret
 * variables when the caller passes their values (as Pulumi secrets). An adapter's replicas also share a session key,
 * read from the Secret `<k8sName>-session`: created here from `fleetSessionSecret` (see `adapterSessionSecret`).
 * Objects are shaped by `serverObjects`.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ClusterNetwork, FleetModel, ServerModel } from "../../servers/catalog/derive.js";
import type { ExternalSecretsInput } from "./builders/external-secrets.js";
import type { MonitoringHook } from "./builders/monitoring.js";
import type { AutoscalingInput } from "./builders/objects.js";
import { buildSecret } from "./builders/objects.js";
import { serverObjectList, serverObjects, type ServerObjects } from "./builders/server.js";
import { createObject } from "./create.js";
import { ComponentArgsError, checkAutoscaling, checkImage, checkNamespace } from "./validate.js";
import { adapterSessionSecret, type Workload } from "../workload.js";

export interface McpServerArgs {
  /** The fleet it belongs to: its namespace (which must exist) and the gateway allowed to connect. */
  fleet: Pick<FleetModel<ClusterNetwork>, "network" | "gateway">;
  /** The server, from `fleet.servers`: its spec, names, labels and URL. */
  server: ServerModel;
  /** What its workload runs (see `workloadOf`). */
  workload: Workload;
  /** Namespace of the monitoring stack (allowed to scrape). @default "monitoring" */
  monitoringNamespace?: string;
  /** @default { kind: "annotations" } */
  monitoring?: MonitoringHook;
  /** Scale on CPU between these bounds instead of the spec's fixed `replicas`. @default undefined */
  autoscaling?: AutoscalingInput;
  /** Values of the server's secret variables, as Pulumi secrets. Unset: the Secret `<k8sName>-secrets` is provided by someone else (External Secrets, an operator). @default undefined */
  secretValues?: Record<string, pulumi.Input<string>>;
  /** Sync the server's secrets from AWS Secrets Manager (External Secrets Operator). @default undefined */
  externalSecrets?: ExternalSecretsInput;
  /** Extra ServiceAccount annotations (e.g. `eks.amazonaws.com/role-arn` for IRSA). @default {} */
  serviceAccountAnnotations?: Record<string, string>;
  /**
   * The fleet's session secret (a Pulumi secret). An adapter's replicas get a key derived from it in the Secret
   * `<k8sName>-session`, so any replica serves the central gateway's session. Unset: that Secret is provided by
   * someone else. Only for adapter workloads. @default undefined
   */
  fleetSessionSecret?: pulumi.Input<string>;
}

/** Checks the args; returns every problem (empty when valid). */
export function validateMcpServerArgs(args: McpServerArgs): string[] {
  const { spec, file } = args.server;
  const problems = [...checkNamespace("namespace", args.fleet.network.namespace), ...checkAutoscaling("autoscaling", args.autoscaling), ...checkImage("workload.image", args.workload.image)];
  for (const key of Object.keys(args.secretValues ?? {})) {
    if (!spec.secrets.includes(key)) {
      const declared = spec.secrets.length > 0 ? spec.secrets.join(", ") : "none";
      problems.push(`\`secretValues.${key}\` is not a secret of server "${spec.name}" (${file} declares: ${declared}). Remove it, or add "${key}" to the spec's \`secrets\`.`);
    }
  }
  if (args.fleetSessionSecret !== undefined && args.workload.kind !== "adapter") {
    problems.push(`\`fleetSessionSecret\` is set but server "${spec.name}" (${file}) runs its own ${args.workload.kind === "image" ? "image" : "built image"}, not the gateway adapter: it seals no sessions. Remove it.`);
  }
  if (args.secretValues !== undefined && args.externalSecrets !== undefined) {
    problems.push("`secretValues` and `externalSecrets` both provide the Secret of the server's variables. Pass one: values (a Secret from Pulumi config) or externalSecrets (synced from AWS Secrets Manager).");
  }
  if (args.secretValues !== undefined) {
    for (const key of spec.secrets) {
      if (!(key in args.secretValues)) problems.push(`\`secretValues.${key}\` is missing: server "${spec.name}" (${file}) needs it. Pass a value for every secret the spec declares.`);
    }
  }
  return problems;
}

export class McpServer extends pulumi.ComponentResource {
  /** Name of the Kubernetes Service (and of every object of the server). */
  readonly serviceName: string;
  /** In-cluster URL of the server's MCP endpoint. */
  readonly url: string;
  /** The objects as shaped by the builders (what `synth` writes). */
  readonly objects: ServerObjects;
  /** Created resources by role (`deploy`, `svc`, ...). */
  readonly resources: Record<string, pulumi.CustomResource>;

  constructor(name: string, args: McpServerArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validated before anything registers: a bad argument leaves no half-created component behind.
    const problems = validateMcpServerArgs(args);
    if (problems.length > 0) throw new ComponentArgsError(`McpServer "${name}"`, problems);
    super("mcp-fleet:k8s:McpServer", name, {}, opts);
    this.resources = {};

    this.objects = serverObjects({
      fleet: args.fleet,
      server: args.server,
      workload: args.workload,
      ...(args.monitoringNamespace !== undefined ? { monitoringNamespace: args.monitoringNamespace } : {}),
      ...(args.monitoring !== undefined ? { monitoring: args.monitoring } : {}),
      ...(args.autoscaling !== undefined ? { autoscaling: args.autoscaling } : {}),
      ...(args.externalSecrets !== undefined ? { externalSecrets: args.externalSecrets } : {}),
      ...(args.serviceAccountAnnotations !== undefined ? { serviceAccountAnnotations: args.serviceAccountAnnotations } : {}),
    });
    const o = this.objects;
    this.serviceName = o.k8sName;
    this.url = args.server.url;
    const namespace = args.fleet.network.namespace;

    const child: pulumi.CustomResourceOptions = { parent: this };
    if (args.secretValues !== undefined && args.server.spec.secrets.length > 0) {
      const secret = buildSecret(
        { name: args.server.secretName, namespace, labels: o.labels },
        Object.fromEntries(args.server.spec.secrets.map((key) => [key, pulumi.secret(args.secretValues![key]!)])),
      );
      this.resources.secret = createObject(`${name}-secret`, secret, child);
    }
    if (args.fleetSessionSecret !== undefined && o.sessionSecret !== undefined) {
      const { name: secretName, key } = o.sessionSecret;
      const serverName = args.server.spec.name;
      const value = pulumi.secret(pulumi.output(args.fleetSessionSecret).apply((fleetKey) => adapterSessionSecret(fleetKey, serverName)));
      this.resources.session = createObject(`${name}-session`, buildSecret({ name: secretName, namespace, labels: o.labels }, { [key]: value }), child);
    }
    for (const { role, object: obj } of serverObjectList(o)) {
      const deps = role === "deploy" ? Object.values(this.resources) : [];
      this.resources[role] = createObject(`${name}-${role}`, obj, { ...child, dependsOn: deps });
    }
    this.registerOutputs({ serviceName: this.serviceName, url: this.url });
  }
}
