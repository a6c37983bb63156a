/**
 * `McpServer`: one catalog server on Kubernetes. ServiceAccount (no token), Deployment (hardened), Service
 * (named port `mcp`), PodDisruptionBudget, optional HorizontalPodAutoscaler, NetworkPolicy (ingress only from the
 * gateway and monitoring), the adapter's ConfigMap for stdio/http/sse servers, and the Secret of its secret
 * variables when the caller passes their values (as Pulumi secrets). An adapter's replicas also share a session key,
 * read from the Secret `<k8sName>-session`: created here from `fleetSessionSecret` (see `adapterSessionSecret`), with
 * the hash of the central gateway's key when the adapter authenticates it (`MCP_FLEET_API_KEYS`, see
 * components/gateway-secrets.ts).
 * Objects are shaped by `serverObjects`.
 */
import * as pulumi from "@pulumi/pulumi";
import { buildSecret } from "./builders/objects.js";
import { serverObjectList, serverObjects, type ServerObjects, type ServerObjectsInput } from "./builders/server.js";
import { createObject } from "./create.js";
import { ComponentArgsError, checkAutoscaling, checkImage, checkNamespace } from "./validate.js";
import { adapterSessionSecret } from "../workload.js";
import { adapterApiKey, adapterApiKeysJson } from "../gateway-secrets.js";

/** What `serverObjects` shapes the objects from, and what the component creates besides: the Secrets' values. */
export interface McpServerArgs extends ServerObjectsInput {
  /** Values of the server's secret variables, as Pulumi secrets. Unset: the Secret `<k8sName>-secrets` is provided by someone else (External Secrets, an operator). @default undefined */
  secretValues?: Record<string, pulumi.Input<string>>;
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

    this.objects = serverObjects(args);
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
      const fleetKey = pulumi.output(args.fleetSessionSecret);
      const values: Record<string, pulumi.Output<string>> = { [key]: pulumi.secret(fleetKey.apply((k) => adapterSessionSecret(k, serverName))) };
      // Only the hash of the central gateway's key: the server in this pod can read its adapter's environment.
      if (o.sessionSecret.apiKeysKey !== undefined) values[o.sessionSecret.apiKeysKey] = pulumi.secret(fleetKey.apply((k) => adapterApiKeysJson(adapterApiKey(k, serverName))));
      this.resources.session = createObject(`${name}-session`, buildSecret({ name: secretName, namespace, labels: o.labels }, values), child);
    }
    for (const { role, object: obj } of serverObjectList(o)) {
      const deps = role === "deploy" ? Object.values(this.resources) : [];
      this.resources[role] = createObject(`${name}-${role}`, obj, { ...child, dependsOn: deps });
    }
    this.registerOutputs({ serviceName: this.serviceName, url: this.url });
  }
}
