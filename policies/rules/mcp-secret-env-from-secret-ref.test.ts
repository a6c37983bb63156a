import { describe, expect, it } from "vitest";
import { check } from "../test/analyze.js";
import { dockerContainer, firstContainer, gatewayConfig, gatewayConfigMap, mutate, serverDeployment } from "../test/fixtures.js";
import { mcpSecretEnvFromSecretRef as policy } from "./mcp-secret-env-from-secret-ref.js";

describe("mcp-secret-env-from-secret-ref", () => {
  it("passes a token taken from a secretKeyRef and plain non-secret values", async () => {
    expect(await check(policy, serverDeployment())).toEqual([]);
  });

  it("reports a token as a plain value", async () => {
    const d = mutate(serverDeployment(), (i) => firstContainer(i).env.push({ name: "SLACK_BOT_TOKEN", value: "xoxb-123" }));
    expect(await check(policy, d)).toEqual([
      "Container `server` of Deployment `mcp-memory` sets `SLACK_BOT_TOKEN` as a plain value; it looks secret. Take it from a Secret (`valueFrom.secretKeyRef`).",
    ]);
  });

  it("reports a password taken from a ConfigMap", async () => {
    const d = mutate(serverDeployment(), (i) => firstContainer(i).env.push({ name: "DB_PASSWORD", valueFrom: { configMapKeyRef: { name: "db", key: "password" } } }));
    expect(await check(policy, d)).toEqual([
      "Container `server` of Deployment `mcp-memory` sets `DB_PASSWORD` from a non-secret source; it looks secret. Take it from a Secret (`valueFrom.secretKeyRef`).",
    ]);
  });

  it("does not flag names that merely contain a secret word", async () => {
    const d = mutate(serverDeployment(), (i) => firstContainer(i).env.push({ name: "KEYBOARD_LAYOUT", value: "us" }, { name: "MONKEY", value: "1" }));
    expect(await check(policy, d)).toEqual([]);
  });

  it("does not judge Docker envs (their secret values are Pulumi secrets, unwrapped for analyzers)", async () => {
    const c = mutate(dockerContainer(), (i) => i.envs.push("MCP_FLEET_SESSION_SECRET=from-pulumi-secret-config"));
    expect(await check(policy, c)).toEqual([]);
  });

  it("passes a gateway config without secrets, and reports a token in a stdio server's adapter config", async () => {
    expect(await check(policy, gatewayConfigMap())).toEqual([]);
    const config = { naming: { passthrough: true }, servers: [{ name: "github", transport: "stdio", command: "node", env: { GITHUB_PERSONAL_ACCESS_TOKEN: "ghp_123", LOG_LEVEL: "info" } }] };
    expect(await check(policy, gatewayConfigMap(config, "gateway.yaml"))).toEqual([
      "Gateway config `gateway.yaml` in ConfigMap `mcp-gateway-config`: server `github` sets env `GITHUB_PERSONAL_ACCESS_TOKEN` in plain text; it looks secret. Declare it in the server spec's `secrets` so it comes from a Secret.",
    ]);
  });

  it("reports an Authorization header in a gateway config", async () => {
    const config = gatewayConfig();
    (config.servers.find((s) => s.name === "memory") as { headers?: Record<string, string> }).headers = { Authorization: "Bearer abc" };
    expect(await check(policy, gatewayConfigMap(config))).toEqual([
      "Gateway config `gateway.yaml` in ConfigMap `mcp-gateway-config`: server `memory` sets header `Authorization` in plain text; it looks secret. Declare it in the server spec's `secrets` so it comes from a Secret.",
    ]);
  });
});
