/**
 * Valid resources of a small fleet, shaped like the components register them (the `memory` server and the
 * gateway in namespace `mcp`). Each call returns a fresh copy; tests mutate one field and expect one violation.
 */
import type { ResourceRecord } from "../harness/types.js";

export const NAMESPACE = "mcp";

export function serverLabels(name = "memory", owner = "agents"): Record<string, string> {
  return {
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/instance": `mcp-${name}`,
    "app.kubernetes.io/component": "mcp-server",
    "app.kubernetes.io/part-of": "mcp-fleet",
    "app.kubernetes.io/managed-by": "mcp-fleet",
    "mcp-fleet.dev/owner": owner,
  };
}

export function gatewayLabels(): Record<string, string> {
  return {
    "app.kubernetes.io/name": "gateway",
    "app.kubernetes.io/instance": "mcp-gateway",
    "app.kubernetes.io/component": "gateway",
    "app.kubernetes.io/part-of": "mcp-fleet",
    "mcp-fleet.dev/owner": "platform",
  };
}

function container(name: string, image: string, port: number) {
  return {
    name,
    image,
    ports: [
      { name: "mcp", containerPort: port, protocol: "TCP" },
      { name: "metrics", containerPort: 9464, protocol: "TCP" },
    ],
    env: [
      { name: "LOG_LEVEL", value: "info" },
      { name: "GITHUB_TOKEN", valueFrom: { secretKeyRef: { name: `mcp-${name}-secrets`, key: "GITHUB_TOKEN" } } },
    ],
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 10001,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      capabilities: { drop: ["ALL"] },
    },
    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    livenessProbe: { httpGet: { path: "/healthz", port: "mcp" }, periodSeconds: 10 },
    readinessProbe: { httpGet: { path: "/readyz", port: "mcp" }, periodSeconds: 10 },
    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
  };
}

function deployment(name: string, labels: Record<string, string>, image: string, port: number, automount: boolean | undefined) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: `mcp-${name}`, namespace: NAMESPACE, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: { "app.kubernetes.io/instance": `mcp-${name}` } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: `mcp-${name}`,
          ...(automount === undefined ? {} : { automountServiceAccountToken: automount }),
          securityContext: { runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
          containers: [container(name, image, port)],
          volumes: [{ name: "tmp", emptyDir: {} }],
        },
      },
    },
  };
}

export function serverDeployment(name = "memory", port = 3102): ResourceRecord {
  return { type: "kubernetes:apps/v1:Deployment", name: `mcp-${name}-deployment`, inputs: deployment(name, serverLabels(name), "ghcr.io/mcp-fleet/gateway:0.1.0", port, false) };
}

export function gatewayDeployment(): ResourceRecord {
  return { type: "kubernetes:apps/v1:Deployment", name: "mcp-gateway-deployment", inputs: deployment("gateway", gatewayLabels(), "ghcr.io/mcp-fleet/gateway:0.1.0", 8080, undefined) };
}

export function serverService(name = "memory", port = 3102): ResourceRecord {
  return {
    type: "kubernetes:core/v1:Service",
    name: `mcp-${name}-svc`,
    inputs: {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: `mcp-${name}`, namespace: NAMESPACE, labels: serverLabels(name) },
      spec: {
        type: "ClusterIP",
        selector: { "app.kubernetes.io/instance": `mcp-${name}` },
        ports: [
          { name: "mcp", port, targetPort: "mcp", protocol: "TCP" },
          { name: "metrics", port: 9464, targetPort: "metrics", protocol: "TCP" },
        ],
      },
    },
  };
}

export function gatewayService(): ResourceRecord {
  const service = serverService("gateway", 8080);
  (service.inputs.metadata as { labels: Record<string, string> }).labels = gatewayLabels();
  return service;
}

export function serverServiceAccount(name = "memory"): ResourceRecord {
  return {
    type: "kubernetes:core/v1:ServiceAccount",
    name: `mcp-${name}-sa`,
    inputs: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: `mcp-${name}`, namespace: NAMESPACE, labels: serverLabels(name) }, automountServiceAccountToken: false },
  };
}

export function serverNetworkPolicy(name = "memory"): ResourceRecord {
  return {
    type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    name: `mcp-${name}-netpol`,
    inputs: {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: `mcp-${name}`, namespace: NAMESPACE, labels: serverLabels(name) },
      spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/instance": `mcp-${name}` } },
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ podSelector: { matchLabels: { "app.kubernetes.io/component": "gateway" } } }], ports: [{ port: "mcp" }] }],
      },
    },
  };
}

export function defaultDenyNetworkPolicy(): ResourceRecord {
  return {
    type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    name: "mcp-default-deny",
    inputs: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "mcp-default-deny", namespace: NAMESPACE }, spec: { podSelector: {}, policyTypes: ["Ingress"] } },
  };
}

