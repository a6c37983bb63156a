/**
 * Valid resources of a small fleet, shaped by the real builders exactly as the components register them: the
 * Kubernetes objects from `planFleet` (components/k8s/builders), the Docker containers from the Docker plan, the AWS
 * resources from their argument builders. The fleet: the `memory` and `everything` servers (stdio, behind the gateway
 * adapter) and the gateway with its Ingress, in namespace `mcp`; valid-fleet.test.ts checks that the Fleet component
 * registers exactly these objects. Each call returns a fresh copy; tests mutate one field and expect one violation.
 */
import type { GatewayConfigInput } from "@mcp-fleet/gateway/config";
import { stringify } from "yaml";
import { irsaRoleArgs, ecrRepositoryArgs, serverSecretArgs } from "../../components/aws/policies.js";
import { containerArgs, dockerFleetPlan } from "../../components/docker/plan.js";
import { planFleet, type FleetPlan, type FleetPlanInput } from "../../components/fleet/plan.js";
import { deployedGatewayConfig } from "../../components/gateway-config.js";
import { gatewayObjectList } from "../../components/k8s/builders/gateway.js";
import { buildConfigMap } from "../../components/k8s/builders/objects.js";
import { serverObjectList } from "../../components/k8s/builders/server.js";
import { SECRET_MASK } from "../../components/plan/run-under-mocks.js";
import { GATEWAY_CONFIG_FILE } from "../../components/workload.js";
import { loadCatalogFromSpecs } from "../../servers/catalog/catalog.js";
import { fleetModel, type FleetNetwork, type FleetModel } from "../../servers/catalog/derive.js";
import type { ServerSpecInput } from "../../servers/catalog/spec.js";
import type { ResourceRecord } from "../harness/types.js";

export const NAMESPACE = "mcp";
/** Name of the fixture's Fleet (and DockerFleet) component: its children are named `<fleet>-<server>-<role>`. */
const FLEET = "mcp";
/** No `servers/<name>/Dockerfile` here: every fixture server runs behind the gateway adapter. */
const ROOT = "/mcp-fleet-policy-fixtures";
export const GATEWAY_IMAGE = "ghcr.io/mcp-fleet/gateway:0.1.0";

/** The fixture servers: `memory` exposes two tools, `everything` a tool and a glob. */
const SERVERS: Record<string, { port: number; tools: string[] }> = {
  memory: { port: 3102, tools: ["read_graph", "search_nodes"] },
  everything: { port: 3101, tools: ["echo", "get*"] },
};

function specOf(name: string, port: number, tools: string[] = []): { file: string; spec: ServerSpecInput } {
  return {
    file: `servers/${name}.ts`,
    spec: { name, description: `${name} server`, owner: "agents", transport: { type: "stdio", command: "node", args: [`${name}.js`] }, port, tools: { allow: tools, deny: [] }, access: [{ roles: ["engineering"], tools: ["*"] }] },
  };
}

/** The fleet model of these servers (default: the fixture's own) on a network. */
function modelOf<N extends FleetNetwork>(network: N, servers: { file: string; spec: ServerSpecInput }[]): FleetModel<N> {
  return fleetModel(loadCatalogFromSpecs(servers, { root: ROOT }), { network });
}

const fixtureSpecs = () => Object.entries(SERVERS).map(([name, s]) => specOf(name, s.port, s.tools));

/** How the fixture's gateway authenticates: OAuth, and API keys whose hashes come from its Secret. */
export const FIXTURE_AUTH = { mode: "oauth", resource: "https://mcp.example.com/mcp", oauth: { issuer: "https://idp.example.com/" }, apiKeysFromEnv: "MCP_FLEET_API_KEYS" } as const;

