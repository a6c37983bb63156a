/**
 * GitOps export: the Kubernetes fleet as plain YAML through cdk8s, from the same plan (and builders) the `Fleet`
 * component creates resources from. Secrets are never written: a workload references its Secret by name
 * (`<k8sName>-secrets`, an adapter's `<k8sName>-session`, `<gateway>-keys`), which the platform provides (External Secrets, sealed secrets, kubectl).
 */
import { ApiObject, App, Chart, YamlOutputType } from "cdk8s";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { FleetPlan } from "../fleet/plan.js";
import { gatewayObjectList } from "../k8s/builders/gateway.js";
import { serverObjectList } from "../k8s/builders/server.js";

export interface PlainObject {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string };
  [field: string]: unknown;
}

/**
 * Every object of the plan in creation order, Secrets excluded (only referenced), then the objects of its
 * `Monitoring` (`monitoringObjects(planFleetMonitoring(...))`) when the fleet has one.
 */
export function fleetManifests(plan: FleetPlan, monitoring: readonly PlainObject[] = []): PlainObject[] {
  const out: PlainObject[] = [];
  if (plan.namespace !== undefined) out.push(plan.namespace as PlainObject);
  out.push(plan.defaultDeny as PlainObject);
  for (const s of plan.servers) for (const { object } of serverObjectList(s.objects)) out.push(object as PlainObject);
  for (const { object } of gatewayObjectList(plan.gateway)) out.push(object as PlainObject);
  out.push(...monitoring);
  return out.filter((o) => o.kind !== "Secret");
}

/** Writes the plan's objects (and its monitoring's) with cdk8s, one file per object, into `outdir`; returns the files (relative). */
export function synthFleet(plan: FleetPlan, outdir: string, chartName: string, monitoring: readonly PlainObject[] = []): string[] {
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_RESOURCE });
  const chart = new Chart(app, chartName, { disableResourceNameHashes: true });
  fleetManifests(plan, monitoring).forEach((obj, i) => {
    const { apiVersion, kind, metadata, ...rest } = structuredClone(obj);
    new ApiObject(chart, `${String(i).padStart(4, "0")}-${kind}-${metadata?.name ?? i}`, { apiVersion, kind, metadata: metadata ?? {}, ...rest });
  });
  app.synth();
  return readdirSync(outdir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => join(f));
}
