/**
 * Mode `standalone`: a Prometheus and a Grafana of our own, as plain Deployments hardened like every workload of
 * the fleet (non-root, read-only root filesystem, no privilege escalation, all capabilities dropped, RuntimeDefault
 * seccomp, requests and limits, probes, NetworkPolicies). Prometheus finds the gateway's pods through a headless
 * Service (DNS discovery: no Kubernetes API access, so no RBAC); Grafana is provisioned with the datasource and
 * the dashboards from ConfigMaps. Prometheus' data lives in an emptyDir unless `persistence` asks for a PVC.
 */
import type * as k8s from "@pulumi/kubernetes";
import { grafanaIni, grafanaProvisioning } from "../../monitoring/grafana-provisioning.js";
import { prometheusConfig } from "../../monitoring/prometheus-config.js";
import { toYaml, type RenderedMonitoring } from "../../monitoring/render.js";
import { clusterServiceHost } from "../../servers/catalog/derive.js";
import { DNS_EGRESS } from "../k8s/builders/objects.js";
import { DEFAULT_GRAFANA_IMAGE, DEFAULT_PROMETHEUS_IMAGE, type KubernetesGatewayTarget, type StandaloneArgs } from "./args.js";
import { checksum, containerSecurityContext, flatten, type K8sObject, monitoringLabels, podSecurityContext, selectorLabels } from "./common.js";

export const PROMETHEUS_PORT = 9090;
export const GRAFANA_PORT = 3000;
/** The fleet's port names are `mcp` and `metrics` (policy mcp-named-ports); both web ports also serve `/metrics`. */
const PORT_NAME = "metrics";
const PROMETHEUS_UID = 65534;
const GRAFANA_UID = 472;

export interface StandaloneInput {
  component: string;
  owner: string;
  job: string;
  scrapeInterval: string;
  gateway: KubernetesGatewayTarget;
  standalone: StandaloneArgs;
  rendered: RenderedMonitoring;
}

type Container = k8s.types.input.core.v1.Container;

/** In-cluster URLs of the standalone Prometheus and Grafana of the component named `component`. */
export function standaloneUrls(component: string, namespace: string): { prometheus: string; grafana: string } {
  return {
    prometheus: `http://${clusterServiceHost(`${component}-prometheus`, namespace)}:${PROMETHEUS_PORT}`,
    grafana: `http://${clusterServiceHost(`${component}-grafana`, namespace)}:${GRAFANA_PORT}`,
  };
}

function deployment(
  name: string,
  namespace: string,
  labels: Record<string, string>,
  uid: number,
  container: Container,
  volumes: k8s.types.input.core.v1.Volume[],
  annotations: Record<string, string>,
): K8sObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, labels },
    spec: {
      replicas: 1,
      // One writer per data volume: never two pods on it during a rollout.
      strategy: { type: "Recreate" },
      selector: { matchLabels: selectorLabels(labels) },
      template: {
        metadata: { labels, annotations },
        spec: {
          serviceAccountName: name,
          automountServiceAccountToken: false,
          securityContext: podSecurityContext(uid),
          containers: [{ ...container, securityContext: containerSecurityContext(uid) }],
          volumes,
        },
      },
    },
  };
}

function service(name: string, namespace: string, labels: Record<string, string>, port: number): K8sObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace, labels },
    spec: { selector: selectorLabels(labels), ports: [{ name: PORT_NAME, port, targetPort: PORT_NAME, protocol: "TCP" }] },
  };
}

function serviceAccount(name: string, namespace: string, labels: Record<string, string>): K8sObject {
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace, labels }, automountServiceAccountToken: false };
}

