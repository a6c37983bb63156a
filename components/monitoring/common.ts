/** Pieces shared by the Monitoring component's modes: labels, hardened security contexts, rendered files. */
import { createHash } from "node:crypto";
import type * as k8s from "@pulumi/kubernetes";
import { DEFAULT_FLEET_OWNER, selectorOf, workloadLabels } from "../../servers/catalog/derive.js";
import {
  containerSecurityContext as fleetContainerSecurityContext,
  podSecurityContext as fleetPodSecurityContext,
} from "../k8s/builders/pod.js";

/** A Kubernetes object as the builders shape it; the component turns each into a native resource. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: k8s.types.input.meta.v1.ObjectMeta & { name: string; namespace: string; labels: Record<string, string> };
  [field: string]: unknown;
}

/** Owner label value of the monitoring objects: the fleet's. */
export const DEFAULT_OWNER = DEFAULT_FLEET_OWNER;

/** Labels of one monitoring app (`prometheus`, `grafana`, ...) of the component named `component`. */
export function monitoringLabels(component: string, app: string, owner: string): Record<string, string> {
  return workloadLabels({ name: app, instance: `${component}-${app}`, component: "monitoring", owner });
}

/** The labels that select an app's pods (stable: never includes values that change between deploys). */
export const selectorLabels = selectorOf;

/** The same hardening as every workload of the fleet (one place: `components/k8s/builders/pod.ts`), for the image's own uid. */
export function podSecurityContext(uid: number): k8s.types.input.core.v1.PodSecurityContext {
  return fleetPodSecurityContext(uid);
}

export function containerSecurityContext(uid: number): k8s.types.input.core.v1.SecurityContext {
  return fleetContainerSecurityContext(uid);
}

/** Short content hash, for pod-template annotations that roll pods when their config changes. */
export function checksum(files: Record<string, string>): string {
  const hash = createHash("sha256");
  for (const key of Object.keys(files).sort()) hash.update(key).update("\0").update(files[key]!).update("\0");
  return hash.digest("hex").slice(0, 16);
}

/** ConfigMap keys cannot hold `/`: `rules/mcp-fleet.rules.yaml` → `mcp-fleet.rules.yaml`. */
export function flatten(files: Record<string, string>, prefix: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(files)
      .filter(([path]) => path.startsWith(prefix))
      .map(([path, content]) => [path.slice(prefix.length), content]),
  );
}
