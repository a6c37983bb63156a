/**
 * The AWS pieces of the fleet, as pure functions: IRSA trust (one service account only), the read-only secrets
 * policy (one server's secrets only), the ECR lifecycle policy, and the arguments of the repositories, secrets and
 * roles `AwsFleet` creates (`V`: how the key's ARN arrives, a Pulumi output there, a string in tests).
 */

/** The OIDC issuer host and path of an IAM OIDC provider ARN (`oidc.eks.<region>.amazonaws.com/id/<id>`). */
export function oidcIssuerOf(providerArn: string): string {
  const i = providerArn.indexOf(":oidc-provider/");
  if (i < 0) throw new Error(`\`eksOidcProviderArn\` "${providerArn}" is not an IAM OIDC provider ARN. Use arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>.`);
  return providerArn.slice(i + ":oidc-provider/".length);
}

/** Trust policy letting exactly `system:serviceaccount:<namespace>:<serviceAccount>` assume the role. */
export function irsaTrustPolicy(providerArn: string, namespace: string, serviceAccount: string) {
  const issuer = oidcIssuerOf(providerArn);
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
            [`${issuer}:aud`]: "sts.amazonaws.com",
          },
        },
      },
    ],
  };
}

/** Read access to exactly these secrets, and decryption with the fleet's key (only through Secrets Manager). */
export function secretsReadPolicy(secretArns: string[], kmsKeyArn: string, region: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: [...secretArns] },
      {
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: kmsKeyArn,
        Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } },
      },
    ],
  };
}

/** Untagged images expire after 7 days; at most 50 tagged images are kept. */
export function ecrLifecyclePolicy() {
  return {
    rules: [
      { rulePriority: 1, description: "Expire untagged images after 7 days", selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 }, action: { type: "expire" } },
      { rulePriority: 2, description: "Keep the 50 most recent images", selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 50 }, action: { type: "expire" } },
    ],
  };
}

/** Name of a server's IRSA role (IAM allows 64 characters). */
export function irsaRoleName(prefix: string, namespace: string, server: string): string {
  return `${prefix}-${namespace}-${server}`.slice(0, 64);
}

/** ARN of a role in the account (and partition) of the cluster's OIDC provider: known before the role exists. */
export function irsaRoleArn(providerArn: string, roleName: string): string {
  const m = /^arn:(aws[a-z-]*):iam::(\d{12}):oidc-provider\//.exec(providerArn);
  if (m === null) throw new Error(`\`eksOidcProviderArn\` "${providerArn}" is not an IAM OIDC provider ARN. Use arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>.`);
  return `arn:${m[1]}:iam::${m[2]}:role/${roleName}`;
}

/** Name of a server secret in Secrets Manager: `<prefix>/<namespace>/<server>/<VARIABLE>`. */
export function secretManagerName(prefix: string, namespace: string, server: string, variable: string): string {
  return `${prefix}/${namespace}/${server}/${variable}`;
}

/**
 * Who the gateway is among the names of Secrets Manager secrets and IRSA roles: `gateway`, as if it were a server
 * (no server may be named so: its objects would share the gateway's Kubernetes name, `validateFleetPlanInput`).
 */
export const GATEWAY_AWS_NAME = "gateway";

/** Name of one of the gateway's own secrets in Secrets Manager: `<prefix>/<namespace>/gateway/<VARIABLE>`. */
export function gatewaySecretManagerName(prefix: string, namespace: string, variable: string): string {
  return secretManagerName(prefix, namespace, GATEWAY_AWS_NAME, variable);
}

/** One of the gateway's own secrets in Secrets Manager, encrypted with the fleet's key. */
export function gatewaySecretArgs<V>(prefix: string, namespace: string, variable: string, kmsKeyArn: V) {
  return { name: gatewaySecretManagerName(prefix, namespace, variable), kmsKeyId: kmsKeyArn, recoveryWindowInDays: 7, description: `${variable} of the MCP gateway` };
}

/** The gateway's IRSA role: only its own service account may assume it; it reads only the gateway's secrets. */
export function gatewayIrsaRoleArgs(prefix: string, namespace: string, providerArn: string, serviceAccount: string) {
  return { name: irsaRoleName(prefix, namespace, GATEWAY_AWS_NAME), assumeRolePolicy: JSON.stringify(irsaTrustPolicy(providerArn, namespace, serviceAccount)), description: "IRSA role of the MCP gateway (its own secrets)" };
}

/** An ECR repository of a built image: immutable tags, scanned on push, encrypted with the fleet's key. */
export function ecrRepositoryArgs<V>(repository: string, kmsKeyArn: V) {
  return { name: repository, imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true }, encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: kmsKeyArn }] };
}

/** A server's secret variable in Secrets Manager, encrypted with the fleet's key. */
export function serverSecretArgs<V>(prefix: string, namespace: string, server: string, variable: string, kmsKeyArn: V) {
  return { name: secretManagerName(prefix, namespace, server, variable), kmsKeyId: kmsKeyArn, recoveryWindowInDays: 7, description: `${variable} of MCP server ${server}` };
}

/** A server's IRSA role: only its own service account may assume it. */
export function irsaRoleArgs(prefix: string, namespace: string, server: string, providerArn: string, serviceAccount: string) {
  return { name: irsaRoleName(prefix, namespace, server), assumeRolePolicy: JSON.stringify(irsaTrustPolicy(providerArn, namespace, serviceAccount)), description: `IRSA role of MCP server ${server}` };
}
