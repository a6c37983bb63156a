import { describe, expect, it } from "vitest";
import { loadCatalogFromSpecs } from "../../servers/catalog/catalog.js";
import { accessMatrix, matrixChanges } from "./matrix.js";

const spec = (name: string, port: number, access: unknown[], tools = { allow: [] as string[], deny: [] as string[] }) => ({
  file: `servers/${name}.ts`,
  spec: { name, description: name, owner: "platform", transport: { type: "stdio", command: "node", args: [] }, port, tools, access },
});

const catalog = loadCatalogFromSpecs([
  spec("billing", 3201, [{ roles: ["finance"], tools: ["*"] }, { roles: ["support"], tools: ["lookup"] }]),
  spec("notes", 3202, [{ roles: ["*"], tools: ["read"] }], { allow: [], deny: ["secret"] }),
  spec("orphan", 3203, []),
]);
const tools = new Map([
  ["billing", ["lookup", "refund"]],
  ["notes", ["read", "write", "secret"]],
  ["orphan", ["x"]],
]);

describe("the access matrix", () => {
  it("lists, per role, the exposed tools the gateway's access function grants; deny by default, filtered tools absent", () => {
    const m = accessMatrix({ stack: "prod", auth: "oauth", keyRoles: ["ci"], catalog, tools, unavailable: [] });
    expect(m.roles).toEqual(["*", "ci", "finance", "support"]);
    expect(m.tools).toEqual(["billing__lookup", "billing__refund", "notes__read", "notes__write", "orphan__x"]);
    expect(m.grants).toEqual({
      "*": ["notes__read"],
      ci: ["notes__read"],
      finance: ["billing__lookup", "billing__refund", "notes__read"],
      support: ["billing__lookup", "notes__read"],
    });
  });

  it("grants everything to everyone when the stack does not authenticate", () => {
    const m = accessMatrix({ stack: "dev", auth: "none", keyRoles: [], catalog, tools, unavailable: [] });
    expect(m.grants.support).toEqual(m.tools);
  });

  it("says what changed, one line per role and tool", () => {
    const before = accessMatrix({ stack: "prod", auth: "oauth", keyRoles: [], catalog, tools, unavailable: [] });
    const changed = loadCatalogFromSpecs([
      spec("billing", 3201, [{ roles: ["finance"], tools: ["lookup"] }, { roles: ["support"], tools: ["lookup", "refund"] }]),
      spec("notes", 3202, [{ roles: ["*"], tools: ["read"] }], { allow: [], deny: ["secret"] }),
      spec("orphan", 3203, []),
    ]);
    const after = accessMatrix({ stack: "prod", auth: "oauth", keyRoles: [], catalog: changed, tools, unavailable: [] });
    expect(matrixChanges(before, after)).toEqual(["role finance loses billing__refund", "role support gains billing__refund"]);
    expect(matrixChanges(after, after)).toEqual([]);
  });
});
