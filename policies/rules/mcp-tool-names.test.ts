import { describe, expect, it } from "vitest";
import { check } from "../test/analyze.js";
import { gatewayConfig, gatewayConfigMap } from "../test/fixtures.js";
import { mcpToolNames as policy } from "./mcp-tool-names.js";

const WHERE = "Gateway config `gateway.yaml` in ConfigMap `mcp-gateway-config`";

/** The backend `name` of a rendered gateway config. */
function backend(config: ReturnType<typeof gatewayConfig>, name: string) {
  const found = config.servers.find((s) => s.name === name);
  if (found === undefined) throw new Error(`no server ${name} in the fixture's gateway config`);
  return found;
}

describe("mcp-tool-names", () => {
  it("passes valid, unique prefixed tool names (YAML and JSON keys)", async () => {
    expect(await check(policy, gatewayConfigMap())).toEqual([]);
    expect(await check(policy, gatewayConfigMap(gatewayConfig(), "gateway.json"))).toEqual([]);
  });

  it("reads YAML", async () => {
    const map = gatewayConfigMap();
    (map.inputs.data as Record<string, string>)["gateway.yaml"] = "servers:\n  - name: memory\n    transport: http\n    url: http://x:1/mcp\n    tools:\n      allow: [\"read graph\"]\n";
    expect(await check(policy, map)).toEqual([`${WHERE}: tool \`memory__read graph\` (18 characters) does not match ^[a-zA-Z0-9_-]{1,64}$. Shorten the tool or server name.`]);
  });

  it("reports a tool name longer than 64 characters after prefixing", async () => {
    const config = gatewayConfig();
    const tool = "create_or_update_pull_request_review_comment_with_suggestions";
    backend(config, "memory").tools = { allow: [tool] };
    expect(await check(policy, gatewayConfigMap(config))).toEqual([
      `${WHERE}: tool \`memory__${tool}\` (69 characters) does not match ^[a-zA-Z0-9_-]{1,64}$. Shorten the tool or server name.`,
    ]);
  });

  it("reports a prefix that leaves tools too little room", async () => {
    const config = gatewayConfig();
    backend(config, "memory").name = "enterprise-knowledge-graph-memory-store";
    expect(await check(policy, gatewayConfigMap(config))).toEqual([
      `${WHERE}: server \`enterprise-knowledge-graph-memory-store\` prefixes its tools with \`enterprise-knowledge-graph-memory-store__\` (41 characters, more than 32). Shorten the server name.`,
    ]);
  });

  it("reports the same exposed name from two servers", async () => {
    const config = gatewayConfig();
    config.naming = { separator: "-" };
    config.servers = [
      { name: "git", transport: "http", url: "http://a:1/mcp", tools: { allow: ["hub-search"] } },
      { name: "git-hub", transport: "http", url: "http://b:1/mcp", tools: { allow: ["search"] } },
    ];
    expect(await check(policy, gatewayConfigMap(config))).toEqual([
      `${WHERE}: tool \`git-hub-search\` is exposed by both server \`git\` and server \`git-hub\`. Rename a server or drop the tool from one \`tools.allow\`.`,
    ]);
  });

  it("reports an allow glob no tool name can match", async () => {
    const config = gatewayConfig();
    backend(config, "everything").tools = { allow: ["files.*"] };
    expect(await check(policy, gatewayConfigMap(config))).toEqual([
      `${WHERE}: server \`everything\` allows \`files.*\`, which no valid tool name matches. Use only letters, digits, '_', '-' and the globs '*' and '?'.`,
    ]);
  });

  it("ignores ConfigMaps that hold no gateway config", async () => {
    const other = { type: "kubernetes:core/v1:ConfigMap", name: "dash", inputs: { metadata: { name: "mcp-dashboards" }, data: { "fleet.json": "{\"panels\": []}" } } };
    expect(await check(policy, other)).toEqual([]);
  });
});
