/**
 * The shipped stacks planned offline (the real program under Pulumi's mocks): each plans, every Kubernetes object
 * validates against the Kubernetes schema, no secret value leaks into any non-Secret resource nor into the
 * plan/synth output, and synth writes exactly the objects the components register.
 */
import { createHash } from "node:crypto";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planJson, planTree } from "../components/plan/format.js";
import { planStack, readStackFile, type StackPlan } from "./plan-stack.js";
import { SECRET_MASK, runUnderMocks } from "../components/plan/run-under-mocks.js";
import { fleetManifests } from "../components/synth/synth.js";
import { planFleet } from "../components/fleet/plan.js";
import { KNOWN_SECRET, KNOWN_SERVER_SECRET, catalogOf, find, kubernetesObjects, mixedSpecs, type Json } from "../components/testing/fixtures.js";
import { findRepoRoot, loadCatalog } from "../servers/catalog/catalog.js";
import { synthStack } from "../cli/commands/synth.js";
import { StackConfigError, StackConfigSchema, parseStackConfig, readRawConfig } from "./config.js";

import { adapterSessionSecret } from "../components/workload.js";
import { adapterApiKey } from "../components/gateway-secrets.js";
import { fleetPlanInputFromConfig, monitoringConfigDir } from "./program.js";

const root = findRepoRoot();
const secretConfig = {
  config: { "mcp-fleet:sessionSecret": KNOWN_SECRET, "mcp-fleet:serverSecrets": JSON.stringify({ github: { GITHUB_TOKEN: KNOWN_SERVER_SECRET } }) },
  secretKeys: ["mcp-fleet:sessionSecret", "mcp-fleet:serverSecrets"],
};
const mixed = catalogOf(mixedSpecs(), root);
const plans: Record<string, StackPlan> = {};
const withSecrets: Record<string, StackPlan> = {};
const tmp = mkdtempSync(join(tmpdir(), "mcp-fleet-stacks-"));

