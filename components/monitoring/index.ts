/**
 * `Monitoring`: Prometheus rules, alerts and Grafana dashboards for the fleet, deployed where the fleet runs.
 * The decisions live in pure builders (kube-prometheus-stack.ts, standalone.ts, docker.ts); this component only
 * validates its arguments, renders the monitoring files once and turns the builders' objects into resources.
 */
import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { writeFiles } from "../../monitoring/generate.js";
import type { RenderedMonitoring } from "../../monitoring/render.js";
import type { MonitoringArgs } from "./args.js";
import type { K8sObject } from "./common.js";
import { dockerPlan } from "./docker.js";
import { kubernetesObjectsOf, prepareMonitoring } from "./objects.js";
import { standaloneUrls } from "./standalone.js";

export * from "./args.js";
export { dockerPlan } from "./docker.js";
export { kubePrometheusStackObjects } from "./kube-prometheus-stack.js";
export { standaloneObjects } from "./standalone.js";
export { monitoringObjects } from "./objects.js";

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
    const prepared = prepareMonitoring(name, args);
    const { owner, job, scrapeInterval } = prepared;
    this.rendered = prepared.rendered;

    let grafanaUrl: string | undefined;
    let prometheusUrl: string | undefined;
    if (args.mode === "docker") {
      const plan = dockerPlan({ component: name, owner, job, scrapeInterval, docker: args.docker!, rendered: this.rendered });
      // The containers bind-mount these files; write them before Docker creates the containers (not in previews,
      // nor in offline plans that ask not to).
      if (!pulumi.runtime.isDryRun() && (args.docker!.writeFiles ?? true)) writeFiles(args.docker!.configDir, plan.files);
      for (const c of plan.containers) this.containers.push(new docker.Container(c.name, c.args, { parent: this }));
      grafanaUrl = plan.grafanaUrl;
      prometheusUrl = plan.prometheusUrl;
    } else {
      const gateway = args.gateway!;
      for (const object of kubernetesObjectsOf(name, args, prepared)) this.objects[`${object.kind}/${object.metadata.name}`] = this.create(object);
      if (args.mode === "standalone") ({ grafana: grafanaUrl, prometheus: prometheusUrl } = standaloneUrls(name, gateway.namespace));
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
