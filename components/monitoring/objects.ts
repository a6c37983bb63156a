/**
 * The Monitoring component's decisions without Pulumi: validate the arguments, render the rules and dashboards once,
 * and build the Kubernetes objects of a Kubernetes mode. The component creates resources from this; `mcp-fleet synth`
 * writes the same objects as YAML.
 */
import { renderMonitoring, type RenderedMonitoring } from "../../monitoring/render.js";
import { MonitoringArgsError, validateMonitoringArgs } from "./args.js";
import { DEFAULT_OWNER, type K8sObject } from "./common.js";
import type { MonitoringComponentArgs } from "./index.js";
import { kubePrometheusStackObjects } from "./kube-prometheus-stack.js";
import { standaloneObjects } from "./standalone.js";

export interface PreparedMonitoring {
  rendered: RenderedMonitoring;
  owner: string;
  /** The gateway's scrape job (what rules and dashboards select). */
  job: string;
  scrapeInterval: string;
}

/** Validates `args` (throws {@link MonitoringArgsError} naming `name`) and renders the rules and dashboards. */
export function prepareMonitoring(name: string, args: MonitoringComponentArgs): PreparedMonitoring {
  const problems = validateMonitoringArgs(args);
  if (problems.length > 0) throw new MonitoringArgsError(name, problems);
  const options = args.options ?? {};
  return {
    rendered: renderMonitoring(args.servers, { ...options, ...(args.gateway === undefined ? {} : { namespace: options.namespace ?? args.gateway.namespace }) }),
    owner: args.owner ?? DEFAULT_OWNER,
    job: options.gatewayJob ?? "mcp-gateway",
    scrapeInterval: args.scrapeInterval ?? "30s",
  };
}

/** The Kubernetes objects of a Kubernetes mode (none for `docker`), from an already prepared component. */
export function kubernetesObjectsOf(name: string, args: MonitoringComponentArgs, prepared: PreparedMonitoring): K8sObject[] {
  const { rendered, owner, job, scrapeInterval } = prepared;
  if (args.mode === "kube-prometheus-stack") {
    return kubePrometheusStackObjects({ component: name, owner, job, scrapeInterval, gateway: args.gateway!, stack: args.kubePrometheusStack ?? {}, rendered });
  }
  if (args.mode === "standalone") {
    return standaloneObjects({ component: name, owner, job, scrapeInterval, gateway: args.gateway!, standalone: args.standalone ?? {}, rendered });
  }
  return [];
}

/** Every Kubernetes object the `Monitoring` component named `name` creates with `args` (none in mode docker). */
export function monitoringObjects(name: string, args: MonitoringComponentArgs): K8sObject[] {
  return kubernetesObjectsOf(name, args, prepareMonitoring(name, args));
}
