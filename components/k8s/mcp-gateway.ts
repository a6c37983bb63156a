/**
 * `McpGateway`: the fleet's one MCP endpoint on Kubernetes. Its config is rendered from the fleet model
 * (`deployedGatewayConfig(fleet)`, typed by the gateway's own schema) into a
 * ConfigMap whose checksum rolls the pods; its keys live in a Secret (Pulumi secrets, end to end); Deployment,
 * Service, PodDisruptionBudget, optional HorizontalPodAutoscaler and Ingress with TLS. Objects are shaped by
 * `gatewayObjects`.
 */
import * as pulumi from "@pulumi/pulumi";
import { SESSION_SECRET_ENV } from "../../servers/catalog/derive.js";
import { deployedGatewayConfig, type GatewayIdentity } from "../gateway-config.js";
import { gatewaySecretValues } from "../gateway-secrets.js";
import { gatewayObjectList, gatewayObjects, gatewaySecret, type GatewayObjects, type GatewayObjectsInput } from "./builders/gateway.js";
import { createObject } from "./create.js";
import { ComponentArgsError, checkAutoscaling, checkImage, checkNamespace, checkReplicas } from "./validate.js";

/** What `gatewayObjects` shapes the objects from (the config is rendered here), and the gateway's keys. */
export interface McpGatewayArgs extends Omit<GatewayObjectsInput, "config" | "secretKeys"> {
  /**
   * The gateway's keys, by environment variable; must hold `MCP_FLEET_SESSION_SECRET` (its keys toward the adapters
   * are derived from it unless given, `gatewaySecretValues`). Stored as a Secret, marked secret; with
   * `externalSecrets` only their names are used (the values are in Secrets Manager, `AwsFleet`).
   */
  secrets: Record<string, pulumi.Input<string>>;
  /** Who may call the gateway, at what rate, on the record (its config's `auth`, `rateLimits`, `audit`). @default unauthenticated, in-cluster only */
  identity?: GatewayIdentity;
}

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;

export function validateMcpGatewayArgs(args: McpGatewayArgs): string[] {
  const problems = [
    ...checkNamespace("namespace", args.fleet.network.namespace),
    ...checkImage("image", args.image),
    ...checkReplicas("replicas", args.replicas),
    ...checkAutoscaling("autoscaling", args.autoscaling),
  ];
  if (args.fleet.servers.length === 0) problems.push("`catalog` has no servers. Add a server under servers/ (`mcp-fleet new`) before deploying the gateway.");
  if (args.ingress !== undefined && !HOSTNAME.test(args.ingress.host)) {
    problems.push(`\`ingress.host\` ${JSON.stringify(args.ingress.host)} is not a DNS name. Use the public host name clients connect to (e.g. mcp.example.com).`);
  }
  if (args.ingress?.tls !== undefined && args.ingress.tls.issuer.trim() === "") {
    problems.push("`ingress.tls.issuer` is empty. Name the cert-manager (Cluster)Issuer that signs the certificate (e.g. letsencrypt-prod).");
  }
  if (!(SESSION_SECRET_ENV in args.secrets)) {
    problems.push(`\`secrets.${SESSION_SECRET_ENV}\` is missing. Pass a random key of at least 32 characters: replicas share it to seal session ids.`);
  }
  return problems;
}

export class McpGateway extends pulumi.ComponentResource {
  /** Name of the gateway's Service. */
  readonly serviceName: string;
  /** In-cluster URL of the MCP endpoint. */
  readonly internalUrl: string;
  /** Public URL (`https://<host>/mcp` with TLS), or the in-cluster URL without an Ingress. */
  readonly url: string;
  readonly objects: GatewayObjects;
  readonly resources: Record<string, pulumi.CustomResource>;

  constructor(name: string, args: McpGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    const problems = validateMcpGatewayArgs(args);
    if (problems.length > 0) throw new ComponentArgsError(`McpGateway "${name}"`, problems);
    super("mcp-fleet:k8s:McpGateway", name, {}, opts);
    this.resources = {};
    const { fleet, secrets, identity, ...input } = args;
    this.objects = gatewayObjects({ ...input, fleet, config: deployedGatewayConfig(fleet, identity, input.tracing === undefined ? {} : { tracing: input.tracing }), secretKeys: Object.keys(secrets).sort() });
    const o = this.objects;
    this.serviceName = o.k8sName;
    this.internalUrl = fleet.gateway.url;
    this.url = args.ingress !== undefined ? `${args.ingress.tls !== undefined ? "https" : "http"}://${args.ingress.host}${o.path}` : this.internalUrl;

    const child: pulumi.CustomResourceOptions = { parent: this };
    // Prod: the ExternalSecret (among the objects) fills the Secret from Secrets Manager; no value passes here.
    if (o.externalSecret === undefined) this.resources.secret = createObject(`${name}-secret`, gatewaySecret(o, fleet.network.namespace, gatewaySecretValues(fleet, secrets)), child);
    for (const { role, object } of gatewayObjectList(o)) {
      const deps = role === "deploy" ? Object.values(this.resources) : [];
      this.resources[role] = createObject(`${name}-${role}`, object, { ...child, dependsOn: deps });
    }
    this.registerOutputs({ serviceName: this.serviceName, url: this.url, internalUrl: this.internalUrl });
  }
}
