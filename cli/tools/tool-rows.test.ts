import { describe, expect, it } from "vitest";
import { toolRows } from "./tool-rows.js";

const naming = { separator: "__", passthrough: false };
const tool = (name: string, description = `does ${name}`) => ({ name, description, inputSchema: { type: "object" as const } });
const backends = [
  { name: "alpha", tools: { allow: [], deny: ["secret-*"] } },
  { name: "alpha-two", tools: { allow: [], deny: [] } },
];

describe("toolRows", () => {
  it("without a gateway: every tool of the servers under the name the gateway gives it, hidden ones marked", () => {
    const rows = toolRows({ naming, backends, serverLists: [{ server: "alpha", tools: [tool("secret-key"), tool("echo")] }] });
    expect(rows).toEqual([
      { name: "alpha__echo", server: "alpha", tool: "echo", description: "does echo", hidden: false, exposed: true },
      { name: "alpha__secret-key", server: "alpha", tool: "secret-key", description: "does secret-key", hidden: true, exposed: false },
    ]);
  });

  it("with a gateway: its list, owners by the longest server prefix, plus the hidden tools of the servers asked", () => {
    const rows = toolRows({
      naming,
      backends,
      serverLists: [{ server: "alpha", tools: [tool("echo"), tool("secret-key"), tool("gone")] }],
      gatewayTools: [tool("alpha-two__ping"), tool("alpha__echo"), tool("stranger__x")],
    });
    expect(rows.map((r) => [r.name, r.server, r.tool, r.hidden, r.exposed])).toEqual([
      ["alpha__echo", "alpha", "echo", false, true],
      ["alpha__secret-key", "alpha", "secret-key", true, false],
      // The filter lets it through, yet the gateway does not list it.
      ["alpha__gone", "alpha", "gone", false, false],
      ["alpha-two__ping", "alpha-two", undefined, false, true],
      ["stranger__x", undefined, undefined, false, true],
    ]);
  });

  it("names long tools with the gateway's own shortening", () => {
    const long = "t".repeat(70);
    const [row] = toolRows({ naming, backends, serverLists: [{ server: "alpha", tools: [tool(long)] }] });
    expect(row?.name).toMatch(/^alpha__t{48}-[0-9a-f]{8}$/);
  });

  it("in passthrough naming, owns every tool to the one server", () => {
    const rows = toolRows({ naming: { separator: "__", passthrough: true }, backends: [backends[1]!], serverLists: [], gatewayTools: [tool("ping")] });
    expect(rows).toEqual([{ name: "ping", server: "alpha-two", description: "does ping", hidden: false, exposed: true }]);
  });
});