/** What a stack passes the Fleet: TLS through cert-manager on the gateway's Ingress, an authenticating gateway. */
export function fleetPlanInput(servers = fixtureSpecs()): FleetPlanInput {
  return {
    fleet: modelOf({ kind: "cluster", namespace: NAMESPACE }, servers),
    gatewayImage: GATEWAY_IMAGE,
    gateway: { ingress: { host: "mcp.example.com", className: "nginx", tls: { issuer: "letsencrypt" } }, identity: { auth: { ...FIXTURE_AUTH, oauth: { ...FIXTURE_AUTH.oauth } } } },
  };
}

/** A Kubernetes object as the components register it: its resource type and Pulumi name. */
function record(name: string, object: { apiVersion: string; kind: string }): ResourceRecord {
  const apiVersion = object.apiVersion.includes("/") ? object.apiVersion : `core/${object.apiVersion}`;
  return { type: `kubernetes:${apiVersion}:${object.kind}`, name, inputs: structuredClone(object) as unknown as Record<string, unknown> };
}

/** Every object of a plan, named as `Fleet` names them; Secrets (no policy reads them) left out. */
export function planRecords(plan: FleetPlan): ResourceRecord[] {
  const out: ResourceRecord[] = [];
  if (plan.namespace !== undefined) out.push(record(`${FLEET}-ns`, plan.namespace));
  out.push(record(`${FLEET}-default-deny`, plan.defaultDeny));
  for (const s of plan.servers) for (const { role, object } of serverObjectList(s.objects)) out.push(record(`${FLEET}-${s.server.spec.name}-${role}`, object));
  for (const { role, object } of gatewayObjectList(plan.gateway)) out.push(record(`${FLEET}-gateway-${role}`, object));
  return out;
}

/** The records of a one-server fleet `name` on `port` (a server added next to the fixture's). */
function serverRecord(name: string, port: number, role: string): ResourceRecord {
  const known = SERVERS[name];
  const plan = planFleet(fleetPlanInput([specOf(name, port, known?.tools ?? [])]));
  const found = planRecords(plan).find((r) => r.name === `${FLEET}-${name}-${role}`);
  if (found === undefined) throw new Error(`the fixture server ${name} has no ${role}`);
  return found;
}

function gatewayRecord(role: string): ResourceRecord {
  const found = validFleet().find((r) => r.name === `${FLEET}-gateway-${role}`);
  if (found === undefined) throw new Error(`the fixture gateway has no ${role}`);
  return found;
}

/** The labels the builders give a server's objects. */
export function serverLabels(name = "memory"): Record<string, string> {
  return (serverRecord(name, SERVERS[name]?.port ?? 3199, "svc").inputs.metadata as { labels: Record<string, string> }).labels;
}

export function serverDeployment(name = "memory", port = SERVERS[name]?.port ?? 3199): ResourceRecord {
  return serverRecord(name, port, "deploy");
}

export function gatewayDeployment(): ResourceRecord {
  return gatewayRecord("deploy");
}

export function serverService(name = "memory", port = SERVERS[name]?.port ?? 3199): ResourceRecord {
  return serverRecord(name, port, "svc");
}

export function gatewayService(): ResourceRecord {
  return gatewayRecord("svc");
}

export function serverServiceAccount(name = "memory"): ResourceRecord {
  return serverRecord(name, SERVERS[name]?.port ?? 3199, "sa");
}

export function serverNetworkPolicy(name = "memory"): ResourceRecord {
  return serverRecord(name, SERVERS[name]?.port ?? 3199, "netpol");
}

/** The gateway config the fleet renders (`deployedGatewayConfig`), as its ConfigMap holds it. */
export function gatewayConfig(): GatewayConfigInput {
  const input = fleetPlanInput();
  return deployedGatewayConfig(input.fleet, input.gateway!.identity);
}

/**
 * The gateway's ConfigMap; with `config`, holding that config instead, under `key` (YAML, or JSON for a `.json` key).
 * @param key @default GATEWAY_CONFIG_FILE (gateway.yaml)
 */
