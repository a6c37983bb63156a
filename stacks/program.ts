/**
 * The Pulumi program, as a function of its inputs: the validated stack config, the catalog and the secrets. The
 * entry point (`stacks/index.ts`) reads those from Pulumi; `mcp-fleet plan` and the benchmark call this directly.
 */
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { loadCatalog, type Catalog } from "../servers/catalog/catalog.js";
import { SESSION_SECRET_ENV, fleetModel } from "../servers/catalog/derive.js";
import { AwsFleet } from "../components/aws/aws-fleet.js";
import { DockerFleet } from "../components/docker/docker-fleet.js";
import { Fleet } from "../components/fleet/fleet.js";
import type { FleetPlanInput } from "../components/fleet/plan.js";
import type { DockerFleetPlanInput } from "../components/docker/plan.js";
import { gatewaySecretValues } from "../components/gateway-secrets.js";
import { CONFIG_NAMESPACE, StackConfigError, parseStackConfig, readRawConfig, type StackConfig } from "./config.js";
import { API_KEYS_ENV, IDENTITY_KEY_ENV, REDIS_URL_ENV, apiKeysSecret, exchangeSecretNames, gatewayIdentityOf, identityServers } from "./identity.js";

export interface StackSecrets {
  sessionSecret: pulumi.Output<string>;
  /** By server, then variable. */
  serverSecrets: Record<string, Record<string, pulumi.Output<string>>>;
  /** SHA-256 of each API key (`mcp-fleet:auth.apiKeys`), by key name. @default {} */
  apiKeyHashes?: Record<string, pulumi.Output<string>>;
  /** The Redis URL of shared rate limits (`mcp-fleet:rateLimits.store: redis`). */
  redisUrl?: pulumi.Output<string>;
  /** The private key signing callers' identity tokens (`mcp-fleet:identitySigningKey`), when a server asks for them. */
  identitySigningKey?: pulumi.Output<string>;
  /** The client secrets of token exchanges (`mcp-fleet:tokenExchangeSecrets.<NAME>`), by variable. */
  tokenExchangeSecrets?: Record<string, pulumi.Output<string>>;
}

export interface StackOutputs {
  target: string;
  gatewayUrl: string;
  namespace?: string;
  servers: string[];
}

export interface StackProgramOptions {
  /** Repository root of the catalog. @default found from the working directory */
  root?: string;
  /** Use this catalog instead of loading servers/*.ts (generated fleets, tests). */
  catalog?: Catalog;
  /** Write the dev stack's monitoring files (`out/monitoring/<stack>`); offline plans pass false. @default true */
  writeMonitoringFiles?: boolean;
}

export interface FleetProgramOptions {
  /** Write the dev stack's monitoring files (`out/monitoring/<stack>`) when creating resources. @default true */
  writeMonitoringFiles?: boolean;
}

/** The whole program, its inputs overridable: what the entry point, `mcp-fleet plan` and the benchmark run. */
export async function stackProgram(options: StackProgramOptions = {}): Promise<StackOutputs> {
  const stack = pulumi.getStack();
  const config = parseStackConfig(readRawConfig(pulumi.runtime.allConfig()), stack);
  const catalog = options.catalog ?? (await loadCatalog(options.root !== undefined ? { root: options.root } : {}));
  return fleetProgram(config, catalog, { ...readStackSecrets(catalog), ...readIdentitySecrets(config, catalog) }, options.writeMonitoringFiles !== undefined ? { writeMonitoringFiles: options.writeMonitoringFiles } : {});
}