export function standaloneObjects(input: StandaloneInput): K8sObject[] {
  const { component, owner, gateway, rendered } = input;
  const ns = gateway.namespace;
  const args = input.standalone;
  const promName = `${component}-prometheus`;
  const grafanaName = `${component}-grafana`;
  const podsName = `${component}-gateway-pods`;
  const promLabels = monitoringLabels(component, "prometheus", owner);
  const grafanaLabels = monitoringLabels(component, "grafana", owner);
  const gatewayPort = gateway.port ?? 8080;

  // prometheus.yml and the rule files side by side in /etc/prometheus.
  const rules = flatten(rendered.files, "rules/");
  const promFiles = {
    "prometheus.yml": toYaml(
      prometheusConfig({
        job: input.job,
        targets: { kind: "dns", name: clusterServiceHost(podsName, ns), port: gatewayPort },
        scrapeInterval: input.scrapeInterval,
        evaluationInterval: input.scrapeInterval,
        ruleFiles: Object.keys(rules).sort(),
      }),
    ),
    ...rules,
  };
  const provisioning = grafanaProvisioning({ prometheusUrl: standaloneUrls(component, ns).prometheus, dashboardsPath: "/var/lib/grafana-dashboards" });
  const datasources = flatten(provisioning, "datasources/");
  const providers = flatten(provisioning, "dashboards/");
  const dashboards = flatten(rendered.files, "dashboards/");

  const configMap = (name: string, labels: Record<string, string>, data: Record<string, string>): K8sObject => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: ns, labels },
    data,
  });

  const pvc: K8sObject | undefined =
    args.persistence === undefined
      ? undefined
      : {
          apiVersion: "v1",
          kind: "PersistentVolumeClaim",
          metadata: { name: `${promName}-data`, namespace: ns, labels: promLabels },
          spec: {
            accessModes: ["ReadWriteOnce"],
            resources: { requests: { storage: args.persistence.size } },
            ...(args.persistence.storageClassName === undefined ? {} : { storageClassName: args.persistence.storageClassName }),
          },
        };

  const prometheus = deployment(
    promName,
    ns,
    promLabels,
    PROMETHEUS_UID,
    {
      name: "prometheus",
      image: args.prometheusImage ?? DEFAULT_PROMETHEUS_IMAGE,
      args: [
        "--config.file=/etc/prometheus/prometheus.yml",
        "--storage.tsdb.path=/prometheus",
        `--storage.tsdb.retention.time=${args.retention ?? "15d"}`,
        `--web.listen-address=:${PROMETHEUS_PORT}`,
      ],
      ports: [{ name: PORT_NAME, containerPort: PROMETHEUS_PORT, protocol: "TCP" }],
      readinessProbe: { httpGet: { path: "/-/ready", port: PORT_NAME }, periodSeconds: 10, timeoutSeconds: 5 },
      livenessProbe: { httpGet: { path: "/-/healthy", port: PORT_NAME }, initialDelaySeconds: 30, periodSeconds: 15, timeoutSeconds: 5 },
      resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
      volumeMounts: [
        { name: "config", mountPath: "/etc/prometheus", readOnly: true },
        { name: "data", mountPath: "/prometheus" },
      ],
    },
    [
      { name: "config", configMap: { name: `${promName}-config` } },
      pvc === undefined ? { name: "data", emptyDir: { sizeLimit: "2Gi" } } : { name: "data", persistentVolumeClaim: { claimName: pvc.metadata.name } },
    ],
    { "mcp-fleet.dev/config-checksum": checksum(promFiles) },
  );

  const adminSecret = args.grafanaAdminPasswordSecret;
  const ini = grafanaIni({
    httpPort: GRAFANA_PORT,
    homeDashboardPath: "/var/lib/grafana-dashboards/mcp-fleet-overview.json",
    ...(adminSecret === undefined ? { anonymousRole: "Viewer" as const } : {}),
  });
  const grafanaEnv: k8s.types.input.core.v1.EnvVar[] =
    adminSecret === undefined ? [] : [{ name: "GF_SECURITY_ADMIN_PASSWORD", valueFrom: { secretKeyRef: { name: adminSecret.name, key: adminSecret.key } } }];
  const grafana = deployment(
    grafanaName,
    ns,
    grafanaLabels,
    GRAFANA_UID,
    {
      name: "grafana",
      image: args.grafanaImage ?? DEFAULT_GRAFANA_IMAGE,
      ...(grafanaEnv.length === 0 ? {} : { env: grafanaEnv }),
      ports: [{ name: PORT_NAME, containerPort: GRAFANA_PORT, protocol: "TCP" }],
      readinessProbe: { httpGet: { path: "/api/health", port: PORT_NAME }, periodSeconds: 10, timeoutSeconds: 5 },
      livenessProbe: { httpGet: { path: "/api/health", port: PORT_NAME }, initialDelaySeconds: 30, periodSeconds: 15, timeoutSeconds: 5 },
      resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
      volumeMounts: [
        { name: "config", mountPath: "/etc/grafana/grafana.ini", subPath: "grafana.ini", readOnly: true },
        { name: "datasources", mountPath: "/etc/grafana/provisioning/datasources", readOnly: true },
        { name: "providers", mountPath: "/etc/grafana/provisioning/dashboards", readOnly: true },
        { name: "dashboards", mountPath: "/var/lib/grafana-dashboards", readOnly: true },
        { name: "data", mountPath: "/var/lib/grafana" },
        { name: "tmp", mountPath: "/tmp" },
      ],
    },
    [
      { name: "config", configMap: { name: `${grafanaName}-config` } },
      { name: "datasources", configMap: { name: `${grafanaName}-datasources` } },
      { name: "providers", configMap: { name: `${grafanaName}-providers` } },
      { name: "dashboards", configMap: { name: `${grafanaName}-dashboards` } },
      // Everything Grafana shows is provisioned from ConfigMaps; its own database can be rebuilt at any start.
      { name: "data", emptyDir: { sizeLimit: "512Mi" } },
      { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
    ],
    { "mcp-fleet.dev/config-checksum": checksum({ "grafana.ini": ini, ...datasources, ...providers, ...dashboards }) },
  );

  const headless: K8sObject = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: podsName, namespace: ns, labels: monitoringLabels(component, "gateway-pods", owner) },
    spec: {
      clusterIP: "None",
      // Scrape replicas that are alive but not (yet) ready too: that is when their metrics matter.
      publishNotReadyAddresses: true,
      selector: gateway.podSelector,
      ports: [{ name: PORT_NAME, port: gatewayPort, targetPort: gatewayPort, protocol: "TCP" }],
    },
  };

  // The fleet's namespace denies all ingress and egress by default: each app gets exactly what it needs.
  const networkPolicy = (name: string, labels: Record<string, string>, port: number, from: unknown[] | undefined, egressTo: { podSelector: unknown; port: number }): K8sObject => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace: ns, labels },
    spec: {
      podSelector: { matchLabels: selectorLabels(labels) },
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ ...(from === undefined ? {} : { from }), ports: [{ protocol: "TCP", port }] }],
      egress: [structuredClone(DNS_EGRESS), { to: [{ podSelector: egressTo.podSelector }], ports: [{ protocol: "TCP", port: egressTo.port }] }],
    },
  });

  return [
    serviceAccount(promName, ns, promLabels),
    configMap(`${promName}-config`, promLabels, promFiles),
    ...(pvc === undefined ? [] : [pvc]),
    prometheus,
    service(promName, ns, promLabels, PROMETHEUS_PORT),
    headless,
    // Only Grafana queries Prometheus.
    networkPolicy(promName, promLabels, PROMETHEUS_PORT, [{ podSelector: { matchLabels: selectorLabels(grafanaLabels) } }], {
      podSelector: { matchLabels: gateway.podSelector },
      port: gatewayPort,
    }),
    serviceAccount(grafanaName, ns, grafanaLabels),
    configMap(`${grafanaName}-config`, grafanaLabels, { "grafana.ini": ini }),
    configMap(`${grafanaName}-datasources`, grafanaLabels, datasources),
    configMap(`${grafanaName}-providers`, grafanaLabels, providers),
    configMap(`${grafanaName}-dashboards`, grafanaLabels, dashboards),
    grafana,
    service(grafanaName, ns, grafanaLabels, GRAFANA_PORT),
    // Grafana's web port is for people (port-forward, an Ingress): open on its port only.
    networkPolicy(grafanaName, grafanaLabels, GRAFANA_PORT, undefined, { podSelector: { matchLabels: selectorLabels(promLabels) }, port: PROMETHEUS_PORT }),
  ];
}
