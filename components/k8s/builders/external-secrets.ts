/**
 * External Secrets Operator objects (prod): a per-server SecretStore that authenticates as the server's own
 * service account (IRSA, so it reads only that server's secrets) and an ExternalSecret that syncs them from AWS
 * Secrets Manager into the server's `<k8sName>-secrets`. Only references: no value ever passes through here.
 */
import type { CustomObject, ObjectMeta } from "./types.js";

export interface ExternalSecretsInput {
  /** AWS region of Secrets Manager. */
  region: string;
  /** Secrets Manager name of a variable (`secretManagerName`). */
  remoteName: (variable: string) => string;
  /** @default "1h" */
  refreshInterval?: string;
}

export function buildSecretStore(m: ObjectMeta, serviceAccount: string, region: string): CustomObject {
  return {
    apiVersion: "external-secrets.io/v1beta1",
    kind: "SecretStore",
    metadata: { name: m.name, namespace: m.namespace, labels: { ...m.labels } },
    spec: { provider: { aws: { service: "SecretsManager", region, auth: { jwt: { serviceAccountRef: { name: serviceAccount } } } } } },
  };
}

export function buildExternalSecret(m: ObjectMeta, store: string, targetSecret: string, variables: string[], input: ExternalSecretsInput): CustomObject {
  return {
    apiVersion: "external-secrets.io/v1beta1",
    kind: "ExternalSecret",
    metadata: { name: m.name, namespace: m.namespace, labels: { ...m.labels } },
    spec: {
      refreshInterval: input.refreshInterval ?? "1h",
      secretStoreRef: { kind: "SecretStore", name: store },
      target: { name: targetSecret, creationPolicy: "Owner" },
      data: variables.map((variable) => ({ secretKey: variable, remoteRef: { key: input.remoteName(variable) } })),
    },
  };
}