beforeAll(async () => {
  for (const stack of ["dev", "staging", "prod"]) {
    plans[stack] = await planStack({ stack, root });
    withSecrets[stack] = await planStack({ stack, root, catalog: mixed, ...secretConfig });
  }
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Model = new (data: unknown) => { validate(): void };

/**
 * The kubernetes-models class of an object: `kubernetes-models/<apiVersion>/<kind>` for built-in kinds,
 * `@kubernetes-models/prometheus-operator` for the operator's (ServiceMonitor, PodMonitor, PrometheusRule).
 * Undefined for a kind neither knows (External Secrets' CRDs).
 */
async function modelOf(apiVersion: string, kind: string): Promise<Model | undefined> {
  const pkg = apiVersion.startsWith("monitoring.coreos.com/") ? "@kubernetes-models/prometheus-operator" : "kubernetes-models";
  try {
    const mod = (await import(`${pkg}/${apiVersion}/${kind}`)) as Record<string, Model>;
    return mod[kind];
  } catch {
    return undefined;
  }
}

describe("shipped stacks", () => {
  it("plan without error: docker for dev, Kubernetes for staging, Kubernetes and AWS for prod", async () => {
    const catalog = await loadCatalog({ root });
    const n = catalog.servers.length;
    const count = (stack: string, type: string) => plans[stack]!.resources.filter((r) => r.type === type).length;
    const fleetContainers = plans.dev!.resources.filter((r) => r.type === "docker:index/container:Container" && r.parent === find(plans.dev!.resources, "mcp-fleet:docker:DockerFleet", "mcp").urn);
    expect(fleetContainers.map((r) => r.name).sort()).toEqual([...catalog.servers.map((s) => `mcp-${s.spec.name}`), "mcp-gateway"].sort());
    // dev: the servers, the gateway, and Prometheus and Grafana (mcp-fleet:monitoringStack: docker).
    expect(count("dev", "docker:index/container:Container")).toBe(n + 1 + 2);
    expect(count("dev", "kubernetes:apps/v1:Deployment")).toBe(0);
    // staging: the servers, the gateway, and our own Prometheus and Grafana (standalone).
    expect(count("staging", "kubernetes:apps/v1:Deployment")).toBe(n + 1 + 2);
    expect(count("staging", "kubernetes:monitoring.coreos.com/v1:PrometheusRule")).toBe(0);
    expect(count("staging", "aws:ecr/repository:Repository")).toBe(0);
    // prod: rules and dashboards into kube-prometheus-stack; the scrape hook's ServiceMonitors, no second one.
    expect(count("prod", "kubernetes:apps/v1:Deployment")).toBe(n + 1);
    expect(count("prod", "aws:kms/key:Key")).toBe(1);
    expect(find(plans.prod!.resources, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "mcp-gateway-monitor").inputs).toMatchObject({ metadata: { namespace: "mcp" } });
    expect(plans.prod!.resources.filter((r) => r.name === "mcp-monitoring-gateway")).toEqual([]);
    expect(count("prod", "kubernetes:monitoring.coreos.com/v1:PrometheusRule")).toBe(1);
    expect(["dev", "staging", "prod"].map((stack) => count(stack, "mcp-fleet:monitoring:Monitoring"))).toEqual([1, 1, 1]);
    expect(plans.staging!.outputs).toMatchObject({ target: "kubernetes", gatewayUrl: "https://mcp.staging.example.com/mcp", namespace: "mcp-staging" });
    expect(plans.dev!.placeholders).toEqual(["mcp-fleet:sessionSecret"]);
  });

  it("names every ConfigMap alike in `plan` and in `synth`: its Pulumi name is its object's name", () => {
    for (const stack of ["staging", "prod"]) {
      const configMaps = plans[stack]!.resources.filter((r) => r.type === "kubernetes:core/v1:ConfigMap");
      expect(configMaps.length).toBeGreaterThan(0);
      expect(configMaps.filter((r) => r.name !== (r.inputs as Json).metadata.name).map((r) => `${r.name} (${(r.inputs as Json).metadata.name})`)).toEqual([]);
    }
  });

  it("every Kubernetes object of every stack validates against the Kubernetes schema", async () => {
    let validated = 0;
    const custom: string[] = [];
    const operatorKinds = new Set<string>();
    for (const plan of [...Object.values(plans), ...Object.values(withSecrets)]) {
      for (const r of kubernetesObjects(plan.resources)) {
        const obj = structuredClone(r.inputs) as Json;
        if (r.type === "kubernetes:core/v1:Secret") obj.stringData = {};
        const Model = await modelOf(obj.apiVersion, obj.kind);
        if (Model === undefined) {
          // Only External Secrets' CRDs (ExternalSecret, SecretStore) have no kubernetes-models package here.
          custom.push(`${obj.apiVersion}/${obj.kind}`);
          continue;
        }
        expect(() => new Model(obj).validate(), `${r.type} ${r.name}`).not.toThrow();
        validated++;
        if (obj.apiVersion.startsWith("monitoring.coreos.com/")) operatorKinds.add(obj.kind);
      }
    }
    expect(validated).toBeGreaterThan(100);
    expect([...operatorKinds].sort()).toEqual(["PrometheusRule", "ServiceMonitor"]);
    expect([...new Set(custom)].sort()).toEqual(["external-secrets.io/v1beta1/ExternalSecret", "external-secrets.io/v1beta1/SecretStore"]);
  });

  it("no secret value appears in any resource, nor in plan output; Secrets hold them masked", () => {
    for (const plan of Object.values(withSecrets)) {
      const text = JSON.stringify(plan.resources) + planTree(plan.stack, plan.resources, plan.placeholders) + JSON.stringify(planJson(plan.stack, plan.resources, plan.outputs, plan.placeholders));
      expect(text).not.toContain(KNOWN_SECRET);
      expect(text).not.toContain(KNOWN_SERVER_SECRET);
      expect(text).not.toContain(adapterSessionSecret(KNOWN_SECRET, "github"));
      // The gateway's key toward an adapter, and its hash (the adapter's).
      expect(text).not.toContain(adapterApiKey(KNOWN_SECRET, "github"));
      expect(text).not.toContain(createHash("sha256").update(adapterApiKey(KNOWN_SECRET, "github")).digest("hex"));
    }
    const staging = withSecrets.staging!.resources;
    expect(find(staging, "kubernetes:core/v1:Secret", "mcp-github-secret").inputs.stringData).toBe(SECRET_MASK);
    expect(find(staging, "kubernetes:core/v1:Secret", "mcp-gateway-secret").inputs.stringData).toBe(SECRET_MASK);
    // Staging keeps the gateway's Secret from Pulumi secrets; only prod (AWS) syncs it from Secrets Manager.
    expect(staging.some((r) => r.type === "kubernetes:external-secrets.io/v1beta1:ExternalSecret")).toBe(false);
    expect(find(staging, "kubernetes:core/v1:Secret", "mcp-github-session").inputs.stringData).toBe(SECRET_MASK);
    const dev = withSecrets.dev!.resources;
    // GITHUB_TOKEN and the adapter's session key.
    expect(find(dev, "docker:index/container:Container", "mcp-github").inputs.envs).toEqual([SECRET_MASK, SECRET_MASK]);
    expect(find(dev, "docker:index/container:Container", "mcp-gateway").inputs.envs).toEqual([SECRET_MASK]);
    const prod = withSecrets.prod!.resources;
    expect(find(prod, "aws:secretsmanager/secretVersion:SecretVersion", "mcp-aws-github-github-token-value").inputs.secretString).toBe(SECRET_MASK);
  });

  it("dev bind-mounts out/monitoring/dev into Prometheus and Grafana; an offline plan writes no files, the program does", async () => {
    const dev = plans.dev!.resources;
    const prometheus = find(dev, "docker:index/container:Container", "mcp-monitoring-prometheus").inputs as Json;
    const grafana = find(dev, "docker:index/container:Container", "mcp-monitoring-grafana").inputs as Json;
    expect(prometheus.mounts).toEqual([{ type: "bind", source: `${monitoringConfigDir(root, "dev")}/prometheus`, target: "/etc/prometheus", readOnly: true }]);
    expect(grafana.mounts.map((m: Json) => m.source)).toEqual(["grafana/grafana.ini", "grafana/provisioning", "grafana/dashboards"].map((f) => `${monitoringConfigDir(root, "dev")}/${f}`));

    const elsewhere = mkdtempSync(join(tmp, "root-"));
    const catalog = catalogOf(mixedSpecs(), elsewhere);
    await planStack({ stack: "dev", root, catalog, ...secretConfig });
    expect(existsSync(monitoringConfigDir(elsewhere, "dev"))).toBe(false);
    const { stackProgram } = await import("./program.js");
    const file = readStackFile(root, "dev");
    await runUnderMocks({ stack: "dev", config: { ...file.config, ...secretConfig.config }, secretKeys: secretConfig.secretKeys, program: () => stackProgram({ root, catalog }) });
    const written = readFileSync(join(monitoringConfigDir(elsewhere, "dev"), "prometheus/prometheus.yml"), "utf8");
    expect(written).toContain("127.0.0.1:8080");
  });

  it("the entry point has only a default export (Pulumi refuses both) and runs as Pulumi runs it", async () => {
    const entry = await import("./index.js");
    expect(Object.keys(entry)).toEqual(["default"]);
    const file = readStackFile(root, "staging");
    const { resources, outputs } = await runUnderMocks({ stack: "staging", config: file.config, secretKeys: file.secretKeys, program: () => entry.default() });
    expect(outputs).toMatchObject({ target: "kubernetes", namespace: "mcp-staging" });
    expect(resources.length).toBe(plans.staging!.resources.length);
  });

  it("`mcp-fleet plan --stack staging --json` prints every resource with type, name, parent and inputs", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(root, "cli/bin/mcp-fleet.js"), "plan", "--stack", "staging", "--json"], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
    const json = JSON.parse(stdout) as Json;
    expect(json.total).toBe(plans.staging!.resources.length);
    const deploy = json.resources.find((r: Json) => r.name === "mcp-gateway-deploy");
    expect(deploy).toMatchObject({ type: "kubernetes:apps/v1:Deployment", parent: find(plans.staging!.resources, "mcp-fleet:k8s:McpGateway", "mcp-gateway").urn });
    expect(deploy.inputs.spec.replicas).toBe(2);
    expect(stdout).toContain(SECRET_MASK);
    expect(stdout).not.toContain("plan-placeholder");
  });
});

