/**
 * The Kubernetes components under Pulumi's mocks: every registration is recorded (inputs as sent to the engine)
 * and the computed inputs are asserted.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { adapterApiKey } from "../gateway-secrets.js";
import { runUnderMocks, SECRET_MASK, type RegisteredResource } from "../plan/run-under-mocks.js";
import { KNOWN_SECRET, KNOWN_SERVER_SECRET, catalogOf, clusterFleet, find, mixedSpecs, type Json } from "../testing/fixtures.js";
import { Fleet, type FleetArgs } from "./fleet.js";
import { McpServer } from "../k8s/mcp-server.js";
import { workloadOf } from "../workload.js";

const catalog = catalogOf(mixedSpecs());
const fleet = clusterFleet(catalog, "tools");

function fleetArgs(overrides: Partial<FleetArgs> & { namespace?: string } = {}): FleetArgs {
  const { namespace, ...rest } = overrides;
  return {
    fleet: namespace === undefined ? fleet : clusterFleet(catalog, namespace),
    gatewayImage: "ghcr.io/acme/mcp-fleet-gateway:0.3.0",
    gateway: { replicas: 3, ingress: { host: "mcp.example.com", className: "nginx", tls: { issuer: "letsencrypt-prod" } } },
    serverAutoscaling: { search: { minReplicas: 2, maxReplicas: 5 } },
    gatewaySecrets: { MCP_FLEET_SESSION_SECRET: pulumi.secret(KNOWN_SECRET) },
    serverSecrets: { github: { GITHUB_TOKEN: pulumi.secret(KNOWN_SERVER_SECRET) } },
    ...rest,
  };
}

const K = {
  deploy: "kubernetes:apps/v1:Deployment",
  svc: "kubernetes:core/v1:Service",
  sa: "kubernetes:core/v1:ServiceAccount",
  cm: "kubernetes:core/v1:ConfigMap",
  secret: "kubernetes:core/v1:Secret",
  netpol: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  pdb: "kubernetes:policy/v1:PodDisruptionBudget",
  hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  ns: "kubernetes:core/v1:Namespace",
};

let resources: RegisteredResource[];
beforeAll(async () => {
  ({ resources } = await runUnderMocks({ program: () => void new Fleet("prod", fleetArgs()) }));
});

const inputs = (type: string, name: string): Json => find(resources, type, name).inputs;

describe("McpServer (through Fleet)", () => {
  it("runs every container non-root, read-only, without privilege escalation or capabilities, seccomp RuntimeDefault", () => {
    for (const name of ["prod-github-deploy", "prod-search-deploy", "prod-legacy-deploy", "prod-gateway-deploy"]) {
      const pod = inputs(K.deploy, name).spec.template.spec;
      expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } });
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.containers).toHaveLength(1);
      expect(pod.containers[0].securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 10001,
        runAsGroup: 10001,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(pod.volumes[0]).toEqual({ name: "tmp", emptyDir: { sizeLimit: "64Mi" } });
      expect(pod.containers[0].volumeMounts[0]).toEqual({ name: "tmp", mountPath: "/tmp" });
    }
  });

  it("runs a stdio server behind the gateway image in passthrough mode, config mounted from its ConfigMap and rolled by checksum", () => {
    const deploy = inputs(K.deploy, "prod-github-deploy");
    const c = deploy.spec.template.spec.containers[0];
    expect(c.image).toBe("ghcr.io/acme/mcp-fleet-gateway:0.3.0");
    expect(c.command).toEqual(["mcp-fleet-gateway", "--config", "/etc/mcp-fleet/gateway.yaml"]);
    expect(c.ports).toEqual([{ name: "mcp", containerPort: 3201, protocol: "TCP" }]);
    expect(c.livenessProbe).toEqual({ httpGet: { path: "/healthz", port: "mcp" }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3, initialDelaySeconds: 10 });
    expect(c.readinessProbe).toEqual({ httpGet: { path: "/readyz", port: "mcp" }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3, initialDelaySeconds: 2 });
    const cm = inputs(K.cm, "prod-github-config");
    expect(cm.metadata.name).toBe("mcp-github-config");
    const yaml: string = cm.data["gateway.yaml"];
    expect(yaml).toContain("passthrough: true");
    expect(yaml).toContain("port: 3201");
    expect(yaml).toContain("LOG_LEVEL: info");
    expect(deploy.spec.template.spec.volumes[1]).toEqual({ name: "config", configMap: { name: "mcp-github-config" } });
    expect(deploy.spec.template.metadata.annotations["mcp-fleet.dev/config-checksum"]).toBe(createHash("sha256").update(yaml).digest("hex"));
    expect(deploy.spec.template.metadata.annotations["prometheus.io/port"]).toBe("3201");
  });

  it("references secrets by name and key only; the values live in the Secret, marked secret", () => {
    const c = inputs(K.deploy, "prod-github-deploy").spec.template.spec.containers[0];
    expect(c.env).toEqual([
      { name: "GITHUB_TOKEN", valueFrom: { secretKeyRef: { name: "mcp-github-secrets", key: "GITHUB_TOKEN" } } },
      { name: "MCP_FLEET_SESSION_SECRET", valueFrom: { secretKeyRef: { name: "mcp-github-session", key: "MCP_FLEET_SESSION_SECRET" } } },
      // The hash of the central gateway's key toward this adapter, from the adapter's own Secret.
      { name: "MCP_FLEET_API_KEYS", valueFrom: { secretKeyRef: { name: "mcp-github-session", key: "MCP_FLEET_API_KEYS" } } },
    ]);
    const session = find(resources, K.secret, "prod-github-session");
    expect(session.inputs.metadata).toMatchObject({ name: "mcp-github-session", namespace: "tools" });
    expect(session.secretPaths).toEqual(["stringData"]);
    // Adapters only: an image server seals no sessions.
    expect(inputs(K.deploy, "prod-search-deploy").spec.template.spec.containers[0].env).toEqual([]);
    expect(resources.some((r) => r.name === "prod-search-session")).toBe(false);
    const secret = find(resources, K.secret, "prod-github-secret");
    expect(secret.inputs.metadata).toMatchObject({ name: "mcp-github-secrets", namespace: "tools" });
    // The Kubernetes SDK marks a Secret's whole stringData secret; the runner masks it.
    expect(secret.inputs.stringData).toBe(SECRET_MASK);
    expect(secret.secretPaths).toEqual(["stringData"]);
    expect(JSON.stringify(resources)).not.toContain(KNOWN_SERVER_SECRET);
    expect(JSON.stringify(resources)).not.toContain(KNOWN_SECRET);
    // The gateway's key toward an adapter (derived from the session secret) is in no resource, not even hashed.
    const key = adapterApiKey(KNOWN_SECRET, "github");
    expect(JSON.stringify(resources)).not.toContain(key);
    expect(JSON.stringify(resources)).not.toContain(createHash("sha256").update(key).digest("hex"));
  });

  it("runs an image server from its image with TCP probes timed by its healthCheck, scaled by an HPA within bounds", () => {
    const deploy = inputs(K.deploy, "prod-search-deploy");
    const c = deploy.spec.template.spec.containers[0];
    expect(c.image).toBe("ghcr.io/acme/search:1.2.0");
    expect(c.command).toBeUndefined();
    expect(c.livenessProbe).toEqual({ tcpSocket: { port: "mcp" }, periodSeconds: 15, timeoutSeconds: 3, failureThreshold: 4, initialDelaySeconds: 10 });
    expect(c.resources).toEqual({ requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } });
    expect(deploy.spec.replicas).toBe(2);
    expect(inputs(K.hpa, "prod-search-hpa").spec).toEqual({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "mcp-search" },
      minReplicas: 2,
      maxReplicas: 5,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
    });
    expect(inputs(K.pdb, "prod-search-pdb").spec).toEqual({ minAvailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": "search", "app.kubernetes.io/instance": "mcp-search" } } });
    expect(inputs(K.pdb, "prod-github-pdb").spec.maxUnavailable).toBe(1);
    expect(resources.some((r) => r.type === K.hpa && r.name === "prod-github-hpa")).toBe(false);
  });

  it("labels every object with app.kubernetes.io/* and the owner; Service and Deployment select the same pods", () => {
    const deploy = inputs(K.deploy, "prod-github-deploy");
    const labels = {
      "app.kubernetes.io/name": "github",
      "app.kubernetes.io/instance": "mcp-github",
      "app.kubernetes.io/component": "mcp-server",
      "app.kubernetes.io/part-of": "mcp-fleet",
      "app.kubernetes.io/managed-by": "mcp-fleet",
      "mcp-fleet.dev/owner": "devex",
    };
    for (const [type, role] of [[K.deploy, "deploy"], [K.svc, "svc"], [K.sa, "sa"], [K.netpol, "netpol"], [K.pdb, "pdb"], [K.cm, "config"]] as const) {
      expect(inputs(type, `prod-github-${role}`).metadata.labels).toEqual(labels);
    }
    expect(deploy.spec.template.metadata.labels).toEqual(labels);
    const selector = { "app.kubernetes.io/name": "github", "app.kubernetes.io/instance": "mcp-github" };
    expect(deploy.spec.selector.matchLabels).toEqual(selector);
    const svc = inputs(K.svc, "prod-github-svc");
    expect(svc.spec).toEqual({ type: "ClusterIP", selector, ports: [{ name: "mcp", port: 3201, targetPort: "mcp", protocol: "TCP", appProtocol: "http" }] });
    expect(inputs(K.sa, "prod-github-sa").automountServiceAccountToken).toBe(false);
    expect(deploy.spec.template.spec.serviceAccountName).toBe("mcp-github");
  });

  it("admits ingress only from the gateway pods and the monitoring namespace, on the server's port", () => {
    const spec = inputs(K.netpol, "prod-search-netpol").spec;
    expect(spec.podSelector).toEqual({ matchLabels: { "app.kubernetes.io/name": "search", "app.kubernetes.io/instance": "mcp-search" } });
    expect(spec.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(spec.ingress).toEqual([
      {
        ports: [{ protocol: "TCP", port: 3202 }],
        from: [
          { podSelector: { matchLabels: { "app.kubernetes.io/name": "mcp-fleet-gateway", "app.kubernetes.io/instance": "mcp-gateway" } } },
          { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } },
        ],
      },
    ]);
    // The gateway's selector labels are exactly those of the gateway's pods.
    expect(inputs(K.deploy, "prod-gateway-deploy").spec.template.metadata.labels).toMatchObject(spec.ingress[0].from[0].podSelector.matchLabels);
  });
});

describe("McpGateway and Fleet", () => {
  it("creates the namespace with Pod Security restricted and a default-deny policy for every pod", () => {
    expect(inputs(K.ns, "prod-ns").metadata.labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
    });
    expect(inputs(K.netpol, "prod-default-deny").spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
  });

  it("renders the gateway config with every server at its headless Service URL, and rolls pods on change", () => {
    const yaml: string = inputs(K.cm, "prod-gateway-config").data["gateway.yaml"];
    expect(yaml).toContain("url: http://mcp-github-headless.tools.svc.cluster.local:3201/mcp");
    expect(yaml).toContain("url: http://mcp-search-headless.tools.svc.cluster.local:3202/rpc");
    expect(yaml).toContain("url: http://mcp-legacy-headless.tools.svc.cluster.local:3203/mcp");
    const deploy = inputs(K.deploy, "prod-gateway-deploy");
    expect(deploy.spec.replicas).toBe(3);
    expect(deploy.spec.template.metadata.annotations["mcp-fleet.dev/config-checksum"]).toBe(createHash("sha256").update(yaml).digest("hex"));
    // Its key toward each adapter (github and legacy; search runs its own image) by reference, like its session key.
    expect(deploy.spec.template.spec.containers[0].env).toEqual(
      ["MCP_FLEET_ADAPTER_KEY_GITHUB", "MCP_FLEET_ADAPTER_KEY_LEGACY", "MCP_FLEET_SESSION_SECRET"].map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: "mcp-gateway-keys", key } } })),
    );
    const config = parse(yaml) as { servers: { name: string; credentials?: unknown }[] };
    expect(Object.fromEntries(config.servers.map((s) => [s.name, s.credentials]))).toEqual({
      github: { headers: { Authorization: "Bearer ${MCP_FLEET_ADAPTER_KEY_GITHUB}" } },
      legacy: { headers: { Authorization: "Bearer ${MCP_FLEET_ADAPTER_KEY_LEGACY}" } },
      search: undefined,
    });
    const secret = find(resources, K.secret, "prod-gateway-secret");
    expect(secret.inputs.stringData).toBe(SECRET_MASK);
    expect(secret.inputs.metadata).toMatchObject({ name: "mcp-gateway-keys", namespace: "tools" });
  });

  it("exposes the gateway (its endpoint and its /.well-known/ documents) through an Ingress with cert-manager TLS, and lets it reach only the servers' ports", () => {
    const ing = inputs(K.ingress, "prod-gateway-ingress");
    expect(ing.metadata.annotations).toEqual({ "cert-manager.io/cluster-issuer": "letsencrypt-prod" });
    expect(ing.spec).toEqual({
      ingressClassName: "nginx",
      tls: [{ hosts: ["mcp.example.com"], secretName: "mcp-gateway-tls" }],
      rules: [
        {
          host: "mcp.example.com",
          http: {
            paths: ["/mcp", "/.well-known/"].map((path) => ({ path, pathType: "Prefix", backend: { service: { name: "mcp-gateway", port: { name: "mcp" } } } })),
          },
        },
      ],
    });
    const egress = inputs(K.netpol, "prod-gateway-netpol").spec.egress;
    expect(egress[1]).toEqual({
      to: [{ podSelector: { matchLabels: { "app.kubernetes.io/component": "mcp-server", "app.kubernetes.io/part-of": "mcp-fleet" } } }],
      ports: [3201, 3202, 3203].map((port) => ({ protocol: "TCP", port })),
    });
  });

  it("labels the gateway and the namespace with the fleet's owner (default platform)", () => {
    expect(inputs(K.deploy, "prod-gateway-deploy").metadata.labels).toEqual({
      "app.kubernetes.io/name": "mcp-fleet-gateway",
      "app.kubernetes.io/instance": "mcp-gateway",
      "app.kubernetes.io/component": "gateway",
      "app.kubernetes.io/part-of": "mcp-fleet",
      "app.kubernetes.io/managed-by": "mcp-fleet",
      "mcp-fleet.dev/owner": "platform",
    });
    expect(inputs(K.deploy, "prod-gateway-deploy").spec.selector.matchLabels).toEqual({ "app.kubernetes.io/name": "mcp-fleet-gateway", "app.kubernetes.io/instance": "mcp-gateway" });
    expect(inputs(K.ns, "prod-ns").metadata.labels["mcp-fleet.dev/owner"]).toBe("platform");
  });

  it("parents every child on its component, named after the component", () => {
    const fleet = find(resources, "mcp-fleet:index:Fleet", "prod");
    const server = find(resources, "mcp-fleet:k8s:McpServer", "prod-github");
    expect(server.parent).toBe(fleet.urn);
    expect(find(resources, K.deploy, "prod-github-deploy").parent).toBe(server.urn);
    const ours = resources.filter((r) => r.type !== "pulumi:pulumi:Stack" && r !== fleet);
    expect(ours.every((r) => r.name.startsWith("prod-"))).toBe(true);
  });

  it("two fleets in one program do not collide", async () => {
    const { resources: both } = await runUnderMocks({
      program: () => {
        new Fleet("blue", fleetArgs({ namespace: "blue" }));
        new Fleet("green", fleetArgs({ namespace: "green" }));
      },
    });
    const urns = both.map((r) => r.urn);
    expect(new Set(urns).size).toBe(urns.length);
    expect(inputs(K.deploy, "prod-github-deploy").metadata.namespace).toBe("tools");
    expect(find(both, K.deploy, "green-github-deploy").inputs.metadata).toMatchObject({ name: "mcp-github", namespace: "green" });
    // The same name twice is what the engine rejects; the runner reports it.
    await expect(runUnderMocks({ program: () => [new Fleet("x", fleetArgs()), new Fleet("x", fleetArgs({ namespace: "y" }))] })).rejects.toThrow(
      "Two resources have the URN urn:pulumi:dev::mcp-fleet::pulumi:pulumi:Stack$mcp-fleet:index:Fleet::x: give each a unique name (derive child names from the component's name).",
    );
  });
});

describe("validation", () => {
  it("rejects bad Fleet args before creating anything, naming each field and the fix", async () => {
    let created = 0;
    const run = runUnderMocks({
      program: () => {
        new Fleet(
          "bad",
          fleetArgs({
            namespace: "Tools",
            gatewayImage: "ghcr.io/acme/gw:latest",
            serverAutoscaling: { serach: { minReplicas: 1, maxReplicas: 2 }, search: { minReplicas: 3, maxReplicas: 2 } },
            gatewaySecrets: {},
          }),
        );
        created++;
      },
    });
    await expect(run).rejects.toThrow(
      [
        'Fleet "bad": ',
        '  - `namespace` "Tools" is not a valid namespace name. Use a DNS-1123 label: lowercase letters, digits and \'-\', at most 63 characters (e.g. mcp-fleet).',
        "  - `gatewayImage` \"ghcr.io/acme/gw:latest\" is not pinned. Add a version tag or a digest (e.g. ghcr.io/acme/gw:0.1.0); `latest` does not roll pods when it changes.",
        "  - `serverAutoscaling.serach` names no server of the catalog. Use one of: github, legacy, search.",
        "  - `serverAutoscaling.search.maxReplicas` 2 is below `serverAutoscaling.search.minReplicas` 3. Raise maxReplicas to at least 3.",
        "  - `gatewaySecrets.MCP_FLEET_SESSION_SECRET` is missing. Pass a random key of at least 32 characters: gateway replicas share it to seal session ids.",
      ].join("\n"),
    );
    expect(created).toBe(0);
  });

  it("rejects secret values for variables the spec does not declare", async () => {
    const server = fleet.servers.find((s) => s.spec.name === "github")!;
    const workload = workloadOf(server, { gatewayImage: "ghcr.io/acme/gw:1.0.0", builtImage: () => "unused:1" });
    const run = runUnderMocks({ program: () => void new McpServer("gh", { fleet, server, workload, secretValues: { GITHUB_TOKEN: "x", GH_TOKEN: "y" } }) });
    await expect(run).rejects.toThrow(
      'McpServer "gh": `secretValues.GH_TOKEN` is not a secret of server "github" (servers/github.ts declares: GITHUB_TOKEN). Remove it, or add "GH_TOKEN" to the spec\'s `secrets`.',
    );
  });

  it("rejects an autoscaler that could scale to zero", async () => {
    const server = fleet.servers.find((s) => s.spec.name === "search")!;
    const workload = workloadOf(server, { gatewayImage: "ghcr.io/acme/gw:1.0.0", builtImage: () => "unused:1" });
    const run = runUnderMocks({ program: () => void new McpServer("s", { fleet, server, workload, autoscaling: { minReplicas: 0, maxReplicas: 3 } }) });
    await expect(run).rejects.toThrow(
      'McpServer "s": `autoscaling.minReplicas` 0 must be a whole number of at least 1. An autoscaler never scales to zero; drop `autoscaling` to run a fixed replica count.',
    );
  });
});
