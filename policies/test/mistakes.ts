/**
 * A catalogue of realistic mistakes. Each case starts from a valid fleet and makes ONE mistake, which the right
 * policy (and only it) must catch. Used by broken-fleets.test.ts and the pack-process test.
 */
import type { ResourceRecord } from "../harness/types.js";
import {
  dockerContainer,
  ecrRepository,
  firstContainer,
  gatewayConfig,
  gatewayConfigMap,
  gatewayIngress,
  irsaRole,
  mutate,
  secretsManagerSecret,
  serverDeployment,
  serverLabels,
  serverNetworkPolicy,
  serverService,
  serverServiceAccount,
  validFleet,
  type Loose,
} from "./fixtures.js";

/** How a fleet's adapter authenticates its one caller, and what that caller may do (components/workload.ts). */
const ADAPTER_AUTH = { mode: "apiKey", apiKeysFromEnv: "MCP_FLEET_API_KEYS" };
const ADAPTER_ACCESS = [{ roles: ["mcp-fleet-gateway"], tools: ["*"], resources: ["*"], prompts: ["*"] }];

/** The valid fleet plus Docker and AWS pieces. */
export function fleet(): ResourceRecord[] {
  return [...validFleet(), dockerContainer("memory"), dockerContainer("gateway", 8080, true), ecrRepository(), secretsManagerSecret(), irsaRole()];
}

/** The fleet with the resource named `name` changed. */
function withChange(name: string, change: (inputs: Loose) => void): ResourceRecord[] {
  const resources = fleet();
  const index = resources.findIndex((r) => r.name === name);
  if (index < 0) throw new Error(`no resource ${name} in the fixture fleet`);
  resources[index] = mutate(resources[index]!, change);
  return resources;
}

function newServer(name: string, port: number): ResourceRecord[] {
  return [serverDeployment(name, port), serverService(name, port), serverServiceAccount(name), serverNetworkPolicy(name)];
}

function withToolConfig(change: (config: ReturnType<typeof gatewayConfig>) => void): ResourceRecord[] {
  const config = gatewayConfig();
  change(config);
  return fleet().map((r) => (r.name === "mcp-gateway-config" ? gatewayConfigMap(config) : r));
}

export interface Mistake {
  mistake: string;
  resources: ResourceRecord[];
  policy: string;
  /** A fragment of the message. */
  says: string;
}

