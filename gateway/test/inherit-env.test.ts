/**
 * `inheritEnv`: a stdio backend gets the named variables of the gateway's own environment (how a pod's secrets
 * reach a stdio server behind the adapter), nothing else of it, and the values never reach the gateway's logs.
 */
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGatewayConfig } from "../src/config.js";
import { startGateway, type RunningGateway } from "../src/gateway.js";
import { childEnv } from "../src/upstream/stdio.js";
import { FIXTURE, connect, textOf, waitFor } from "./helpers.js";

const TOKEN = `tok-${randomBytes(12).toString("hex")}`;
const NOT_LISTED = `nl-${randomBytes(12).toString("hex")}`;
const VARS = {
  MCP_FLEET_TEST_TOKEN: TOKEN,
  MCP_FLEET_TEST_NOT_LISTED: NOT_LISTED,
  MCP_FLEET_TEST_OVERRIDDEN: "from-gateway",
};
const lines: Record<string, unknown>[] = [];
const raw: string[] = [];
let gw: RunningGateway | undefined;
let client: Client | undefined;

interface EnvReport {
  keys: string[];
  values: Record<string, string | null>;
}

async function envOfBackend(c: Client, names: string[]): Promise<EnvReport> {
  const result = await c.callTool({ name: "fixture__env", arguments: { names } });
  return JSON.parse(textOf(result)) as EnvReport;
}

beforeAll(async () => {
  Object.assign(process.env, VARS);
  delete process.env.MCP_FLEET_TEST_ABSENT;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw.push(chunk.toString());
      for (const line of chunk.toString().split("\n")) if (line.trim() !== "") lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const config = parseGatewayConfig({
    listen: { host: "127.0.0.1", port: 0 },
    servers: [
      {
        name: "fixture",
        transport: "stdio",
        command: "node",
        args: ["--import", "tsx", FIXTURE],
        env: { MCP_FLEET_TEST_OVERRIDDEN: "from-config" },
        inheritEnv: ["MCP_FLEET_TEST_TOKEN", "MCP_FLEET_TEST_ABSENT", "MCP_FLEET_TEST_OVERRIDDEN"],
        restart: { initialDelayMs: 50, maxDelayMs: 200 },
      },
    ],
  });
  gw = await startGateway(config, { logger: pino({ level: "trace" }, sink), sessionSecret: "test-secret" });
  client = await connect(gw.url);
});

afterAll(async () => {
  await client?.close().catch(() => undefined);
  await gw?.close();
  for (const name of Object.keys(VARS)) delete process.env[name];
});

describe("inheritEnv", () => {
  it("hands the child the listed variables of the gateway's environment, and no others", async () => {
    const report = await envOfBackend(client!, ["MCP_FLEET_TEST_TOKEN", "MCP_FLEET_TEST_ABSENT", "MCP_FLEET_TEST_OVERRIDDEN", "MCP_FLEET_TEST_NOT_LISTED"]);
    expect(report.values).toEqual({
      MCP_FLEET_TEST_TOKEN: TOKEN,
      MCP_FLEET_TEST_ABSENT: null, // unset in the gateway: simply absent
      MCP_FLEET_TEST_OVERRIDDEN: "from-config", // the config's `env` wins
      MCP_FLEET_TEST_NOT_LISTED: null, // set in the gateway, not listed: not passed
    });
    expect(report.keys.filter((k) => k.startsWith("MCP_FLEET_TEST_"))).toEqual(["MCP_FLEET_TEST_OVERRIDDEN", "MCP_FLEET_TEST_TOKEN"]);
  });

  it("warns once, by name, about a listed variable that is unset, even across restarts", async () => {
    const warnings = () => lines.filter((l) => l.msg?.toString().startsWith("inheritEnv names variables unset"));
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ level: 40, server: "fixture", missingEnv: ["MCP_FLEET_TEST_ABSENT"] });
    const pidBefore = textOf(await client!.callTool({ name: "fixture__pid" }));
    await client!.callTool({ name: "fixture__crash" }).catch(() => undefined);
    // The restarted child is a new process that again gets the inherited value.
    const pidAfter = await waitFor(async () => {
      try {
        const pid = textOf(await client!.callTool({ name: "fixture__pid" }));
        return pid !== pidBefore ? pid : undefined;
      } catch {
        return undefined;
      }
    }, "the backend to restart");
    expect(pidAfter).not.toBe(pidBefore);
    expect((await envOfBackend(client!, ["MCP_FLEET_TEST_TOKEN"])).values.MCP_FLEET_TEST_TOKEN).toBe(TOKEN);
    expect(warnings()).toHaveLength(1);
  });

  it("never writes an inherited value to the logs", () => {
    expect(lines.length).toBeGreaterThan(5); // trace level: the gateway did log this run
    const all = raw.join("");
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(NOT_LISTED);
  });
});

describe("childEnv", () => {
  it("builds the child's environment from the basics, the inherited names and the config, in that order of precedence", () => {
    const missing: string[][] = [];
    const env = childEnv(
      { B: "config" },
      ["A", "B", "GONE"],
      { PATH: "/bin", HOME: "/home/x", A: "a", B: "b", SECRET_NOT_LISTED: "s" },
      (names) => missing.push(names),
    );
    expect(env).toEqual({ PATH: "/bin", HOME: "/home/x", A: "a", B: "config" });
    expect(missing).toEqual([["GONE"]]);
    childEnv({}, ["A"], { A: "a" }, (names) => missing.push(names));
    expect(missing).toHaveLength(1); // nothing missing: not called
  });
});
