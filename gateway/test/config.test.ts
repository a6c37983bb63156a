/** Config validation the gateway adds on top of field types: every problem named by its field, with the fix. */
import { describe, expect, it } from "vitest";
import { ConfigError, parseGatewayConfig } from "../src/config.js";

function problems(raw: unknown): readonly string[] {
  try {
    parseGatewayConfig(raw, "gateway.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("the config was accepted");
}

const stdio = (name: string, extra: Record<string, unknown> = {}) => ({ name, transport: "stdio", command: "node", ...extra });

describe("gateway config", () => {
  it("applies defaults", () => {
    const config = parseGatewayConfig({ servers: [stdio("a")] });
    expect(config.listen).toEqual({ host: "127.0.0.1", port: 8080, path: "/mcp" });
    expect(config.servers[0]).toMatchObject({ timeoutMs: 30_000, isolation: "shared", args: [], tools: { allow: [], deny: [] } });
  });

  it("rejects duplicate names, passthrough with several servers, and session isolation without sessions", () => {
    expect(problems({ servers: [stdio("a"), stdio("a")] })).toEqual(['servers[1].name: "a" is already the name of servers[0]. Give each server a unique name.']);
    expect(problems({ naming: { passthrough: true }, servers: [stdio("a"), stdio("b")] })).toEqual([
      "naming.passthrough: passthrough exposes names unprefixed and needs exactly one server, not 2. Set it to false or keep one server.",
    ]);
    expect(problems({ sessions: { mode: "stateless" }, servers: [stdio("a"), stdio("b", { isolation: "session" })] })).toEqual([
      'servers[1].isolation: "session" needs client sessions, but sessions.mode is "stateless". Set sessions.mode to "stateful" or isolation to "shared".',
    ]);
  });

  it("passes nothing of the gateway's environment by default and accepts only variable names in inheritEnv", () => {
    expect(parseGatewayConfig({ servers: [stdio("a")] }).servers[0]).toMatchObject({ inheritEnv: [] });
    expect(parseGatewayConfig({ servers: [stdio("a", { inheritEnv: ["GITHUB_TOKEN", "_x1"] })] }).servers[0]).toMatchObject({ inheritEnv: ["GITHUB_TOKEN", "_x1"] });
    expect(problems({ servers: [stdio("a", { inheritEnv: ["OK", "1BAD", "NO-DASH"] })] })).toEqual([
      "servers[0].inheritEnv[1]: must be an environment variable name: letters, digits and _, not starting with a digit (e.g. GITHUB_TOKEN)",
      "servers[0].inheritEnv[2]: must be an environment variable name: letters, digits and _, not starting with a digit (e.g. GITHUB_TOKEN)",
    ]);
    // http and sse backends have no child process: the field is unknown there.
    expect(problems({ servers: [{ name: "r", transport: "http", url: "http://127.0.0.1:1/mcp", inheritEnv: ["X"] }] })[0]).toMatch(/^servers\[0\]: .*inheritEnv/);
  });
});
