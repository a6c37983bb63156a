/**
 * The stack config (`stacks/Pulumi.<stack>.yaml`, key namespace `mcp-fleet:`), validated once with zod. Every
 * problem names the `mcp-fleet:<key>` and the fix. Secrets (`sessionSecret`, `serverSecrets`) are read separately,
 * as Pulumi secrets, and never pass through this schema's values.
 */
import { z } from "zod";
import { DEFAULT_PREFIX, PREFIX_PATTERN } from "../servers/catalog/derive.js";
import { DNS1123_LABEL } from "../servers/catalog/spec.js";
import { configProblems } from "./config-problems.js";

export const CONFIG_NAMESPACE = "mcp-fleet";
/** Config keys holding secrets: set with `pulumi config set --secret`. */
export const SECRET_KEYS = ["sessionSecret", "serverSecrets", "apiKeyHashes", "redisUrl", "identitySigningKey", "tokenExchangeSecrets"] as const;

const image = z.string().regex(/^[a-z0-9][a-z0-9._\-/:@]*[:@][^/]+$/, "must be a pinned image reference such as ghcr.io/org/mcp-fleet-gateway:0.1.0");
const httpsUrl = z.string().regex(/^https:\/\/[^\s]+$/, "must be an https:// URL such as https://idp.example.com");
const rateKey = z.enum(["identity", "server", "tool"], { error: "must be identity, server or tool" });

/** Who may call the gateway (its config's `auth`); API-key hashes are secret config (`apiKeyHashes.<name>`). */
const auth = z
  .object({
    /** `apiKey`, or `oauth` (bearer JWTs of `oauth.issuer`; API keys too when `apiKeys` is set). */
    mode: z.enum(["apiKey", "oauth"], { error: "must be apiKey or oauth" }),
    /** The URL clients connect to, what tokens are issued for. @default https://<domain>/mcp */
    resource: httpsUrl.optional(),
    oauth: z
      .object({
        issuer: httpsUrl,
        /** @default the issuer's metadata `jwks_uri` */
        jwksUri: httpsUrl.optional(),
        /** @default "roles" */
        rolesClaim: z.string().min(1).optional(),
        /** @default [] */
        requiredScopes: z.array(z.string().min(1)).optional(),
      })
      .strict()
      .optional(),
    /** API keys by name and roles; each key's SHA-256 is the secret `apiKeyHashes.<name>`. @default [] */
    apiKeys: z.array(z.object({ name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, "must be a key name such as ci-bot"), roles: z.array(z.string().min(1)).default([]) }).strict()).default([]),
  })
  .strict();

