/** Exposed names: the shortening rule, the tool filter, and passthrough, through a real gateway. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { RunningGateway } from "../src/gateway.js";
import { exposedName, shortenName } from "../src/catalog/naming.js";
import { FIXTURE, connect, gateway, textOf } from "./helpers.js";

describe("shortenName", () => {
  it("keeps names that fit and shortens the rest to 55 characters, '-' and 8 hex digits of SHA-256", () => {
    expect(shortenName("memory__create_entities")).toBe("memory__create_entities");
    const long = `fixture__${"a".repeat(70)}`;
    const short = shortenName(long);
    expect(short).toHaveLength(64);
    expect(short).toMatch(/^fixture__a{46}-[0-9a-f]{8}$/);
    expect(shortenName(long)).toBe(short); // stable
    expect(shortenName(`fixture__${"a".repeat(71)}`)).not.toBe(short); // collision-free by the hash
    expect(shortenName("fixture__dotted.name")).toMatch(/^fixture__dotted_name-[0-9a-f]{8}$/);
    // The replaced character is not a collision: a real underscore keeps its name.
    expect(shortenName("fixture__dotted_name")).toBe("fixture__dotted_name");
  });

  it("prefixes with the separator, or not in passthrough", () => {
    expect(exposedName("db", "query", { separator: "__", passthrough: false })).toBe("db__query");
    expect(exposedName("db", "query", { separator: "-", passthrough: false })).toBe("db-query");
    expect(exposedName("db", "query", { separator: "__", passthrough: true })).toBe("query");
  });
});

describe("through the gateway", () => {
  let gw: RunningGateway;
  let solo: RunningGateway;
  let client: Client;
  let soloClient: Client;

  beforeAll(async () => {
    [gw, solo] = await Promise.all([
      gateway({
        servers: [
          { name: "fixture", transport: "stdio", command: "node", args: ["--import", "tsx", FIXTURE], tools: { allow: [], deny: ["crash", "add_*"] } },
          { name: "only", transport: "stdio", command: "node", args: ["--import", "tsx", FIXTURE], tools: { allow: ["pid", "s?y"], deny: [] } },
        ],
      }),
      gateway({ servers: [{ name: "fixture", transport: "stdio", command: "node", args: ["--import", "tsx", FIXTURE] }], naming: { passthrough: true } }),
    ]);
    [client, soloClient] = await Promise.all([connect(gw.url), connect(solo.url)]);
  });

  afterAll(async () => {
    await Promise.all([client?.close(), soloClient?.close()]);
    await Promise.all([gw?.close(), solo?.close()]);
  });

  it("exposes shortened names that route to the original tools", async () => {
    const names = (await client.listTools()).tools.map((t) => t.name);
    const long = shortenName(`fixture__${"a".repeat(70)}`);
    const dotted = shortenName("fixture__dotted.name");
    expect(names).toEqual(expect.arrayContaining([long, dotted]));
    for (const name of names) expect(name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(textOf(await client.callTool({ name: long }))).toBe("long");
    expect(textOf(await client.callTool({ name: dotted }))).toBe("dotted");
  });

  it("honours allow and deny globs: hidden tools are neither listed nor callable", async () => {
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).not.toContain("fixture__crash");
    expect(names).not.toContain("fixture__add_tool");
    expect(names.filter((n) => n.startsWith("only__")).sort()).toEqual(["only__pid", "only__say"]);
    await expect(client.callTool({ name: "fixture__crash" })).rejects.toThrow('Unknown tool: "fixture__crash"');
    expect(gw.status().map((s) => [s.name, s.tools])).toEqual([
      ["fixture", names.filter((n) => n.startsWith("fixture__")).length],
      ["only", 2],
    ]);
  });

  it("exposes names unprefixed in passthrough mode", async () => {
    const names = (await soloClient.listTools()).tools.map((t) => t.name);
    expect(names).toContain("pid");
    expect(names).toContain(shortenName("a".repeat(70)));
    expect(textOf(await soloClient.callTool({ name: "progress", arguments: { steps: 1 } }))).toBe("done 1");
  });
});