export function gatewayConfigMap(config?: unknown, key: string = GATEWAY_CONFIG_FILE): ResourceRecord {
  const map = gatewayRecord("config");
  if (config === undefined && key === GATEWAY_CONFIG_FILE) return map;
  const value = config ?? gatewayConfig();
  const meta = map.inputs.metadata as { name: string; namespace: string; labels: Record<string, string> };
  return record(map.name, buildConfigMap(meta, { [key]: key.endsWith(".json") ? JSON.stringify(value, null, 2) : stringify(value) }));
}

export function gatewayIngress(): ResourceRecord {
  return gatewayRecord("ingress");
}

/** A Docker container as `DockerFleet` registers it (secret envs masked, as `mcp-fleet check` sees them). */
export function dockerContainer(name = "memory", port = SERVERS[name]?.port ?? 3199, gateway = false): ResourceRecord {
  const plan = dockerFleetPlan({ fleet: modelOf({ kind: "docker" }, gateway ? fixtureSpecs() : [specOf(name, port, SERVERS[name]?.tools ?? [])]) });
  const c = plan.containers.find((x) => x.role === (gateway ? "gateway" : name))!;
  const envs = [...Object.entries(c.env).map(([k, v]) => `${k}=${v}`), ...c.secretEnv.map(() => SECRET_MASK)];
  return { type: "docker:index/container:Container", name: `${FLEET}-${c.role}`, inputs: structuredClone(containerArgs(c, { network: plan.networkName, image: c.image, envs })) as unknown as Record<string, unknown> };
}

export const KMS_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1111-2222";
export const OIDC = "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789";
const OIDC_PROVIDER_ARN = `arn:aws:iam::123456789012:oidc-provider/${OIDC}`;

/** The ECR repository of a built server's image, as `AwsFleet` creates it. */
export function ecrRepository(): ResourceRecord {
  return { type: "aws:ecr/repository:Repository", name: `${FLEET}-aws-hello-ecr`, inputs: ecrRepositoryArgs(`${FLEET}-hello`, KMS_KEY_ARN) };
}

/** A server's secret variable in Secrets Manager, as `AwsFleet` creates it. */
export function secretsManagerSecret(): ResourceRecord {
  return { type: "aws:secretsmanager/secret:Secret", name: `${FLEET}-aws-github-github-token`, inputs: serverSecretArgs(FLEET, NAMESPACE, "github", "GITHUB_TOKEN", KMS_KEY_ARN) };
}

/** The IRSA role of server `github`, as `AwsFleet` creates it; `subject` replaces its trusted subject when given. */
export function irsaRole(subject?: string | string[]): ResourceRecord {
  const inputs: Record<string, unknown> = irsaRoleArgs(FLEET, NAMESPACE, "github", OIDC_PROVIDER_ARN, `${FLEET}-github`);
  if (subject !== undefined) {
    const trust = JSON.parse(inputs.assumeRolePolicy as string) as { Statement: { Condition: { StringEquals: Record<string, unknown> } }[] };
    trust.Statement[0]!.Condition.StringEquals[`${OIDC}:sub`] = subject;
    inputs.assumeRolePolicy = JSON.stringify(trust);
  }
  return { type: "aws:iam/role:Role", name: `${FLEET}-aws-github-irsa`, inputs };
}

/** Resource inputs as tests poke at them: any field, any depth. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

/** A deep copy of `resource` changed by `change` (and renamed to `name`, when given). */
export function mutate(resource: ResourceRecord, change: (inputs: Loose) => void, name?: string): ResourceRecord {
  const copy = structuredClone(resource);
  change(copy.inputs);
  if (name !== undefined) copy.name = name;
  return copy;
}

/** The first container of a workload's pod template. */
export function firstContainer(inputs: Loose): Loose {
  return inputs.spec.template.spec.containers[0];
}

/** The whole valid fleet in its namespace: every object `Fleet` registers for the fixture servers, Secrets aside. */
export function validFleet(): ResourceRecord[] {
  return planRecords(planFleet(fleetPlanInput()));
}
