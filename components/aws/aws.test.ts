/**
 * The prod stack's AWS pieces and the Docker dev target, under Pulumi's mocks (the real stack program with a
 * catalog where `github` has a secret): IRSA trust scoped to one service account, a policy reading only that
 * server's secrets, ECR settings, External Secrets wiring, and the Docker containers' hardening.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { planStack, type StackPlan } from "../../stacks/plan-stack.js";
import { SECRET_MASK } from "../plan/run-under-mocks.js";
import { KNOWN_SECRET, KNOWN_SERVER_SECRET, catalogOf, find, mixedSpecs, type Json } from "../testing/fixtures.js";
import { findRepoRoot } from "../../servers/catalog/catalog.js";
import { irsaTrustPolicy } from "./policies.js";
import { adapterApiKey } from "../gateway-secrets.js";

const root = findRepoRoot();
const catalog = catalogOf(mixedSpecs(), root);
const secrets = {
  config: { "mcp-fleet:sessionSecret": KNOWN_SECRET, "mcp-fleet:serverSecrets": JSON.stringify({ github: { GITHUB_TOKEN: KNOWN_SERVER_SECRET } }) },
  secretKeys: ["mcp-fleet:sessionSecret", "mcp-fleet:serverSecrets"],
};
const OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
let prod: StackPlan;
let dev: StackPlan;

beforeAll(async () => {
  prod = await planStack({ stack: "prod", root, catalog, ...secrets });
  dev = await planStack({ stack: "dev", root, catalog, ...secrets });
});

describe("AWS pieces (prod)", () => {
  it("gives each server with secrets an IRSA role only its own service account can assume", () => {
    const role = find(prod.resources, "aws:iam/role:Role", "mcp-aws-github-irsa").inputs as Json;
    expect(role.name).toBe("mcp-mcp-github");
    expect(JSON.parse(role.assumeRolePolicy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: OIDC },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: { StringEquals: { [`${ISSUER}:sub`]: "system:serviceaccount:mcp:mcp-github", [`${ISSUER}:aud`]: "sts.amazonaws.com" } },
        },
      ],
    });
    // Servers without secrets get no role (the gateway has one of its own, below).
    expect(prod.resources.filter((r) => r.type === "aws:iam/role:Role").map((r) => r.name)).toEqual(["mcp-aws-github-irsa", "mcp-aws-gateway-irsa"]);
    // The role's service account is the server's, annotated with the role.
    const sa = find(prod.resources, "kubernetes:core/v1:ServiceAccount", "mcp-github-sa").inputs as Json;
    expect(sa.metadata.name).toBe("mcp-github");
    expect(sa.metadata.annotations).toEqual({ "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/mcp-mcp-github" });
  });

  it("lets the role read only that server's secrets and decrypt only through Secrets Manager", () => {
    const policy = JSON.parse((find(prod.resources, "aws:iam/rolePolicy:RolePolicy", "mcp-aws-github-irsa-secrets").inputs as Json).policy);
    expect(policy.Statement).toEqual([
      { Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: ["arn:aws:mock:::secretsmanager/secret/mcp-aws-github-github-token"] },
      { Effect: "Allow", Action: "kms:Decrypt", Resource: "arn:aws:mock:::kms/key/mcp-aws-kms", Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } } },
    ]);
    const secret = find(prod.resources, "aws:secretsmanager/secret:Secret", "mcp-aws-github-github-token").inputs as Json;
    expect(secret).toMatchObject({ name: "mcp/mcp/github/GITHUB_TOKEN", kmsKeyId: "arn:aws:mock:::kms/key/mcp-aws-kms" });
    expect(find(prod.resources, "aws:secretsmanager/secretVersion:SecretVersion", "mcp-aws-github-github-token-value").inputs.secretString).toBe(SECRET_MASK);
    // In prod the value goes to Secrets Manager, not to a Kubernetes Secret.
    expect(prod.resources.some((r) => r.type === "kubernetes:core/v1:Secret" && r.name === "mcp-github-secret")).toBe(false);
  });

  it("syncs the server's Secret through a SecretStore that authenticates as the server's own service account", () => {
    const store = find(prod.resources, "kubernetes:external-secrets.io/v1beta1:SecretStore", "mcp-github-secret-store").inputs as Json;
    expect(store.spec).toEqual({ provider: { aws: { service: "SecretsManager", region: "eu-west-1", auth: { jwt: { serviceAccountRef: { name: "mcp-github" } } } } } });
    const ext = find(prod.resources, "kubernetes:external-secrets.io/v1beta1:ExternalSecret", "mcp-github-external-secret").inputs as Json;
    expect(ext.spec).toEqual({
      refreshInterval: "1h",
      secretStoreRef: { kind: "SecretStore", name: "mcp-github" },
      target: { name: "mcp-github-secrets", creationPolicy: "Owner" },
      data: [{ secretKey: "GITHUB_TOKEN", remoteRef: { key: "mcp/mcp/github/GITHUB_TOKEN" } }],
    });
  });

  it("keeps the gateway's own secrets in Secrets Manager (the fleet's KMS key), one per key of its Secret, values masked", () => {
    const secrets = prod.resources.filter((r) => r.type === "aws:secretsmanager/secret:Secret" && r.name.startsWith("mcp-aws-gateway-"));
    // The session key, the Redis URL (prod's rate limits use Redis) and its key toward each adapter (github, legacy).
    expect(secrets.map((r) => (r.inputs as Json).name).sort()).toEqual(["mcp/mcp/gateway/MCP_FLEET_ADAPTER_KEY_GITHUB", "mcp/mcp/gateway/MCP_FLEET_ADAPTER_KEY_LEGACY", "mcp/mcp/gateway/MCP_FLEET_REDIS_URL", "mcp/mcp/gateway/MCP_FLEET_SESSION_SECRET"]);
    for (const r of secrets) {
      expect(r.inputs).toMatchObject({ kmsKeyId: "arn:aws:mock:::kms/key/mcp-aws-kms" });
      expect(find(prod.resources, "aws:secretsmanager/secretVersion:SecretVersion", `${r.name}-value`).inputs.secretString).toBe(SECRET_MASK);
    }
    const text = JSON.stringify(prod.resources);
    expect(text).not.toContain(KNOWN_SECRET);
    expect(text).not.toContain(adapterApiKey(KNOWN_SECRET, "github"));
  });

  it("lets the gateway's own IRSA role, assumable only by its service account, read only the gateway's secrets", () => {
    const role = find(prod.resources, "aws:iam/role:Role", "mcp-aws-gateway-irsa").inputs as Json;
    expect(role.name).toBe("mcp-mcp-gateway");
    expect(JSON.parse(role.assumeRolePolicy).Statement[0].Condition.StringEquals[`${ISSUER}:sub`]).toBe("system:serviceaccount:mcp:mcp-gateway");
    const policy = JSON.parse((find(prod.resources, "aws:iam/rolePolicy:RolePolicy", "mcp-aws-gateway-irsa-secrets").inputs as Json).policy);
    expect(policy.Statement).toEqual([
      {
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        Resource: ["mcp-fleet-adapter-key-github", "mcp-fleet-adapter-key-legacy", "mcp-fleet-redis-url", "mcp-fleet-session-secret"].map((k) => `arn:aws:mock:::secretsmanager/secret/mcp-aws-gateway-${k}`),
      },
      { Effect: "Allow", Action: "kms:Decrypt", Resource: "arn:aws:mock:::kms/key/mcp-aws-kms", Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } } },
    ]);
    const sa = find(prod.resources, "kubernetes:core/v1:ServiceAccount", "mcp-gateway-sa").inputs as Json;
    expect(sa.metadata.annotations).toEqual({ "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/mcp-mcp-gateway" });
  });

  it("fills the gateway's Secret with an ExternalSecret mapping each key to its Secrets Manager name; no Kubernetes Secret of values", () => {
    const store = find(prod.resources, "kubernetes:external-secrets.io/v1beta1:SecretStore", "mcp-gateway-secret-store").inputs as Json;
    expect(store.spec).toEqual({ provider: { aws: { service: "SecretsManager", region: "eu-west-1", auth: { jwt: { serviceAccountRef: { name: "mcp-gateway" } } } } } });
    const ext = find(prod.resources, "kubernetes:external-secrets.io/v1beta1:ExternalSecret", "mcp-gateway-external-secret").inputs as Json;
    expect(ext.spec).toEqual({
      refreshInterval: "1h",
      secretStoreRef: { kind: "SecretStore", name: "mcp-gateway" },
      target: { name: "mcp-gateway-keys", creationPolicy: "Owner" },
      data: ["MCP_FLEET_ADAPTER_KEY_GITHUB", "MCP_FLEET_ADAPTER_KEY_LEGACY", "MCP_FLEET_REDIS_URL", "MCP_FLEET_SESSION_SECRET"].map((key) => ({ secretKey: key, remoteRef: { key: `mcp/mcp/gateway/${key}` } })),
    });
    expect(prod.resources.some((r) => r.type === "kubernetes:core/v1:Secret" && r.name === "mcp-gateway-secret")).toBe(false);
    // The Deployment reads every one of those keys by reference.
    const env = (find(prod.resources, "kubernetes:apps/v1:Deployment", "mcp-gateway-deploy").inputs as Json).spec.template.spec.containers[0].env as Json[];
    expect(env.map((e) => e.valueFrom.secretKeyRef)).toEqual(ext.spec.data.map((d: Json) => ({ name: "mcp-gateway-keys", key: d.secretKey })));
  });

  it("creates an immutable, scanned, KMS-encrypted ECR repository with a lifecycle policy per built image", () => {
    const repo = find(prod.resources, "aws:ecr/repository:Repository", "mcp-aws-gateway-ecr").inputs as Json;
    expect(repo).toMatchObject({
      name: "mcp-gateway",
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: "arn:aws:mock:::kms/key/mcp-aws-kms" }],
    });
    const lifecycle = JSON.parse((find(prod.resources, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "mcp-aws-gateway-ecr-lifecycle").inputs as Json).policy);
    expect(lifecycle.rules.map((r: Json) => r.selection.tagStatus)).toEqual(["untagged", "any"]);
    expect(find(prod.resources, "aws:kms/key:Key", "mcp-aws-kms").inputs).toMatchObject({ enableKeyRotation: true });
  });

  it("builds trust policies for one service account only", () => {
    const doc = irsaTrustPolicy(OIDC, "ns", "sa");
    expect(Object.values(doc.Statement[0]!.Condition.StringEquals)).toEqual(["system:serviceaccount:ns:sa", "sts.amazonaws.com"]);
    expect(() => irsaTrustPolicy("arn:aws:iam::1:role/x", "ns", "sa")).toThrow(
      '`eksOidcProviderArn` "arn:aws:iam::1:role/x" is not an IAM OIDC provider ARN. Use arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>.',
    );
  });
});

describe("Docker target (dev)", () => {
  it("hardens every container: read-only, all capabilities dropped, non-root, no-new-privileges, /tmp tmpfs", () => {
    const fleet = find(dev.resources, "mcp-fleet:docker:DockerFleet", "mcp");
    const containers = dev.resources.filter((r) => r.type === "docker:index/container:Container" && r.parent === fleet.urn);
    expect(containers.map((c) => c.name).sort()).toEqual(["mcp-gateway", "mcp-github", "mcp-legacy", "mcp-search"]);
    for (const c of containers) {
      expect(c.inputs).toMatchObject({
        readOnly: true,
        capabilities: { drops: ["ALL"] },
        user: "10001:10001",
        securityOpts: ["no-new-privileges:true"],
        tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m" },
        networksAdvanced: [{ name: "mcp-fleet", aliases: [c.name] }],
      });
    }
  });

  it("publishes only the gateway, on 127.0.0.1, with a config that reaches servers by their container names", () => {
    const gw = find(dev.resources, "docker:index/container:Container", "mcp-gateway").inputs as Json;
    expect(gw.ports).toEqual([{ internal: 8080, external: 8080, ip: "127.0.0.1" }]);
    const config: string = gw.uploads[0].content;
    expect(config).toContain("url: http://mcp-github:3201/mcp");
    expect(config).toContain("url: http://mcp-search:3202/rpc");
    expect(gw.envs).toEqual([SECRET_MASK]);
    for (const name of ["mcp-github", "mcp-search", "mcp-legacy"]) expect((find(dev.resources, "docker:index/container:Container", name).inputs as Json).ports ?? []).toEqual([]);
    expect(dev.outputs).toMatchObject({ gatewayUrl: "http://127.0.0.1:8080/mcp" });
  });

  it("builds the gateway image (adapter of stdio/sse servers) from its Dockerfile", () => {
    const image = find(dev.resources, "docker:index/image:Image", "mcp-gateway-image").inputs as Json;
    expect(image).toMatchObject({ imageName: "mcp-fleet/gateway:dev", skipPush: true, build: { context: root, dockerfile: `${root}/gateway/Dockerfile` } });
    const github = find(dev.resources, "docker:index/container:Container", "mcp-github").inputs as Json;
    // The whole command line replaces the image's ENTRYPOINT (a `command` would be appended to it).
    expect(github.entrypoints).toEqual(["mcp-fleet-gateway", "--config", "/etc/mcp-fleet/gateway.yaml"]);
    expect(github.command).toBeUndefined();
    expect(github.uploads[0].content).toContain("passthrough: true");
  });
});