/** Reads the secret config as Pulumi secrets (values never leave an Output). Problems name the key and the fix. */
export function readStackSecrets(catalog: Catalog): StackSecrets {
  const cfg = new pulumi.Config(CONFIG_NAMESPACE);
  const problems: string[] = [];
  if (pulumi.runtime.getConfig(`${CONFIG_NAMESPACE}:sessionSecret`) === undefined) {
    problems.push(`\`${CONFIG_NAMESPACE}:sessionSecret\` is required. Set it with \`pulumi config set --secret ${CONFIG_NAMESPACE}:sessionSecret "$(openssl rand -hex 32)"\`.`);
  }
  const rawServerSecrets = pulumi.runtime.getConfig(`${CONFIG_NAMESPACE}:serverSecrets`);
  let shape: Record<string, string[]> = {};
  if (rawServerSecrets !== undefined) {
    try {
      const parsed = JSON.parse(rawServerSecrets) as unknown;
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
      shape = Object.fromEntries(Object.entries(parsed as Record<string, unknown>).map(([server, vars]) => [server, vars !== null && typeof vars === "object" ? Object.keys(vars) : []]));
    } catch {
      problems.push(`\`${CONFIG_NAMESPACE}:serverSecrets\` must be an object of servers and variables. Set each with \`pulumi config set --secret --path '${CONFIG_NAMESPACE}:serverSecrets.<server>.<VARIABLE>' VALUE\`.`);
    }
  }
  for (const [server, vars] of Object.entries(shape)) {
    const spec = catalog.servers.find((s) => s.spec.name === server)?.spec;
    if (spec === undefined) {
      problems.push(`\`${CONFIG_NAMESPACE}:serverSecrets.${server}\` names no server of the catalog. Remove it with \`pulumi config rm --path '${CONFIG_NAMESPACE}:serverSecrets.${server}'\`.`);
      continue;
    }
    for (const v of vars) {
      if (!spec.secrets.includes(v)) problems.push(`\`${CONFIG_NAMESPACE}:serverSecrets.${server}.${v}\` is not a secret of server "${server}". Remove it, or add "${v}" to the spec's \`secrets\`.`);
    }
  }
  if (problems.length > 0) throw new StackConfigError(pulumi.getStack(), problems);
  const all = rawServerSecrets !== undefined ? cfg.requireSecretObject<Record<string, Record<string, string>>>("serverSecrets") : undefined;
  const serverSecrets: StackSecrets["serverSecrets"] = {};
  for (const [server, vars] of Object.entries(shape)) {
    serverSecrets[server] = Object.fromEntries(vars.map((v) => [v, all!.apply((o) => o[server]![v]!)]));
  }
  return { sessionSecret: cfg.requireSecret("sessionSecret"), serverSecrets };
}

/**
 * The identity secrets a stack's config calls for: each API key's hash (`apiKeyHashes.<name>`, 64 hex digits) and
 * the Redis URL. Checked by shape only; values stay Outputs. Problems name the key and the command that sets it.
 */
/** A stack secret holding a JSON object (`pulumi config set --secret --path 'mcp-fleet:NAME.key' ...`), read as data to check its keys; unset or not JSON: empty. */
function configObject(name: string): Record<string, unknown> {
  try {
    return JSON.parse(pulumi.runtime.getConfig(`${CONFIG_NAMESPACE}:${name}`) ?? "{}") as Record<string, unknown>;
  } catch {
    return {};
  }
}

