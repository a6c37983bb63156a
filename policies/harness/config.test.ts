import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { policies } from "../policies.js";
import { loadPackConfig, packConfigFile, resolvePackConfig } from "./config.js";

describe("pack config", () => {
  it("resolves levels: own entry over `all` over the policy default, and schema defaults for properties", () => {
    const resolved = resolvePackConfig(policies, { all: "advisory", "mcp-ingress-tls": { enforcementLevel: "mandatory", requireTls: false } });
    expect(resolved.get("mcp-ingress-tls")).toEqual({ enforcementLevel: "mandatory", properties: { requireTls: false } });
    expect(resolved.get("mcp-port-range")).toEqual({ enforcementLevel: "advisory", properties: { min: 1024, max: 65535 } });
    expect(resolvePackConfig(policies, {}).get("mcp-container-not-privileged")?.enforcementLevel).toBe("mandatory");
  });

  it("ships advisory dev, mandatory staging and prod configs that resolve", () => {
    const level = (stack: string) => new Set([...resolvePackConfig(policies, loadPackConfig(packConfigFile(stack))).values()].map((c) => c.enforcementLevel));
    expect(level("dev")).toEqual(new Set(["advisory"]));
    expect(level("staging")).toEqual(new Set(["mandatory"]));
    expect(level("prod")).toEqual(new Set(["mandatory"]));
    expect(resolvePackConfig(policies, loadPackConfig(packConfigFile("prod"))).get("mcp-ingress-tls")?.properties).toEqual({ requireTls: true });
  });

  it("rejects an unknown policy, a bad level and an unknown setting, naming the fix", () => {
    expect(() => resolvePackConfig(policies, { "mcp-no-such": "mandatory" }, "prod.json")).toThrow(/^prod\.json: `mcp-no-such` is not a policy of this pack\. Use `all` or one of: mcp-port-range, /);
    expect(() => resolvePackConfig(policies, { all: "strict" as never }, "prod.json")).toThrow(
      'prod.json: `all` has enforcement level "strict". Use one of advisory, mandatory, remediate, disabled.',
    );
    expect(() => resolvePackConfig(policies, { "mcp-ingress-tls": { requireTLS: true } }, "prod.json")).toThrow(
      "prod.json: `mcp-ingress-tls.requireTLS` is not a setting of mcp-ingress-tls. Use one of: requireTls.",
    );
  });

  it("names the file when it is missing or not JSON", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "pack-config-"));
    const file = path.join(dir, "bad.json");
    writeFileSync(file, "{ all: mandatory }");
    expect(() => loadPackConfig(file)).toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: not valid JSON \\(.*\\)\\. Fix the syntax\\.$`));
    expect(() => loadPackConfig(path.join(dir, "qa.json"))).toThrow(`${path.join(dir, "qa.json")}: no such policy pack config. Create it (see policies/README.md) or pick a stack that has one.`);
  });
});
