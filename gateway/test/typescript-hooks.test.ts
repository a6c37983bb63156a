import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO, tempDir } from "./helpers.js";

const BIN = join(REPO, "gateway/bin/mcp-fleet-gateway.js");
const run = (cache: string) => execFileSync(process.execPath, [BIN, "--help"], { env: { ...process.env, MCP_FLEET_GATEWAY_CACHE: cache }, encoding: "utf8" });

describe("the gateway's TypeScript loader", () => {
  it("runs the gateway from its sources and keeps the compiled modules in a cache directory only its user may write", () => {
    const cache = join(tempDir("ts-cache"), "cache");
    expect(run(cache)).toMatch(/^Usage: mcp-fleet-gateway --config FILE/);
    const files = readdirSync(cache);
    expect(files.length).toBeGreaterThan(0);
    expect(files.every((f) => /^[0-9a-f]{64}\.mjs$/.test(f))).toBe(true);
    expect(statSync(cache).mode & 0o077).toBe(0);
    expect(run(cache)).toMatch(/^Usage: mcp-fleet-gateway --config FILE/);
    expect(readdirSync(cache).sort()).toEqual(files.sort());
  });

  it("neither reads nor writes a cache directory others may write to (what it holds would be run)", () => {
    const cache = join(tempDir("ts-cache-open"), "cache");
    mkdirSync(cache);
    chmodSync(cache, 0o777);
    expect(run(cache)).toMatch(/^Usage: mcp-fleet-gateway --config FILE/);
    expect(readdirSync(cache)).toEqual([]);
  });
});