export const mistakes: Mistake[] = [
  { mistake: "a :latest image", resources: withChange("mcp-memory-deploy", (i) => (firstContainer(i).image = "ghcr.io/acme/memory:latest")), policy: "mcp-image-pinned", says: "uses `:latest`" },
  { mistake: "an untagged image", resources: withChange("mcp-memory-deploy", (i) => (firstContainer(i).image = "ghcr.io/acme/memory")), policy: "mcp-image-pinned", says: "has no tag" },
  { mistake: "a new server on a port already taken", resources: [...fleet(), ...newServer("github", 3102)], policy: "mcp-port-unique", says: "both use port 3102" },
  {
    mistake: "a token in plain env",
    resources: withChange("mcp-memory-deploy", (i) => firstContainer(i).env.push({ name: "GITHUB_TOKEN_FALLBACK", value: "ghp_123" })),
    policy: "mcp-secret-env-from-secret-ref",
    says: "`GITHUB_TOKEN_FALLBACK` as a plain value",
  },
  { mistake: "a privileged pod", resources: withChange("mcp-memory-deploy", (i) => (firstContainer(i).securityContext.privileged = true)), policy: "mcp-container-not-privileged", says: "must not be privileged" },
  {
    mistake: "a 70-character tool name after prefixing",
    resources: withToolConfig((c) => (c.servers.find((s) => s.name === "memory")!.tools = { allow: ["x".repeat(62)] })),
    policy: "mcp-tool-names",
    says: "(70 characters) does not match",
  },
  { mistake: "a missing NetworkPolicy", resources: fleet().filter((r) => r.name !== "mcp-memory-netpol"), policy: "mcp-network-policy-coverage", says: "not selected by any NetworkPolicy" },
  { mistake: "a LoadBalancer server", resources: withChange("mcp-memory-svc", (i) => (i.spec.type = "LoadBalancer")), policy: "mcp-only-gateway-exposed", says: "is of type LoadBalancer" },
  { mistake: "a NodePort server", resources: withChange("mcp-memory-svc", (i) => (i.spec.type = "NodePort")), policy: "mcp-only-gateway-exposed", says: "is of type NodePort" },
  { mistake: "no TLS in prod", resources: withChange("mcp-gateway-ingress", (i) => delete i.spec.tls), policy: "mcp-ingress-tls", says: "must terminate TLS" },
  { mistake: "a container running as root", resources: withChange("mcp-memory-deploy", (i) => (firstContainer(i).securityContext.runAsUser = 0)), policy: "mcp-container-non-root", says: "must not run as user 0" },
  { mistake: "hostNetwork for a server", resources: withChange("mcp-memory-deploy", (i) => (i.spec.template.spec.hostNetwork = true)), policy: "mcp-pod-host-isolation", says: "`hostNetwork: true`" },
  {
    mistake: "the Docker socket mounted from the host",
    resources: withChange("mcp-memory-deploy", (i) => i.spec.template.spec.volumes.push({ name: "sock", hostPath: { path: "/var/run/docker.sock" } })),
    policy: "mcp-pod-host-isolation",
    says: "must not mount a host path",
  },
  { mistake: "a writable root filesystem", resources: withChange("mcp-memory-deploy", (i) => (firstContainer(i).securityContext.readOnlyRootFilesystem = false)), policy: "mcp-container-read-only-root-fs", says: "`readOnlyRootFilesystem: true`" },
  { mistake: "no memory limit", resources: withChange("mcp-memory-deploy", (i) => delete firstContainer(i).resources.limits.memory), policy: "mcp-container-resources", says: "`resources.limits.memory`" },
  { mistake: "no readiness probe", resources: withChange("mcp-memory-deploy", (i) => delete firstContainer(i).readinessProbe), policy: "mcp-container-probes", says: "`readinessProbe`" },
  {
    mistake: "privilege escalation allowed",
    resources: withChange("mcp-memory-deploy", (i) => (firstContainer(i).securityContext.allowPrivilegeEscalation = true)),
    policy: "mcp-container-no-privilege-escalation",
    says: "`allowPrivilegeEscalation: false`",
  },
  { mistake: "SYS_ADMIN added back", resources: withChange("mcp-memory-deploy", (i) => (firstContainer(i).securityContext.capabilities.add = ["SYS_ADMIN"])), policy: "mcp-container-drop-all-capabilities", says: "`SYS_ADMIN`" },
  { mistake: "seccomp Unconfined", resources: withChange("mcp-memory-deploy", (i) => (firstContainer(i).securityContext.seccompProfile = { type: "Unconfined" })), policy: "mcp-pod-seccomp-runtime-default", says: "RuntimeDefault" },
  { mistake: "a server that mounts its service-account token", resources: withChange("mcp-memory-deploy", (i) => (i.spec.template.spec.automountServiceAccountToken = true)), policy: "mcp-server-sa-token-not-automounted", says: "`automountServiceAccountToken: false`" },
  { mistake: "a Service without the fleet prefix", resources: withChange("mcp-memory-svc", (i) => (i.metadata.name = "memory")), policy: "mcp-resource-names", says: "fleet prefix `mcp-`" },
  { mistake: "a missing owner label", resources: withChange("mcp-memory-svc", (i) => delete i.metadata.labels["mcp-fleet.dev/owner"]), policy: "mcp-required-labels", says: "`mcp-fleet.dev/owner`" },
  { mistake: "a server on port 80", resources: withChange("mcp-memory-deploy", (i) => (firstContainer(i).ports[0].containerPort = 80)), policy: "mcp-port-range", says: "(80) is outside 1024-65535" },
  { mistake: "an MCP port named http", resources: withChange("mcp-memory-svc", (i) => (i.spec.ports[0].name = "http")), policy: "mcp-named-ports", says: "is named `http`" },
  {
    mistake: "an Ingress straight to a server",
    resources: [
      ...fleet(),
      mutate(
        gatewayIngress(),
        (i) => {
          i.metadata.name = "mcp-memory";
          i.metadata.labels = serverLabels("memory");
          i.spec.tls[0].secretName = "mcp-memory-tls";
        },
        "mcp-memory-ingress",
      ),
    ],
    policy: "mcp-only-gateway-exposed",
    says: "Ingress `mcp-memory` is not the gateway's",
  },
  { mistake: "a writable Docker container", resources: withChange("mcp-memory", (i) => (i.readOnly = false)), policy: "mcp-docker-container-hardened", says: "`readOnly: true`" },
  { mistake: "a Docker server published on the host", resources: withChange("mcp-memory", (i) => (i.ports = [{ internal: 3102, external: 3102 }])), policy: "mcp-only-gateway-exposed", says: "publishes port 3102 on the host" },
  { mistake: "ECR tags left mutable", resources: withChange("mcp-aws-hello-ecr", (i) => (i.imageTagMutability = "MUTABLE")), policy: "mcp-ecr-repository-hardened", says: "immutable tags" },
  { mistake: "a secret on the default AWS key", resources: withChange("mcp-aws-github-github-token", (i) => delete i.kmsKeyId), policy: "mcp-secrets-manager-kms", says: "customer-managed KMS key" },
  {
    mistake: "an IRSA role any service account of the namespace can assume",
    resources: fleet().map((r) => (r.name === "mcp-aws-github-irsa" ? irsaRole("system:serviceaccount:mcp:*") : r)),
    policy: "mcp-irsa-trust-single-service-account",
    says: "not exactly one service account",
  },
  {
    mistake: "a token in a stdio server's spec env (it lands in the adapter's ConfigMap)",
    resources: [
      ...fleet(),
      mutate(gatewayConfigMap({ naming: { passthrough: true }, auth: ADAPTER_AUTH, servers: [{ name: "github", transport: "stdio", env: { GITHUB_TOKEN: "ghp_123" }, access: ADAPTER_ACCESS } as never] }, "gateway.yaml"), (i) => {
        i.metadata.name = "mcp-github-config";
      }, "mcp-github-config"),
    ],
    policy: "mcp-secret-env-from-secret-ref",
    says: "sets env `GITHUB_TOKEN` in plain text",
  },
  {
    mistake: "an adapter that lets any pod call its server (auth none, trustedNetwork)",
    resources: [
      ...fleet(),
      mutate(gatewayConfigMap({ naming: { passthrough: true }, auth: { mode: "none", trustedNetwork: true }, servers: [{ name: "github", transport: "stdio" } as never] }, "gateway.yaml"), (i) => {
        i.metadata.name = "mcp-github-config";
      }, "mcp-github-config"),
    ],
    policy: "mcp-adapter-authenticated",
    says: "does not authenticate its caller",
  },
  {
    mistake: "a server name too long to prefix tools",
    resources: withToolConfig((c) => (c.servers.find((s) => s.name === "memory")!.name = "customer-relationship-management-sync")),
    policy: "mcp-tool-names",
    says: "more than 32",
  },
];

