import { describe, expect, it } from "vitest";
import { check } from "../test/analyze.js";
import { mutate, secretsManagerSecret } from "../test/fixtures.js";
import { mcpSecretsManagerKms as policy } from "./mcp-secrets-manager-kms.js";

const MESSAGE = "Secrets Manager secret `mcp/mcp/github/GITHUB_TOKEN` must be encrypted with a customer-managed KMS key: set `kmsKeyId`.";

describe("mcp-secrets-manager-kms", () => {
  it("passes a secret with a customer-managed key", async () => {
    expect(await check(policy, secretsManagerSecret())).toEqual([]);
  });

  it("reports a secret without kmsKeyId", async () => {
    expect(await check(policy, mutate(secretsManagerSecret(), (i) => delete i.kmsKeyId))).toEqual([MESSAGE]);
  });

  it("reports the AWS-managed default key", async () => {
    expect(await check(policy, mutate(secretsManagerSecret(), (i) => (i.kmsKeyId = "alias/aws/secretsmanager")))).toEqual([MESSAGE]);
  });
});