export function readIdentitySecrets(config: StackConfig, catalog?: Pick<Catalog, "servers">): Pick<StackSecrets, "apiKeyHashes" | "redisUrl" | "identitySigningKey" | "tokenExchangeSecrets"> {
  const cfg = new pulumi.Config(CONFIG_NAMESPACE);
  const problems: string[] = [];
  const out: Pick<StackSecrets, "apiKeyHashes" | "redisUrl" | "identitySigningKey" | "tokenExchangeSecrets"> = {};
  const signed = identityServers(config, catalog);
  if (signed.length > 0) {
    if (pulumi.runtime.getConfig(`${CONFIG_NAMESPACE}:identitySigningKey`) === undefined) {
      problems.push(`\`${CONFIG_NAMESPACE}:identitySigningKey\` is required: ${signed.map((n) => `"${n}"`).join(", ")} ask${signed.length === 1 ? "s" : ""} for credentials.identity, and the gateway signs those tokens. Set it with \`openssl genpkey -algorithm ed25519 | pulumi config set --secret ${CONFIG_NAMESPACE}:identitySigningKey\`.`);
    } else {
      out.identitySigningKey = cfg.requireSecret("identitySigningKey");
    }
  }
  const exchangeNames = exchangeSecretNames(config, catalog);
  if (exchangeNames.length > 0) {
    const raw = configObject("tokenExchangeSecrets");
    // An offline plan's stand-in ("*") holds for every name.
    const has = (name: string) => (typeof raw[name] === "string" && raw[name] !== "") || typeof raw["*"] === "string";
    const missing = exchangeNames.filter((name) => !has(name));
    for (const name of missing) {
      problems.push(`\`${CONFIG_NAMESPACE}:tokenExchangeSecrets.${name}\` is required: a server exchanges callers' tokens with clientSecretEnv ${name}. Set it with \`pulumi config set --secret --path '${CONFIG_NAMESPACE}:tokenExchangeSecrets.${name}' "$CLIENT_SECRET"\`.`);
    }
    if (missing.length === 0) {
      const all = cfg.requireSecretObject<Record<string, string>>("tokenExchangeSecrets");
      out.tokenExchangeSecrets = Object.fromEntries(exchangeNames.map((name) => [name, all.apply((o) => o[name] ?? o["*"]!)]));
    }
  }
  const keys = config.auth?.apiKeys ?? [];
  if (keys.length > 0) {
    const raw = configObject("apiKeyHashes");
    for (const { name } of keys) {
      if (typeof raw[name] !== "string" || !/^[0-9a-f]{64}$/.test(raw[name] as string)) {
        problems.push(`\`${CONFIG_NAMESPACE}:apiKeyHashes.${name}\` must be the SHA-256 of the key, 64 lowercase hex digits. Set it with \`pulumi config set --secret --path '${CONFIG_NAMESPACE}:apiKeyHashes.${name}' "$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)"\`.`);
      }
    }
    if (problems.length === 0) {
      const all = cfg.requireSecretObject<Record<string, string>>("apiKeyHashes");
      out.apiKeyHashes = Object.fromEntries(keys.map(({ name }) => [name, all.apply((o) => o[name]!)]));
    }
  }
  if (config.rateLimits?.store === "redis") {
    if (pulumi.runtime.getConfig(`${CONFIG_NAMESPACE}:redisUrl`) === undefined) {
      problems.push(`\`${CONFIG_NAMESPACE}:redisUrl\` is required with rateLimits.store redis. Set it with \`pulumi config set --secret ${CONFIG_NAMESPACE}:redisUrl rediss://user:password@redis.example.com:6380\`.`);
    } else {
      out.redisUrl = cfg.requireSecret("redisUrl");
    }
  }
  if (problems.length > 0) throw new StackConfigError(pulumi.getStack(), problems);
  return out;
}

/**
 * The Kubernetes fleet's plan input from the stack config: shared by the program and `mcp-fleet synth`, so both
 * produce the same objects.
 */
export function fleetPlanInputFromConfig(config: StackConfig, catalog: Catalog): FleetPlanInput {
  const { identity, secretKeys } = gatewayIdentityOf(config, catalog);
  return {
    fleet: fleetModel(catalog, { prefix: config.prefix, network: { kind: "cluster", namespace: config.namespace } }),
    gatewayImage: config.gatewayImage,
    imageRegistry: config.imageRegistry,
    imageTag: config.imageTag,
    gateway: {
      replicas: config.replicas,
      ...(config.autoscaling !== undefined ? { autoscaling: config.autoscaling } : {}),
      ...(config.domain !== undefined
        ? { ingress: { host: config.domain, ...(config.ingressClass !== undefined ? { className: config.ingressClass } : {}), ...(config.tls !== false ? { tls: config.tls } : {}) } }
        : {}),
      secretKeys: [SESSION_SECRET_ENV, ...secretKeys],
      ...(identity !== undefined ? { identity } : {}),
      ...(config.hotReload ? { hotReload: true } : {}),
      ...(config.tracing !== undefined ? { tracing: { ...config.tracing } } : {}),
    },
    serverAutoscaling: config.serverAutoscaling,
    monitoringNamespace: config.monitoringNamespace,
    monitoring: { kind: config.monitoring },
    ...(config.monitoringStack === "kube-prometheus-stack" || config.monitoringStack === "standalone" ? { monitoringStack: { mode: config.monitoringStack } } : {}),
    ...(config.aws !== undefined ? { awsSecrets: { region: config.aws.region, eksOidcProviderArn: config.aws.eksOidcProviderArn } } : {}),
  };
}

