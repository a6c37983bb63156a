/** `npm start -- --api-key-env NAME`: the local fleet asks for that key, and the key's roles decide what it shows. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevFleet, type DevFleet } from "./dev-fleet.test-helper.js";
import { runCli } from "./run-cli.test-helper.js";

const KEY = "local-dev-key-0123456789";
const ACCEPT = "application/json, text/event-stream";
const init = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } } });

describe("mcp-fleet dev --api-key-env", () => {
  let fleet: DevFleet;
  beforeAll(async () => {
    fleet = await startDevFleet(undefined, { env: { LOCAL_MCP_KEY: KEY }, args: ["--api-key-env", "LOCAL_MCP_KEY", "--roles", "support"] });
  }, 120_000);
  afterAll(async () => {
    await fleet?.stop();
  });

  it("refuses a client without the key with 401 and serves one with it", async () => {
    const without = await fetch(fleet.endpoint, { method: "POST", headers: { "content-type": "application/json", accept: ACCEPT }, body: init });
    expect(without.status).toBe(401);
    const withKey = await fetch(fleet.endpoint, { method: "POST", headers: { "content-type": "application/json", accept: ACCEPT, authorization: `Bearer ${KEY}` }, body: init });
    expect(withKey.status).toBe(200);
  });

  it("shows the key's roles' tools: support echoes, and does not write files", async () => {
    const run = await runCli(["tools", "--url", fleet.endpoint, "--json", "--exposed-only"], { env: { MCP_FLEET_TOKEN: KEY } });
    expect(run.code).toBe(0);
    const names = (JSON.parse(run.stdout) as { tools: { name: string }[] }).tools.map((t) => t.name);
    expect(names).toContain("everything__echo");
    expect(names).not.toContain("filesystem__write_file");
    expect(names).toContain("memory__read_graph");
  });
});
