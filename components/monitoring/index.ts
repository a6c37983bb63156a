/**
 * `Monitoring`: Prometheus rules, alerts and Grafana dashboards for the fleet, deployed where the fleet runs.
 * The decisions live in pure builders (kube-prometheus-stack.ts, standalone.ts, docker.ts); this component only
 * validates its arguments, renders the monitoring files once and turns the builders' objects into resources.
 */
import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { writeFiles } from "../../monitoring/generate.js";
import { renderMonitoring, type RenderedMonitoring } from "../../monitoring/render.js";
import { type MonitoringArgs, MonitoringArgsError, validateMonitoringArgs } from "./args.js";
import { DEFAULT_OWNER, type K8sObject } from "./common.js";
import { dockerPlan } from "./docker.js";
import { kubePrometheusStackObjects } from "./kube-prometheus-stack.js";
import { standaloneObjects } from "./standalone.js";

export * from "./args.js";
export { dockerPlan } from "./docker.js";
export { kubePrometheusStackObjects } from "./kube-prometheus-stack.js";
export { standaloneObjects } from "./standalone.js";

export interface MonitoringComponentArgs extends MonitoringArgs {
  /** Owner label of the monitoring objects. @default "platform" */
  owner?: string;
}

export class Monitoring extends pulumi.ComponentResource {
  /** The rendered rules and dashboards (the same as `mcp-fleet monitoring render`). */
  readonly rendered: RenderedMonitoring;
  /** Kubernetes objects created, by `Kind/name` (Kubernetes modes). */
  readonly objects: Record<string, pulumi.CustomResource> = {};
  /** Docker containers created (docker mode). */
  readonly containers: docker.Container[] = [];
  /** Where to open Grafana: a loopback URL (docker), the in-cluster Service URL (standalone), or undefined. */
  readonly grafanaUrl: pulumi.Output<string | undefined>;
  readonly prometheusUrl: pulumi.Output<string | undefined>;

  constructor(name: string, args: MonitoringComponentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mcp-fleet:monitoring:Monitoring", name, {}, opts);
    const problems = validateMonitoringArgs(args);
    if (problems.length > 0) throw new MonitoringArgsError(name, problems);

    const options = args.options ?? {};
    const job = options.gatewayJob ?? "mcp-gateway";
    const scrapeInterval = args.scrapeInterval ?? "30s";
    const owner = args.owner ?? DEFAULT_OWNER;
    this.rendered = renderMonitoring(args.servers, { ...options, ...(args.gateway === undefined ? {} : { namespace: options.namespace ?? args.gateway.namespace }) });

    let grafanaUrl: string | undefined;
    let prometheusUrl: string | undefined;
    if (args.mode === "docker") {
      const plan = dockerPlan({ component: name, owner, job, scrapeInterval, docker: args.docker!, rendered: this.rendered });
      // The containers bind-mount these files; write them before Docker creates the containers (not in previews).
      if (!pulumi.runtime.isDryRun()) writeFiles(args.docker!.configDir, plan.files);
      for (const c of plan.containers) this.containers.push(new docker.Container(c.name, c.args, { parent: this }));
      grafanaUrl = plan.grafanaUrl;
      prometheusUrl = plan.prometheusUrl;
    } else {
      const gateway = args.gateway!;
      const objects =
        args.mode === "kube-prometheus-stack"
          ? kubePrometheusStackObjects({ component: name, owner, job, scrapeInterval, gateway, stack: args.kubePrometheusStack ?? {}, rendered: this.rendered })
          : standaloneObjects({ component: name, owner, job, scrapeInterval, gateway, standalone: args.standalone ?? {}, rendered: this.rendered });
      for (const object of objects) this.objects[`${object.kind}/${object.metadata.name}`] = this.create(object);
      if (args.mode === "standalone") {
        grafanaUrl = `http://${name}-grafana.${gateway.namespace}.svc:3000`;
        prometheusUrl = `http://${name}-prometheus.${gateway.namespace}.svc:9090`;
      }
    }
    this.grafanaUrl = pulumi.output(grafanaUrl);
    this.prometheusUrl = pulumi.output(prometheusUrl);
    this.registerOutputs({ grafanaUrl: this.grafanaUrl, prometheusUrl: this.prometheusUrl });
  }

  private create(object: K8sObject): pulumi.CustomResource {
    const opts = { parent: this };
    const name = object.metadata.name;
    const { apiVersion: _a, kind: _k, ...body } = object;
    switch (object.kind) {
      case "ConfigMap":
        return new k8s.core.v1.ConfigMap(name, body as unknown as k8s.core.v1.ConfigMapArgs, opts);
      case "Service":
        return new k8s.core.v1.Service(name, body as unknown as k8s.core.v1.ServiceArgs, opts);
      case "ServiceAccount":
        return new k8s.core.v1.ServiceAccount(name, body as unknown as k8s.core.v1.ServiceAccountArgs, opts);
      case "PersistentVolumeClaim":
        return new k8s.core.v1.PersistentVolumeClaim(name, body as unknown as k8s.core.v1.PersistentVolumeClaimArgs, opts);
      case "Deployment":
        return new k8s.apps.v1.Deployment(name, body as unknown as k8s.apps.v1.DeploymentArgs, opts);
      case "NetworkPolicy":
        return new k8s.networking.v1.NetworkPolicy(name, body as unknown as k8s.networking.v1.NetworkPolicyArgs, opts);
      default:
        // Operator custom resources (ServiceMonitor, PodMonitor, PrometheusRule).
        return new k8s.apiextensions.CustomResource(name, object as unknown as k8s.apiextensions.CustomResourceArgs, opts);
    }
  }
}