/** Fleet-wide rate limits (the gateway's `rateLimits`); with `store: redis` the URL is the secret `redisUrl`. */
const rateLimits = z
  .object({
    /** @default "memory" (per replica) */
    store: z.enum(["memory", "redis"], { error: "must be memory or redis" }).default("memory"),
    /** Redis unreachable: refuse (`closed`) or let calls through (`open`). @default "closed" */
    onUnavailable: z.enum(["closed", "open"]).default("closed"),
    rules: z
      .array(
        z
          .object({
            key: z.union([rateKey, z.array(rateKey).min(1)]),
            server: z.string().min(1).optional(),
            tool: z.string().min(1).optional(),
            perMinute: z.number().positive(),
            burst: z.number().int().positive().optional(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

const autoscaling = z
  .object({
    minReplicas: z.number().int().min(1),
    maxReplicas: z.number().int().min(1),
    /** @default 70 */
    targetCpuUtilization: z.number().int().min(1).max(100).optional(),
  })
  .strict()
  .refine((a) => a.maxReplicas >= a.minReplicas, "maxReplicas must be at least minReplicas");

export const StackConfigSchema = z
  .object({
    /** Where the fleet runs: local Docker (dev) or Kubernetes (staging, prod). */
    target: z.enum(["docker", "kubernetes"], { error: "must be docker or kubernetes" }),
    /** Kubernetes namespace. @default "mcp-fleet" */
    namespace: z.string().regex(DNS1123_LABEL, "must be a DNS-1123 label such as mcp-fleet").default("mcp-fleet"),
    /** Prefix of every Kubernetes object and container name. @default "mcp" */
    prefix: z.string().regex(PREFIX_PATTERN, "must be 1-20 lowercase letters, digits and '-', starting with a letter").default(DEFAULT_PREFIX),
    /** Public host of the gateway (`https://<domain>/mcp`); unset: no Ingress. @default undefined */
    domain: z.string().regex(/^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "must be a DNS name such as mcp.example.com").optional(),
    /** TLS for the Ingress via cert-manager; `false` for plain HTTP. @default false */
    tls: z
      .union([
        z.literal(false),
        z.object({ issuer: z.string().min(1), /** @default "ClusterIssuer" */ issuerKind: z.enum(["ClusterIssuer", "Issuer"]).default("ClusterIssuer") }).strict(),
      ])
      .default(false),
    /** IngressClass of the Ingress. @default undefined (cluster default) */
    ingressClass: z.string().min(1).optional(),
    /** The gateway image (also the adapter of stdio/http/sse servers). @default "ghcr.io/mcp-fleet/mcp-fleet-gateway:0.1.0" */
    gatewayImage: image.default("ghcr.io/mcp-fleet/mcp-fleet-gateway:0.1.0"),
    /** Registry of images built from `servers/<name>/Dockerfile` (the ECR registry in prod). @default "ghcr.io/mcp-fleet" */
    imageRegistry: z.string().regex(/^[a-z0-9][a-z0-9.\-/:]*[a-z0-9]$/, "must be a registry host and path such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com").default("ghcr.io/mcp-fleet"),
    /** Tag of built images (immutable in ECR: bump it per release). @default "0.1.0" */
    imageTag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be a Docker tag such as 0.1.0").refine((t) => t !== "latest", "must not be latest (ECR tags are immutable and `latest` never rolls pods)").default("0.1.0"),
    /** Gateway replicas. @default 2 */
    replicas: z.number({ error: "must be a whole number from 0 to 100" }).int("must be a whole number from 0 to 100").min(0, "must be a whole number from 0 to 100").max(100, "must be a whole number from 0 to 100").default(2),
    /**
     * The gateway reloads a changed config in place (sessions and calls in flight stay) instead of rolling its pods.
     * @default false (pods roll on a config change)
     */
    hotReload: z.boolean().default(false),
    /** OpenTelemetry: the collector's OTLP/HTTP traces endpoint (e.g. `http://otel-collector.observability:4318/v1/traces`). Unset: no traces. */
    tracing: z
      .object({
        endpoint: z.string().url("must be a URL such as http://otel-collector.observability:4318/v1/traces"),
        /** Share of new traces recorded. @default 1 */
        sampleRatio: z.number().min(0).max(1).optional(),
      })
      .strict()
      .optional(),
    /** Gateway autoscaling; replaces `replicas`. @default undefined */
    autoscaling: autoscaling.optional(),
    /** Per-server autoscaling, by server name. @default {} */
    serverAutoscaling: z.record(z.string(), autoscaling).default({}),
    /** Scrape hook. @default "annotations" */
    monitoring: z.enum(["annotations", "serviceMonitor", "none"]).default("annotations"),
    /**
     * Rules, alerts and dashboards (components/monitoring): into an existing `kube-prometheus-stack` (PrometheusRule,
     * sidecar ConfigMaps), a `standalone` Prometheus and Grafana of our own in the fleet's namespace (kubernetes),
     * `docker` containers next to the dev fleet (files in `out/monitoring/<stack>`), or `none`. @default "none"
     */
    monitoringStack: z.enum(["kube-prometheus-stack", "standalone", "docker", "none"], { error: "must be kube-prometheus-stack, standalone, docker or none" }).default("none"),
    /** Namespace of the monitoring stack. @default "monitoring" */
    monitoringNamespace: z.string().regex(DNS1123_LABEL, "must be a DNS-1123 label").default("monitoring"),
    /** Local Docker target (dev). */
    docker: z
      .object({
        /** Host port of the gateway, bound to 127.0.0.1. @default 8080 */
        gatewayPort: z.number().int().min(1024).max(65535).default(8080),
        /** Docker host. @default the Docker provider's default (DOCKER_HOST) */
        host: z.string().min(1).optional(),
      })
      .strict()
      .default({ gatewayPort: 8080 }),
    /** Who may call the gateway (kubernetes). @default undefined: unauthenticated, in-cluster only (the policy pack refuses that behind an Ingress) */
    auth: auth.optional(),
    /** Rate limits of calls through the gateway (kubernetes). @default undefined: none */
    rateLimits: rateLimits.optional(),
    /** AWS pieces for prod (EKS): ECR, Secrets Manager, IRSA. Unset: none. */
    aws: z
      .object({
        region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "must be an AWS region such as eu-west-1"),
        /** ARN of the EKS cluster's IAM OIDC provider. */
        eksOidcProviderArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/.+$/, "must be an IAM OIDC provider ARN such as arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.tls !== false && c.domain === undefined) ctx.addIssue({ code: "custom", path: ["tls"], message: "needs `mcp-fleet:domain` (TLS certificates are issued for a host). Set the domain or set tls to false" });
    if (c.monitoringStack !== "none" && (c.monitoringStack === "docker") !== (c.target === "docker")) {
      const fits = c.target === "docker" ? "docker" : "kube-prometheus-stack or standalone";
      ctx.addIssue({ code: "custom", path: ["monitoringStack"], message: `${c.monitoringStack} does not run on the ${c.target} target. Use ${fits}, or none` });
    }
    if (c.auth !== undefined && c.target !== "kubernetes") ctx.addIssue({ code: "custom", path: ["auth"], message: "only applies to the kubernetes target (the dev gateway is published on 127.0.0.1 only). Remove it, or run `npm start -- --api-key-env NAME` for a keyed local gateway" });
    if (c.rateLimits !== undefined && c.target !== "kubernetes") ctx.addIssue({ code: "custom", path: ["rateLimits"], message: "only applies to the kubernetes target. Remove it" });
    if (c.auth?.mode === "oauth" && c.auth.oauth === undefined) ctx.addIssue({ code: "custom", path: ["auth", "oauth"], message: "is required with mode oauth. Set `mcp-fleet:auth.oauth.issuer` (pulumi config set --path 'mcp-fleet:auth.oauth.issuer' https://idp.example.com)" });
    if (c.auth?.mode === "apiKey" && c.auth.apiKeys.length === 0) ctx.addIssue({ code: "custom", path: ["auth", "apiKeys"], message: "mode apiKey needs at least one key. Add {name, roles} entries and each key's hash as the secret `mcp-fleet:apiKeyHashes.<name>`" });
    if (c.auth !== undefined && c.auth.resource === undefined && c.domain === undefined) ctx.addIssue({ code: "custom", path: ["auth", "resource"], message: "is required without `mcp-fleet:domain`: set it to the URL clients connect to (https://<host>/mcp)" });
    if (c.aws !== undefined && c.target !== "kubernetes") ctx.addIssue({ code: "custom", path: ["aws"], message: "only applies to the kubernetes target (EKS). Remove it or set target to kubernetes" });
  });

export type StackConfig = z.output<typeof StackConfigSchema>;

export class StackConfigError extends Error {
  constructor(
    readonly stackName: string,
    readonly problems: string[],
  ) {
    super(`Stack "${stackName}" has invalid config (stacks/Pulumi.${stackName}.yaml):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "StackConfigError";
  }
}

/**
 * Parses the stack's `mcp-fleet:*` config. `raw` maps keys without namespace to values already JSON-decoded
 * (what `readRawConfig` returns). Secret keys are ignored here.
 */
export function parseStackConfig(raw: Record<string, unknown>, stack: string): StackConfig {
  const plain = Object.fromEntries(Object.entries(raw).filter(([k]) => !(SECRET_KEYS as readonly string[]).includes(k)));
  const result = StackConfigSchema.safeParse(plain);
  if (result.success) return result.data;
  throw new StackConfigError(stack, configProblems(result.error.issues, { namespace: CONFIG_NAMESPACE, raw: plain, schema: StackConfigSchema }));
}

/** Decodes Pulumi's string config values (`namespace:key` -> JSON-or-string) into the `mcp-fleet:` keys. */
export function readRawConfig(all: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [fullKey, value] of Object.entries(all)) {
    const [ns, key] = fullKey.split(":", 2);
    if (ns !== CONFIG_NAMESPACE || key === undefined) continue;
    out[key] = decode(value);
  }
  return out;
}

function decode(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
