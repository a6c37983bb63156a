/**
 * The Kubernetes object shapes the builders return: the `kubernetes-models` interfaces, so a builder's output is
 * typed against the real API schema and can be validated offline (`new Deployment(obj).validate()`).
 */
export type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
export type { INamespace } from "kubernetes-models/v1/Namespace";
export type { ISecret } from "kubernetes-models/v1/Secret";
export type { IService } from "kubernetes-models/v1/Service";
export type { IServiceAccount } from "kubernetes-models/v1/ServiceAccount";
export type { IContainer } from "kubernetes-models/v1/Container";
export type { IEnvVar } from "kubernetes-models/v1/EnvVar";
export type { IProbe } from "kubernetes-models/v1/Probe";
export type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
export type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
export type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
export type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
export type { INetworkPolicyPeer } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer";
export type { IIngress } from "kubernetes-models/networking.k8s.io/v1/Ingress";

/** Metadata every builder sets: a name, a namespace (for namespaced kinds) and labels. */
export interface ObjectMeta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A custom resource (ServiceMonitor, ExternalSecret): kubernetes-models has no schema for it. */
export interface CustomObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: Record<string, unknown>;
}

/** Any object a builder returns. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}
