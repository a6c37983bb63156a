/**
 * `Fleet` (Kubernetes) and `DockerFleet` (dev) create their `Monitoring` from the catalog and their own gateway,
 * under Pulumi mocks, with the shipped catalog.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type * as DockerFleetModule from "../docker/docker-fleet.js";
import type * as FleetModule from "../fleet/fleet.js";
import { loadCatalog, type Catalog } from "../../servers/catalog/catalog.js";
import { clusterFleet, dockerFleet } from "../testing/fixtures.js";

interface Registered {
  type: string;
  name: string;
  parent: string | undefined;
  inputs: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}
let registered: Registered[] = [];
let fleetMod: typeof FleetModule;
let dockerMod: typeof DockerFleetModule;
let catalog: Catalog;
const configDir = mkdtempSync(join(tmpdir(), "mcp-fleet-wiring-"));

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, parent: (args as { parent?: string }).parent, inputs: args.inputs as Record<string, unknown> });
        return { id: `${args.name}-id`, state: { ...args.inputs, repoDigest: "sha256:0" } };
      },
      call: (args) => args.inputs,
    },
    "mcp-fleet",
    "test",
    false,
  );
  fleetMod = await import("../fleet/fleet.js");
  dockerMod = await import("../docker/docker-fleet.js");
  catalog = await loadCatalog();
});
afterAll(() => rmSync(configDir, { recursive: true, force: true }));
beforeEach(() => {
  registered = [];
});

async function settle(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!predicate() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

const k8sArgs = () => ({
  fleet: clusterFleet(catalog, "mcp"),
  gatewayImage: "ghcr.io/mcp-fleet/mcp-fleet-gateway:0.1.0",
  gatewaySecrets: { MCP_FLEET_SESSION_SECRET: pulumi.secret("x".repeat(32)) },
});

describe("Fleet with a monitoring stack", () => {
  it("kube-prometheus-stack with the serviceMonitor hook: rules and dashboards, no second monitor", async () => {
    const fleet = new fleetMod.Fleet("mcp", { ...k8sArgs(), monitoring: { kind: "serviceMonitor", selectorLabels: { release: "kps" } }, monitoringStack: { mode: "kube-prometheus-stack" } });
    expect(fleet.monitoringStack).toBeDefined();
    await settle(() => registered.some((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule"));
    await settle(() => registered.filter((r) => r.name.startsWith("mcp-monitoring-dashboard-")).length === 3);
    const monitors = registered.filter((r) => r.type === "kubernetes:monitoring.coreos.com/v1:ServiceMonitor" && r.inputs.metadata.name === "mcp-gateway");
    expect(monitors).toHaveLength(1);
    expect(registered.filter((r) => r.name === "mcp-monitoring-gateway")).toEqual([]);
    const rule = registered.find((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule")!;
    expect(rule.inputs.metadata).toMatchObject({ name: "mcp-monitoring-rules", namespace: "mcp" });
    // The job a ServiceMonitor gives the gateway's targets is its Service's name: the alerts select that job.
    expect(JSON.stringify(rule.inputs.spec)).toContain('absent(up{job=\\"mcp-gateway\\"} == 1)');
  });

  it("standalone: Prometheus discovers the gateway's own pods on its MCP port", async () => {
    new fleetMod.Fleet("mcp", { ...k8sArgs(), monitoringStack: { mode: "standalone" } });
    await settle(() => registered.some((r) => r.name === "mcp-monitoring-prometheus-config"));
    await settle(() => registered.some((r) => r.name === "mcp-monitoring-gateway-pods"));
    const gatewayDeployment = registered.find((r) => r.type === "kubernetes:apps/v1:Deployment" && r.inputs.metadata.name === "mcp-gateway")!;
    const headless = registered.find((r) => r.name === "mcp-monitoring-gateway-pods")!;
    expect(headless.inputs.spec.selector).toEqual(gatewayDeployment.inputs.spec.selector.matchLabels);
    const port = gatewayDeployment.inputs.spec.template.spec.containers[0].ports[0].containerPort;
    const config = parse(registered.find((r) => r.name === "mcp-monitoring-prometheus-config")!.inputs.data["prometheus.yml"]);
    expect(config.scrape_configs[0].dns_sd_configs[0]).toMatchObject({ names: ["mcp-monitoring-gateway-pods.mcp.svc.cluster.local"], port });
  });

  it("creates no monitoring stack unless asked", async () => {
    const fleet = new fleetMod.Fleet("mcp", k8sArgs());
    await settle(() => registered.some((r) => r.type === "kubernetes:apps/v1:Deployment" && r.inputs.metadata?.name === "mcp-gateway"));
    expect(fleet.monitoringStack).toBeUndefined();
    expect(registered.filter((r) => r.name.startsWith("mcp-monitoring"))).toEqual([]);
  });
});

describe("DockerFleet with monitoring", () => {
  it("adds Prometheus and Grafana containers scraping the published gateway port", async () => {
    const fleet = new dockerMod.DockerFleet("mcp", { fleet: dockerFleet(catalog), imageTag: "dev", gatewayPort: 18080, sessionSecret: pulumi.secret("x".repeat(32)), serverSecrets: {}, monitoring: { docker: { configDir } } });
    expect(fleet.monitoring).toBeDefined();
    await settle(() => registered.filter((r) => r.name.startsWith("mcp-monitoring-")).length === 2);
    expect(registered.filter((r) => r.name.startsWith("mcp-monitoring-")).map((r) => r.inputs.name).sort()).toEqual(["mcp-monitoring-grafana", "mcp-monitoring-prometheus"]);
    const written = parse(readFileSync(join(configDir, "prometheus/prometheus.yml"), "utf8"));
    expect(written.scrape_configs[0].static_configs).toEqual([{ targets: ["127.0.0.1:18080"] }]);
  });
});
