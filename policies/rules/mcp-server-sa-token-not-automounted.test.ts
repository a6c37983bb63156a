import { describe, expect, it } from "vitest";
import { check } from "../test/analyze.js";
import { gatewayDeployment, mutate, serverDeployment, serverServiceAccount } from "../test/fixtures.js";
import { mcpServerSaTokenNotAutomounted as policy } from "./mcp-server-sa-token-not-automounted.js";

describe("mcp-server-sa-token-not-automounted", () => {
  it("passes a server pod and ServiceAccount that opt out", async () => {
    expect(await check(policy, serverDeployment())).toEqual([]);
    expect(await check(policy, serverServiceAccount())).toEqual([]);
  });

  it("leaves the gateway alone", async () => {
    expect(await check(policy, gatewayDeployment())).toEqual([]);
  });

  it("reports a server pod that leaves the token mounted", async () => {
    const d = mutate(serverDeployment(), (i) => delete i.spec.template.spec.automountServiceAccountToken);
    expect(await check(policy, d)).toEqual(["Deployment `mcp-memory` must set `automountServiceAccountToken: false` in its pod spec; MCP servers do not call the Kubernetes API."]);
  });

  it("reports a server ServiceAccount that automounts", async () => {
    const sa = mutate(serverServiceAccount(), (i) => (i.automountServiceAccountToken = true));
    expect(await check(policy, sa)).toEqual(["ServiceAccount `mcp-memory` must set `automountServiceAccountToken: false`; MCP servers do not call the Kubernetes API."]);
  });
});
