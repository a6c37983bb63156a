import { describe, expect, it } from "vitest";
import { check } from "../test/analyze.js";
import { gatewayIngress, mutate } from "../test/fixtures.js";
import { mcpIngressTls as policy } from "./mcp-ingress-tls.js";

describe("mcp-ingress-tls", () => {
  it("passes an Ingress with TLS for its host", async () => {
    expect(await check(policy, gatewayIngress())).toEqual([]);
  });

  it("reports an Ingress without TLS", async () => {
    const ing = mutate(gatewayIngress(), (i) => delete i.spec.tls);
    expect(await check(policy, ing)).toEqual(["Ingress `mcp-gateway` must terminate TLS: add `spec.tls` with a certificate Secret for `mcp.example.com`."]);
  });

  it("reports a host the TLS entries do not cover", async () => {
    const ing = mutate(gatewayIngress(), (i) => i.spec.rules.push({ host: "tools.example.com" }));
    expect(await check(policy, ing)).toEqual(["Ingress `mcp-gateway` host `tools.example.com` is not covered by `spec.tls`. Add it to a TLS entry's `hosts`."]);
  });

  it("is not applicable in stacks that do not require TLS", async () => {
    const ing = mutate(gatewayIngress(), (i) => delete i.spec.tls);
    expect(await check(policy, ing, { "mcp-ingress-tls": { requireTls: false } })).toEqual([]);
  });
});
