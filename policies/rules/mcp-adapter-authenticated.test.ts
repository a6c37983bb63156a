import { describe, expect, it } from "vitest";
import { checkAll } from "../test/analyze.js";
import { mutate, validFleet } from "../test/fixtures.js";
import { parse, stringify } from "yaml";
import { mcpAdapterAuthenticated as policy } from "./mcp-adapter-authenticated.js";

/** The valid fleet with the `memory` adapter's config changed. */
const withAdapterConfig = (change: (config: Record<string, unknown>) => void) =>
  validFleet().map((r) =>
    r.name === "mcp-memory-config"
      ? mutate(r, (i) => {
          const config = parse(i.data["gateway.yaml"]) as Record<string, unknown>;
          change(config);
          i.data["gateway.yaml"] = stringify(config);
        })
      : r,
  );

describe("mcp-adapter-authenticated", () => {
  it("passes a fleet whose adapters take the central gateway's key", async () => {
    expect(await checkAll([policy], validFleet())).toEqual([]);
  });

  it("reports an adapter left on trustedNetwork in a fleet", async () => {
    const found = await checkAll(
      [policy],
      withAdapterConfig((c) => (c.auth = { mode: "none", trustedNetwork: true })),
    );
    expect(found.map((v) => v.detail)).toEqual([
      "Adapter config `gateway.yaml` in ConfigMap `mcp-memory-config` does not authenticate its caller (auth.mode none, trustedNetwork): any pod past its NetworkPolicy calls every tool of `memory`. Set `auth: { mode: apiKey, apiKeysFromEnv: MCP_FLEET_API_KEYS }` with the central gateway's key hash in the adapter's Secret (the Fleet component renders this).",
    ]);
  });

  it("does not apply to the central gateway's config (not passthrough): mcp-gateway-authenticated decides there", async () => {
    const fleet = validFleet().map((r) =>
      r.name === "mcp-gateway-config"
        ? mutate(r, (i) => {
            const config = parse(i.data["gateway.yaml"]) as Record<string, unknown>;
            config.auth = { mode: "none", trustedNetwork: true };
            i.data["gateway.yaml"] = stringify(config);
          })
        : r,
    );
    expect(await checkAll([policy], fleet)).toEqual([]);
  });
});
