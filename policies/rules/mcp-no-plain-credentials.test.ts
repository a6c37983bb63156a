import { describe, expect, it } from "vitest";
import { check } from "../test/analyze.js";
import { gatewayConfig, gatewayConfigMap } from "../test/fixtures.js";
import { mcpNoPlainCredentials as policy } from "./mcp-no-plain-credentials.js";

const WHERE = "Gateway config `gateway.yaml` in ConfigMap `mcp-gateway-config`";

describe("mcp-no-plain-credentials", () => {
  it("passes keys from a Secret, a Redis URL from a Secret and credential templates", async () => {
    const config = gatewayConfig();
    config.rateLimits = { store: { type: "redis", urlFromEnv: "MCP_FLEET_REDIS_URL" } };
    Object.assign(config.servers[0]!, { transport: "http", url: "https://api.example.com/mcp", credentials: { headers: { Authorization: "Bearer ${API_TOKEN}" } } });
    expect(await check(policy, gatewayConfigMap(config))).toEqual([]);
  });

  it("reports API keys listed in the config", async () => {
    const config = gatewayConfig();
    config.auth = { ...config.auth!, apiKeys: [{ name: "ci-bot", sha256: "0".repeat(64), roles: [] }] };
    expect(await check(policy, gatewayConfigMap(config))).toEqual([
      `${WHERE} lists API keys in \`auth.apiKeys\`. Keep their hashes in a Secret and name it with \`auth.apiKeysFromEnv\` (the stack's \`apiKeyHashes\` secret does this).`,
    ]);
  });

  it("reports a Redis URL with a password", async () => {
    const config = gatewayConfig();
    config.rateLimits = { store: { type: "redis", url: "rediss://default:s3cret@redis.example.com:6380" } };
    expect(await check(policy, gatewayConfigMap(config))).toEqual([
      `${WHERE} has credentials in \`rateLimits.store.url\`. Put the URL in a Secret and name it with \`urlFromEnv\` (the stack's \`redisUrl\` secret does this).`,
    ]);
  });

  it("reports a credential header with a plain value", async () => {
    const config = gatewayConfig();
    Object.assign(config.servers[0]!, { transport: "http", url: "https://api.example.com/mcp", credentials: { headers: { Authorization: "Bearer lin_api_123" } } });
    expect(await check(policy, gatewayConfigMap(config))).toEqual([
      `${WHERE}: server \`everything\` sends \`credentials.headers.Authorization\` as a plain value. Reference a secret instead: "Bearer \${NAME}" with NAME in the spec's \`secrets\`.`,
    ]);
  });
});