/** The Docker (dev) fleet's plan input from a `docker` stack's config: the fleet on the Docker network, tag, port. */
export function dockerPlanInputFromConfig(config: StackConfig, catalog: Catalog): DockerFleetPlanInput {
  return { fleet: fleetModel(catalog, { prefix: config.prefix, network: { kind: "docker" } }), imageTag: config.imageTag, gatewayPort: config.docker.gatewayPort };
}

/** Pulumi name of the stack's fleet component (children, the Monitoring included, derive their names from it). */
export function fleetName(config: Pick<StackConfig, "prefix">): string {
  return config.prefix;
}

/** Host directory of the dev stack's generated monitoring files, bind-mounted into Prometheus and Grafana. */
export function monitoringConfigDir(root: string, stack: string): string {
  return join(root, "out", "monitoring", stack);
}

/**
 * The gateway's secrets the stack holds, by environment variable (keys of its Secret; `gatewaySecretValues` adds
 * its keys toward the adapters): the session key, the API-key hashes, the Redis URL. A new secret of the gateway is
 * added here and named in components/gateway-secrets.ts.
 */
export function gatewaySecretsOf(config: StackConfig, secrets: StackSecrets): Record<string, pulumi.Output<string>> {
  return {
    [SESSION_SECRET_ENV]: secrets.sessionSecret,
    ...(config.auth !== undefined && config.auth.apiKeys.length > 0 ? { [API_KEYS_ENV]: apiKeysSecret(config, secrets.apiKeyHashes ?? {}) } : {}),
    ...(secrets.redisUrl !== undefined ? { [REDIS_URL_ENV]: secrets.redisUrl } : {}),
    ...(secrets.identitySigningKey !== undefined ? { [IDENTITY_KEY_ENV]: secrets.identitySigningKey } : {}),
    ...(secrets.tokenExchangeSecrets ?? {}),
  };
}

/** Creates the whole stack. */
export function fleetProgram(config: StackConfig, catalog: Catalog, secrets: StackSecrets, options: FleetProgramOptions = {}): StackOutputs {
  const name = fleetName(config);
  const servers = catalog.servers.map((s) => s.spec.name);
  if (config.target === "docker") {
    const providerOpts = config.docker.host !== undefined ? { provider: new docker.Provider(`${name}-docker`, { host: config.docker.host }) } : {};
    const fleet = new DockerFleet(
      name,
      {
        ...dockerPlanInputFromConfig(config, catalog),
        sessionSecret: secrets.sessionSecret,
        serverSecrets: secrets.serverSecrets,
        ...(config.monitoringStack === "docker"
          ? { monitoring: { docker: { configDir: monitoringConfigDir(catalog.root, pulumi.getStack()), writeFiles: options.writeMonitoringFiles ?? true } } }
          : {}),
      },
      providerOpts,
    );
    return { target: "docker", gatewayUrl: fleet.gatewayUrl, servers };
  }

  const planInput = fleetPlanInputFromConfig(config, catalog);
  const gatewaySecrets = gatewaySecretsOf(config, secrets);
  let awsFleet: AwsFleet | undefined;
  if (config.aws !== undefined) {
    const provider = new aws.Provider(`${name}-aws`, { region: config.aws.region as aws.Region });
    awsFleet = new AwsFleet(
      `${name}-aws`,
      // The gateway's secrets too: its ExternalSecret syncs them into its Secret (`planInput.awsSecrets`).
      { fleet: planInput.fleet, region: config.aws.region, eksOidcProviderArn: config.aws.eksOidcProviderArn, serverSecrets: secrets.serverSecrets, gatewaySecrets: gatewaySecretValues(planInput.fleet, gatewaySecrets) },
      { provider },
    );
  }
  const fleet = new Fleet(name, {
    ...planInput,
    gatewaySecrets,
    // In prod the secrets go to Secrets Manager (AwsFleet) and reach pods through External Secrets.
    ...(awsFleet === undefined ? { serverSecrets: secrets.serverSecrets } : {}),
  }, awsFleet !== undefined ? { dependsOn: [awsFleet] } : {});
  return { target: "kubernetes", gatewayUrl: fleet.gatewayUrl, namespace: config.namespace, servers };
}
