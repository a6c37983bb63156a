/**
 * Turns a builder's manifest into the matching native `@pulumi/kubernetes` resource (typed, visible to previews,
 * mocks and the policy pack). Custom resources (ServiceMonitor, ExternalSecret) become `apiextensions.CustomResource`.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/** What the builders return (or a copy with Pulumi inputs merged in, e.g. secret values or a role ARN). */
export interface ManifestLike {
  apiVersion: string;
  kind: string;
}

/** Creates the resource for `obj` named `name`. */
export function createObject(name: string, obj: ManifestLike, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  // The builders' objects are typed against the Kubernetes schema (kubernetes-models); the SDK's arg types are the
  // same schema wrapped in Input<>, so a plain manifest is a valid argument.
  const args = obj as never;
  switch (`${obj.apiVersion}/${obj.kind}`) {
    case "v1/Namespace":
      return new k8s.core.v1.Namespace(name, args, opts);
    case "v1/ServiceAccount":
      return new k8s.core.v1.ServiceAccount(name, args, opts);
    case "v1/ConfigMap":
      return new k8s.core.v1.ConfigMap(name, args, opts);
    case "v1/Secret":
      return new k8s.core.v1.Secret(name, args, opts);
    case "v1/Service":
      return new k8s.core.v1.Service(name, args, opts);
    case "apps/v1/Deployment":
      return new k8s.apps.v1.Deployment(name, args, opts);
    case "policy/v1/PodDisruptionBudget":
      return new k8s.policy.v1.PodDisruptionBudget(name, args, opts);
    case "autoscaling/v2/HorizontalPodAutoscaler":
      return new k8s.autoscaling.v2.HorizontalPodAutoscaler(name, args, opts);
    case "networking.k8s.io/v1/NetworkPolicy":
      return new k8s.networking.v1.NetworkPolicy(name, args, opts);
    case "networking.k8s.io/v1/Ingress":
      return new k8s.networking.v1.Ingress(name, args, opts);
    default:
      return new k8s.apiextensions.CustomResource(name, args, opts);
  }
}