export interface GatewayConfigFixture {
  naming?: { separator?: string; passthrough?: boolean };
  servers: Array<{ name: string; transport: string; url?: string; tools?: { allow?: string[]; deny?: string[] } }>;
}

export function gatewayConfig(): GatewayConfigFixture {
  return {
    naming: { separator: "__", passthrough: false },
    servers: [
      { name: "memory", transport: "http", url: "http://mcp-memory.mcp.svc.cluster.local:3102/mcp", tools: { allow: ["read_graph", "search_nodes"] } },
      { name: "everything", transport: "http", url: "http://mcp-everything.mcp.svc.cluster.local:3101/mcp", tools: { allow: ["echo", "get*"] } },
    ],
  };
}

/** The gateway's ConfigMap; `format` picks YAML-as-JSON (`config.yaml`) or JSON (`config.json`). */
export function gatewayConfigMap(config: GatewayConfigFixture = gatewayConfig(), key = "config.yaml"): ResourceRecord {
  return {
    type: "kubernetes:core/v1:ConfigMap",
    name: "mcp-gateway-config",
    inputs: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "mcp-gateway-config", namespace: NAMESPACE, labels: gatewayLabels() }, data: { [key]: JSON.stringify(config, null, 2) } },
  };
}

export function gatewayIngress(): ResourceRecord {
  return {
    type: "kubernetes:networking.k8s.io/v1:Ingress",
    name: "mcp-gateway-ingress",
    inputs: {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "mcp-gateway", namespace: NAMESPACE, labels: gatewayLabels(), annotations: { "cert-manager.io/cluster-issuer": "letsencrypt" } },
      spec: {
        ingressClassName: "nginx",
        tls: [{ hosts: ["mcp.example.com"], secretName: "mcp-gateway-tls" }],
        rules: [{ host: "mcp.example.com", http: { paths: [{ path: "/mcp", pathType: "Prefix", backend: { service: { name: "mcp-gateway", port: { name: "mcp" } } } }] } }],
      },
    },
  };
}

export function dockerContainer(name = "memory", port = 3102, gateway = false): ResourceRecord {
  return {
    type: "docker:index/container:Container",
    name: `mcp-${name}-container`,
    inputs: {
      name: `mcp-${name}`,
      image: "mcp-fleet/gateway:0.1.0",
      readOnly: true,
      privileged: false,
      user: "10001:10001",
      capabilities: { drops: ["ALL"] },
      securityOpts: ["no-new-privileges:true"],
      envs: [`PORT=${port}`, "LOG_LEVEL=info"],
      networksAdvanced: [{ name: "mcp-fleet", aliases: [`mcp-${name}`] }],
      labels: Object.entries(gateway ? gatewayLabels() : serverLabels(name)).map(([label, value]) => ({ label, value })),
      ...(gateway ? { ports: [{ internal: 8080, external: 8080, ip: "127.0.0.1" }] } : {}),
    },
  };
}

export function ecrRepository(): ResourceRecord {
  return {
    type: "aws:ecr/repository:Repository",
    name: "mcp-hello-repo",
    inputs: { name: "mcp-fleet/hello", imageScanningConfiguration: { scanOnPush: true }, imageTagMutability: "IMMUTABLE", forceDelete: false },
  };
}

export function secretsManagerSecret(): ResourceRecord {
  return {
    type: "aws:secretsmanager/secret:Secret",
    name: "mcp-github-token",
    inputs: { name: "mcp-fleet/github/GITHUB_TOKEN", kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/1111-2222", recoveryWindowInDays: 7 },
  };
}

export const OIDC = "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789";

export function irsaRole(subject: string | string[] = "system:serviceaccount:mcp:mcp-github"): ResourceRecord {
  return {
    type: "aws:iam/role:Role",
    name: "mcp-github-role",
    inputs: {
      name: "mcp-github",
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${OIDC}` },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: { StringEquals: { [`${OIDC}:sub`]: subject, [`${OIDC}:aud`]: "sts.amazonaws.com" } },
          },
        ],
      }),
    },
  };
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

/** A whole valid fleet in one namespace: two servers, the gateway with its config and Ingress, the default deny. */
export function validFleet(): ResourceRecord[] {
  return [
    serverDeployment("memory", 3102),
    serverService("memory", 3102),
    serverServiceAccount("memory"),
    serverNetworkPolicy("memory"),
    serverDeployment("everything", 3101),
    serverService("everything", 3101),
    serverServiceAccount("everything"),
    serverNetworkPolicy("everything"),
    gatewayDeployment(),
    gatewayService(),
    gatewayConfigMap(),
    gatewayIngress(),
    defaultDenyNetworkPolicy(),
  ];
}