describe("synth", () => {
  it("writes exactly the non-Secret Kubernetes objects the components register, from the same builders, monitoring included", async () => {
    const files = await synthStack("staging", join(tmp, "staging"), root);
    const written = files.map((f) => parseAllDocuments(readFileSync(join(tmp, "staging", f), "utf8"))[0]!.toJSON() as Json);
    const registered = kubernetesObjects(plans.staging!.resources)
      .filter((r) => r.type !== "kubernetes:core/v1:Secret")
      .map((r) => r.inputs as Json);
    const key = (o: Json) => `${o.kind}/${o.metadata.name}`;
    const sortByKey = (xs: Json[]) => [...xs].sort((a, b) => key(a).localeCompare(key(b)));
    expect(written.length).toBe(registered.length);
    expect(sortByKey(written)).toEqual(sortByKey(registered));
    expect(readdirSync(join(tmp, "staging")).some((f) => f.startsWith("Secret."))).toBe(false);
    // The standalone Prometheus and Grafana (mcp-fleet:monitoringStack: standalone) are part of the export.
    expect(written.filter((o) => o.kind === "Deployment" && o.metadata.name.startsWith("mcp-monitoring-")).map((o) => o.metadata.name).sort()).toEqual(["mcp-monitoring-grafana", "mcp-monitoring-prometheus"]);
  });

  it("writes the prod objects the components register, IRSA annotations and External Secrets included", async () => {
    const files = await synthStack("prod", join(tmp, "prod"), root, mixed);
    const written = files.map((f) => parseAllDocuments(readFileSync(join(tmp, "prod", f), "utf8"))[0]!.toJSON() as Json);
    const registered = kubernetesObjects(withSecrets.prod!.resources)
      .filter((r) => r.type !== "kubernetes:core/v1:Secret")
      .map((r) => r.inputs as Json);
    const key = (o: Json) => `${o.kind}/${o.metadata.name}`;
    const sortByKey = (xs: Json[]) => [...xs].sort((a, b) => key(a).localeCompare(key(b)));
    expect(sortByKey(written)).toEqual(sortByKey(registered));
    const sa = written.find((o) => o.kind === "ServiceAccount" && o.metadata.name === "mcp-github");
    expect(sa.metadata.annotations).toEqual({ "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/mcp-mcp-github" });
    // The servers' secrets and the gateway's own, from Secrets Manager.
    expect(written.filter((o) => o.kind === "ExternalSecret").map((o) => o.spec.target.name).sort()).toEqual(["mcp-gateway-keys", "mcp-github-secrets"]);
    expect(written.filter((o) => o.kind === "PrometheusRule").map((o) => o.metadata.name)).toEqual(["mcp-monitoring-rules"]);
    expect(written.filter((o) => o.metadata.labels?.grafana_dashboard === "1").map((o) => o.metadata.name).sort()).toEqual([
      "mcp-monitoring-dashboard-gateway",
      "mcp-monitoring-dashboard-overview",
      "mcp-monitoring-dashboard-server",
    ]);
    expect(JSON.stringify(written)).not.toContain(KNOWN_SERVER_SECRET);
  });

  it("references secrets by name only, never a value", () => {
    const config = parseStackConfig(readRawConfig(readStackFile(root, "staging").config), "staging");
    const objects = fleetManifests(planFleet(fleetPlanInputFromConfig(config, mixed)));
    expect(objects.some((o) => o.kind === "Secret")).toBe(false);
    const github = objects.find((o) => o.kind === "Deployment" && o.metadata?.name === "mcp-github") as Json;
    expect(github.spec.template.spec.containers[0].env).toEqual([
      { name: "GITHUB_TOKEN", valueFrom: { secretKeyRef: { name: "mcp-github-secrets", key: "GITHUB_TOKEN" } } },
      { name: "MCP_FLEET_SESSION_SECRET", valueFrom: { secretKeyRef: { name: "mcp-github-session", key: "MCP_FLEET_SESSION_SECRET" } } },
      { name: "MCP_FLEET_API_KEYS", valueFrom: { secretKeyRef: { name: "mcp-github-session", key: "MCP_FLEET_API_KEYS" } } },
    ]);
  });

  it("refuses a Docker stack with the fix", async () => {
    await expect(synthStack("dev", join(tmp, "dev"), root)).rejects.toThrow('stack "dev" targets docker; synth writes Kubernetes YAML. Pick a kubernetes stack (mcp-fleet:target: kubernetes), e.g. staging or prod.');
  });
});

