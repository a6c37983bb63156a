import { describe, expect, it } from "vitest";
import { checkStack } from "../test/analyze.js";
import { gatewayConfig, gatewayConfigMap, mutate, validFleet } from "../test/fixtures.js";
import { mcpGatewayAuthenticated as policy } from "./mcp-gateway-authenticated.js";

/** The valid fleet with its gateway's config replaced. */
const withConfig = (config: unknown) => validFleet().map((r) => (r.name === "mcp-gateway-config" ? gatewayConfigMap(config) : r));
const unauthenticated = () => ({ ...gatewayConfig(), auth: { mode: "none", trustedNetwork: true } });

describe("mcp-gateway-authenticated", () => {
  it("passes a fleet whose exposed gateway authenticates", async () => {
    expect(await checkStack(policy, validFleet())).toEqual([]);
  });

  it("reports the Ingress of a gateway that does not authenticate", async () => {
    expect(await checkStack(policy, withConfig(unauthenticated()))).toEqual([
      "Ingress `mcp-gateway` exposes the gateway beyond the cluster, but its config (ConfigMap `mcp-gateway-config`) does not authenticate callers (auth.mode none). Set `mcp-fleet:auth` (mode oauth or apiKey) in the stack config.",
    ]);
  });

  it("reports a LoadBalancer Service of a gateway that does not authenticate", async () => {
    const fleet = withConfig(unauthenticated())
      .filter((r) => r.name !== "mcp-gateway-ingress")
      .map((r) => (r.name === "mcp-gateway-svc" ? mutate(r, (i) => (i.spec.type = "LoadBalancer")) : r));
    expect(await checkStack(policy, fleet)).toEqual([
      "Service `mcp-gateway` exposes the gateway beyond the cluster, but its config (ConfigMap `mcp-gateway-config`) does not authenticate callers (auth.mode none). Set `mcp-fleet:auth` (mode oauth or apiKey) in the stack config.",
    ]);
  });

  it("lets an unauthenticated gateway without Ingress serve inside the cluster", async () => {
    expect(await checkStack(policy, withConfig(unauthenticated()).filter((r) => r.name !== "mcp-gateway-ingress"))).toEqual([]);
  });
});
