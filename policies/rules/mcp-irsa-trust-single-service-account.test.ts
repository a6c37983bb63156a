import { describe, expect, it } from "vitest";
import { check } from "../test/analyze.js";
import { irsaRole, mutate, OIDC } from "../test/fixtures.js";
import { mcpIrsaTrustSingleServiceAccount as policy } from "./mcp-irsa-trust-single-service-account.js";

const FIX = 'Limit it to one: `StringEquals: { "<issuer>:sub": "system:serviceaccount:<namespace>:<name>" }`.';

describe("mcp-irsa-trust-single-service-account", () => {
  it("passes a role trusted by one service account", async () => {
    expect(await check(policy, irsaRole())).toEqual([]);
  });

  it("is not applicable to roles assumed by AWS services", async () => {
    const role = mutate(irsaRole(), (i) => {
      i.assumeRolePolicy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] };
    });
    expect(await check(policy, role)).toEqual([]);
  });

  it("reports a wildcard over a namespace", async () => {
    expect(await check(policy, irsaRole("system:serviceaccount:mcp:*"))).toEqual([`IAM role \`mcp-mcp-github\` trusts \`system:serviceaccount:mcp:*\`, which is not exactly one service account. ${FIX}`]);
  });

  it("reports two service accounts", async () => {
    expect(await check(policy, irsaRole(["system:serviceaccount:mcp:mcp-github", "system:serviceaccount:mcp:mcp-linear"]))).toEqual([
      `IAM role \`mcp-mcp-github\` trusts 2 subjects (\`system:serviceaccount:mcp:mcp-github\`, \`system:serviceaccount:mcp:mcp-linear\`). ${FIX}`,
    ]);
  });

  it("reports a trust without a sub condition", async () => {
    const role = mutate(irsaRole(), (i) => {
      const doc = JSON.parse(i.assumeRolePolicy);
      doc.Statement[0].Condition = { StringEquals: { [`${OIDC}:aud`]: "sts.amazonaws.com" } };
      i.assumeRolePolicy = JSON.stringify(doc);
    });
    expect(await check(policy, role)).toEqual([`IAM role \`mcp-mcp-github\` trusts any identity of the OIDC provider (no \`:sub\` condition). ${FIX}`]);
  });

  it("reports StringLike even with a single exact-looking subject", async () => {
    const role = mutate(irsaRole(), (i) => {
      const doc = JSON.parse(i.assumeRolePolicy);
      doc.Statement[0].Condition = { StringLike: { [`${OIDC}:sub`]: "system:serviceaccount:mcp:mcp-gith?b" } };
      i.assumeRolePolicy = JSON.stringify(doc);
    });
    expect(await check(policy, role)).toEqual([`IAM role \`mcp-mcp-github\` trusts \`system:serviceaccount:mcp:mcp-gith?b\`, which is not exactly one service account. ${FIX}`]);
  });
});
