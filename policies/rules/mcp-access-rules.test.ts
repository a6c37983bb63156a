import { describe, expect, it } from "vitest";
import { check } from "../test/analyze.js";
import { gatewayConfig, gatewayConfigMap } from "../test/fixtures.js";
import { mcpAccessRules as policy } from "./mcp-access-rules.js";

describe("mcp-access-rules", () => {
  it("passes an authenticating gateway whose servers all have rules", async () => {
    expect(await check(policy, gatewayConfigMap())).toEqual([]);
  });

  it("reports a server without rules behind an authenticating gateway", async () => {
    const config = gatewayConfig();
    delete config.servers.find((s) => s.name === "memory")!.access;
    expect(await check(policy, gatewayConfigMap(config))).toEqual([
      'Gateway config `gateway.yaml` in ConfigMap `mcp-gateway-config`: server `memory` has no access rules, so no caller can see or call it. Add `access` to servers/memory.ts (e.g. `access: [{ roles: ["engineering"], tools: ["*"] }]`).',
    ]);
  });

  it("does not apply to a gateway that does not authenticate", async () => {
    const config = { ...gatewayConfig(), auth: { mode: "none", trustedNetwork: true } };
    for (const s of config.servers) delete s.access;
    expect(await check(policy, gatewayConfigMap(config))).toEqual([]);
  });
});