/** The problems `parseStackConfig` reports for a raw config (none when it is valid). */
function problemsOf(raw: Record<string, unknown>): string[] {
  try {
    parseStackConfig(raw, "qa");
  } catch (e) {
    return (e as StackConfigError).problems;
  }
  return [];
}

describe("stack config", () => {
  it("names each bad `mcp-fleet:<key>` and the fix", () => {
    let error: unknown;
    try {
      parseStackConfig({ target: "k8s", namespace: "MCP", replicas: -1, tls: { issuer: "le" }, imageTag: "latest", colour: "blue" }, "qa");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StackConfigError);
    expect((error as StackConfigError).problems).toEqual([
      '`mcp-fleet:target` must be docker or kubernetes, not a string ("k8s"). Fix it with `pulumi config set mcp-fleet:target ...` or in stacks/Pulumi.<stack>.yaml.',
      "`mcp-fleet:namespace` must be a DNS-1123 label such as mcp-fleet. Fix it with `pulumi config set mcp-fleet:namespace ...` or in stacks/Pulumi.<stack>.yaml.",
      "`mcp-fleet:imageTag` must not be latest (ECR tags are immutable and `latest` never rolls pods). Fix it with `pulumi config set mcp-fleet:imageTag ...` or in stacks/Pulumi.<stack>.yaml.",
      "`mcp-fleet:replicas` must be a whole number from 0 to 100. Fix it with `pulumi config set mcp-fleet:replicas ...` or in stacks/Pulumi.<stack>.yaml.",
      `\`mcp-fleet:colour\` is not a setting. Remove it with \`pulumi config rm mcp-fleet:colour\` (settings: ${Object.keys(StackConfigSchema.shape).join(", ")}).`,
    ]);
    expect((error as Error).message.split("\n")[0]).toBe('Stack "qa" has invalid config (stacks/Pulumi.qa.yaml):');
  });

  it("a value of the wrong type names the key, the type expected and the value given; a missing one, what it must be", () => {
    const fix = (key: string) => `Fix it with \`pulumi config set ${key.includes(".") ? `--path 'mcp-fleet:${key}'` : `mcp-fleet:${key}`} ...\` or in stacks/Pulumi.<stack>.yaml.`;
    expect(problemsOf({ target: "kubernetes", replicas: "two", namespace: 42, docker: { gatewayPort: "8080" }, monitoring: 3 })).toEqual([
      `\`mcp-fleet:namespace\` must be a string, not a number (42). ${fix("namespace")}`,
      `\`mcp-fleet:replicas\` must be a whole number from 0 to 100, not a string ("two"). ${fix("replicas")}`,
      `\`mcp-fleet:monitoring\` must be one of annotations, serviceMonitor, none, not a number (3). ${fix("monitoring")}`,
      `\`mcp-fleet:docker.gatewayPort\` must be a number, not a string ("8080"). ${fix("docker.gatewayPort")}`,
    ]);
    expect(problemsOf({ target: "kubernetes", domain: "mcp.example.com", tls: "yes" })).toEqual([`\`mcp-fleet:tls\` must be false or an object, not a string ("yes"). ${fix("tls")}`]);
    expect(problemsOf({})).toEqual([`\`mcp-fleet:target\` is required; it must be docker or kubernetes. ${fix("target")}`]);
    expect(problemsOf({ target: "kubernetes", aws: { region: "eu-west-1" } })).toEqual([`\`mcp-fleet:aws.eksOidcProviderArn\` is required; it must be a string. ${fix("aws.eksOidcProviderArn")}`]);
  });

  it("an unknown key names where it is not a setting and the setting it most likely meant", () => {
    expect(problemsOf({ target: "kubernetes", domain: "mcp.example.com", tls: { isuer: "letsencrypt" } })).toEqual([
      "`mcp-fleet:tls.isuer` is not a setting of `mcp-fleet:tls`; did you mean `issuer`? Rename it in stacks/Pulumi.<stack>.yaml (settings of `mcp-fleet:tls`: issuer, issuerKind).",
    ]);
    expect(problemsOf({ target: "kubernetes", serverAutoscaling: { memory: { minReplicas: 1, maxReplicas: 2, targetCpu: 50 } } })).toEqual([
      "`mcp-fleet:serverAutoscaling.memory.targetCpu` is not a setting of `mcp-fleet:serverAutoscaling.memory`; did you mean `targetCpuUtilization`? Rename it in stacks/Pulumi.<stack>.yaml (settings of `mcp-fleet:serverAutoscaling.memory`: minReplicas, maxReplicas, targetCpuUtilization).",
    ]);
    expect(problemsOf({ target: "kubernetes", policyEnforcement: "advisory" })).toEqual([
      '`mcp-fleet:policyEnforcement` is no longer a setting: policy levels live in policies/config/<stack>.json (`"all": "advisory"` or `"mandatory"`), which `pulumi preview --policy-pack-config` and `mcp-fleet check` read. Remove it with `pulumi config rm mcp-fleet:policyEnforcement`.',
    ]);
  });

  it("`mcp-fleet:monitoringStack` must fit the target, with the fix", () => {
    const problems = problemsOf;
    expect(problems({ target: "docker", monitoringStack: "kube-prometheus-stack" })).toEqual([
      "`mcp-fleet:monitoringStack` kube-prometheus-stack does not run on the docker target. Use docker, or none. Fix it with `pulumi config set mcp-fleet:monitoringStack ...` or in stacks/Pulumi.<stack>.yaml.",
    ]);
    expect(problems({ target: "kubernetes", monitoringStack: "docker" })).toEqual([
      "`mcp-fleet:monitoringStack` docker does not run on the kubernetes target. Use kube-prometheus-stack or standalone, or none. Fix it with `pulumi config set mcp-fleet:monitoringStack ...` or in stacks/Pulumi.<stack>.yaml.",
    ]);
    expect(problems({ target: "kubernetes", monitoringStack: "grafana" })).toEqual([
      '`mcp-fleet:monitoringStack` must be kube-prometheus-stack, standalone, docker or none, not a string ("grafana"). Fix it with `pulumi config set mcp-fleet:monitoringStack ...` or in stacks/Pulumi.<stack>.yaml.',
    ]);
    expect(parseStackConfig({ target: "kubernetes" }, "qa").monitoringStack).toBe("none");
    expect(parseStackConfig({ target: "docker", monitoringStack: "none" }, "qa").monitoringStack).toBe("none");
  });

  it("rejects server secrets for servers the catalog does not have, with the command that removes them", async () => {
    await expect(planStack({ stack: "staging", root, config: { "mcp-fleet:serverSecrets": JSON.stringify({ nope: { X: "1" } }) }, secretKeys: ["mcp-fleet:serverSecrets"] })).rejects.toThrow(
      "`mcp-fleet:serverSecrets.nope` names no server of the catalog. Remove it with `pulumi config rm --path 'mcp-fleet:serverSecrets.nope'`.",
    );
  });
});
