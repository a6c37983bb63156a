/**
 * `AwsFleet`: the AWS pieces of a prod fleet on EKS. One KMS key; an ECR repository per built image (scan on push,
 * immutable tags, lifecycle policy); a Secrets Manager secret per server secret, encrypted with the key; and per
 * server with secrets an IAM role for its Kubernetes service account (IRSA) that may read only that server's
 * secrets. `roleArns` feeds the service accounts' `eks.amazonaws.com/role-arn` annotation. The gateway's own secrets
 * (`gatewaySecrets`: its session key, API-key hashes, Redis URL, keys toward the adapters) get the same: a Secrets
 * Manager secret each, with the same key, and an IRSA role of the gateway's service account that reads only those.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterNetwork, FleetModel } from "../../servers/catalog/derive.js";
import { ComponentArgsError, checkNamespace } from "../k8s/validate.js";
import { ecrLifecyclePolicy, ecrRepositoryArgs, gatewayIrsaRoleArgs, gatewaySecretArgs, irsaRoleArgs, oidcIssuerOf, secretsReadPolicy, serverSecretArgs } from "./policies.js";

export interface AwsFleetArgs {
  /** The fleet in its namespace: an ECR repository per built image (the gateway's and each server's with a Dockerfile, named like its objects), the service accounts IRSA trusts. */
  fleet: FleetModel<ClusterNetwork>;
  region: string;
  /** ARN of the EKS cluster's IAM OIDC provider. */
  eksOidcProviderArn: string;
  /** Values of server secrets by server and variable (Pulumi secrets); a secret without a value is created empty, to be set out of band. @default {} */
  serverSecrets?: Record<string, Record<string, pulumi.Input<string>>>;
  /**
   * The gateway's own secrets by environment variable (`gatewaySecretValues`: every key of its Secret), as Pulumi
   * secrets: each becomes a Secrets Manager secret that the gateway's ExternalSecret syncs. @default {} (none)
   */
  gatewaySecrets?: Record<string, pulumi.Input<string>>;
}

export class AwsFleet extends pulumi.ComponentResource {
  readonly kmsKey: aws.kms.Key;
  readonly repositories: Record<string, aws.ecr.Repository>;
  /** Secrets Manager secrets by server, then variable. */
  readonly secrets: Record<string, Record<string, aws.secretsmanager.Secret>>;
  /** IRSA role ARN by server (servers with secrets). */
  readonly roleArns: Record<string, pulumi.Output<string>>;
  /** The gateway's own secrets by variable. */
  readonly gatewaySecrets: Record<string, aws.secretsmanager.Secret>;
  /** The gateway's IRSA role ARN (when it has secrets here). */
  readonly gatewayRoleArn?: pulumi.Output<string>;

  constructor(name: string, args: AwsFleetArgs, opts?: pulumi.ComponentResourceOptions) {
    const { fleet } = args;
    const { prefix } = fleet;
    const { namespace } = fleet.network;
    const problems = checkNamespace("namespace", namespace);
    try {
      oidcIssuerOf(args.eksOidcProviderArn);
    } catch (error) {
      problems.push((error as Error).message);
    }
    if (problems.length > 0) throw new ComponentArgsError(`AwsFleet "${name}"`, problems);
    super("mcp-fleet:aws:AwsFleet", name, {}, opts);
    this.repositories = {};
    this.secrets = {};
    this.roleArns = {};
    this.gatewaySecrets = {};
    const child = { parent: this };

    this.kmsKey = new aws.kms.Key(`${name}-kms`, { description: `mcp-fleet ${prefix} (${namespace}): server secrets and images`, enableKeyRotation: true, deletionWindowInDays: 30 }, child);
    new aws.kms.Alias(`${name}-kms-alias`, { name: `alias/${prefix}-${namespace}`, targetKeyId: this.kmsKey.keyId }, child);

    const built = [{ image: "gateway", repository: fleet.gateway.k8sName }, ...fleet.servers.filter((s) => s.runs.kind === "built").map((s) => ({ image: s.spec.name, repository: s.k8sName }))];
    for (const { image, repository } of built) {
      const repo = new aws.ecr.Repository(`${name}-${image}-ecr`, ecrRepositoryArgs(repository, this.kmsKey.arn), child);
      new aws.ecr.LifecyclePolicy(`${name}-${image}-ecr-lifecycle`, { repository: repo.name, policy: JSON.stringify(ecrLifecyclePolicy()) }, child);
      this.repositories[image] = repo;
    }

    for (const { spec, k8sName: serviceAccount } of fleet.servers) {
      if (spec.secrets.length === 0) continue;
      const serverSecrets: Record<string, aws.secretsmanager.Secret> = {};
      for (const variable of spec.secrets) {
        const secret = new aws.secretsmanager.Secret(`${name}-${spec.name}-${variable.toLowerCase().replace(/_/g, "-")}`, serverSecretArgs(prefix, namespace, spec.name, variable, this.kmsKey.arn), child);
        const value = args.serverSecrets?.[spec.name]?.[variable];
        if (value !== undefined) {
          new aws.secretsmanager.SecretVersion(`${name}-${spec.name}-${variable.toLowerCase().replace(/_/g, "-")}-value`, { secretId: secret.id, secretString: pulumi.secret(value) }, child);
        }
        serverSecrets[variable] = secret;
      }
      this.secrets[spec.name] = serverSecrets;
      const role = new aws.iam.Role(`${name}-${spec.name}-irsa`, irsaRoleArgs(prefix, namespace, spec.name, args.eksOidcProviderArn, serviceAccount), child);
      new aws.iam.RolePolicy(
        `${name}-${spec.name}-irsa-secrets`,
        {
          role: role.id,
          policy: pulumi.all([pulumi.all(Object.values(serverSecrets).map((s) => s.arn)), this.kmsKey.arn]).apply(([arns, key]) => JSON.stringify(secretsReadPolicy(arns, key, args.region))),
        },
        child,
      );
      this.roleArns[spec.name] = role.arn;
    }
    const gatewayValues = Object.entries(args.gatewaySecrets ?? {});
    if (gatewayValues.length > 0) {
      for (const [variable, value] of gatewayValues) {
        const id = `${name}-gateway-${variable.toLowerCase().replace(/_/g, "-")}`;
        const secret = new aws.secretsmanager.Secret(id, gatewaySecretArgs(prefix, namespace, variable, this.kmsKey.arn), child);
        new aws.secretsmanager.SecretVersion(`${id}-value`, { secretId: secret.id, secretString: pulumi.secret(value) }, child);
        this.gatewaySecrets[variable] = secret;
      }
      const role = new aws.iam.Role(`${name}-gateway-irsa`, gatewayIrsaRoleArgs(prefix, namespace, args.eksOidcProviderArn, fleet.gateway.k8sName), child);
      new aws.iam.RolePolicy(
        `${name}-gateway-irsa-secrets`,
        {
          role: role.id,
          policy: pulumi.all([pulumi.all(Object.values(this.gatewaySecrets).map((s) => s.arn)), this.kmsKey.arn]).apply(([arns, key]) => JSON.stringify(secretsReadPolicy(arns, key, args.region))),
        },
        child,
      );
      this.gatewayRoleArn = role.arn;
    }
    this.registerOutputs({ roleArns: this.roleArns, repositoryUrls: Object.fromEntries(Object.entries(this.repositories).map(([k, r]) => [k, r.repositoryUrl])) });
  }
}
