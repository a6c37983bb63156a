/**
 * MCP conformance by revision: `conformance server --requirements 2026-07-28` and `--requirements 2025-11-25` of
 * @modelcontextprotocol/conformance 0.2.0-alpha.12 (npm alias `conformance-2026`; its runner needs Node 22+), each
 * run at its own wire (2026-07-28 stateless, 2025-11-25 with sessions), through the gateway (its bin, as deployed,
 * passthrough mode) in front of:
 * - our 2026-07-28 backend (SDK v2, dual-era) over stdio and over Streamable HTTP: 2026 callers pass through, 2025
 *   callers are translated (the gateway runs the MRTR rounds, listens for their subscriptions);
 * - our 2025-11-25 fixture (SDK v1) over stdio: 2025 callers as before, 2026 callers translated (its requests to
 *   the client become input_required rounds with the gateway's requestState).
 * Every scenario a revision requires must pass in every combination. The scenarios a revision runs without scoring
 * (the tasks extension, pending ones) are reported, not asserted.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { GatewayConfigInput } from "../src/config.js";
import { serveModernHttp } from "./fixtures/modern-server.js";
import { REPO, gatewayProcess, waitFor, type GatewayChild } from "./helpers.js";

const CONFORMANCE = join(REPO, "node_modules/conformance-2026/dist/index.js");
const REVISIONS = ["2026-07-28", "2025-11-25"] as const;
type Revision = (typeof REVISIONS)[number];
/** A run takes 2-4 s here; this bounds a hung one. */
const RUN_TIMEOUT_MS = 120_000;

/** The `server` scenarios each revision requires, from the package's own (frozen) requirement sets. */
function required(revision: Revision): string[] {
  const set = parse(readFileSync(join(REPO, `node_modules/conformance-2026/requirements/${revision}.yaml`), "utf8")) as { server: string[] };
  return set.server;
}

/**
 * Required scenarios allowed to fail, per combination, each with its reason. Must stay empty: add an entry only
 * with a reason, and remove it when fixed.
 */
const EXPECTED_FAILURES: Readonly<Record<string, Readonly<Record<string, string>>>> = {};

interface Run {
  scenarios: Map<string, { passed: number; failed: number }>;
  output: string;
  exitCode: number | null;
}

function runRequirements(url: string, revision: Revision): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CONFORMANCE, "server", "--url", url, "--requirements", revision], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`conformance --requirements ${revision} did not finish within ${RUN_TIMEOUT_MS} ms:\n${output.slice(-3000)}`));
    }, RUN_TIMEOUT_MS);
    child.once("exit", (exitCode) => {
      clearTimeout(timer);
      const scenarios = new Map<string, { passed: number; failed: number }>();
      for (const m of output.matchAll(/^[✓✗] (\S+): (\d+) passed, (\d+) failed$/gm)) scenarios.set(m[1]!, { passed: Number(m[2]), failed: Number(m[3]) });
      resolve({ scenarios, output, exitCode });
    });
  });
}

interface Combination {
  label: string;
  key: string;
  servers: () => Promise<GatewayConfigInput["servers"]>;
  close?: () => Promise<void>;
}

let modernHttp: { url: string; close: () => Promise<void> } | undefined;

const COMBINATIONS: Combination[] = [
  {
    label: "our 2026-07-28 backend (SDK v2) over stdio",
    key: "modern-stdio",
    servers: async () => [{ name: "conformance", transport: "stdio", command: process.execPath, args: ["--import", "tsx", "gateway/test/fixtures/modern-server.ts"], cwd: REPO }],
  },
  {
    label: "our 2026-07-28 backend (SDK v2) over Streamable HTTP",
    key: "modern-http",
    servers: async () => {
      modernHttp = await serveModernHttp();
      return [{ name: "conformance", transport: "http", url: modernHttp.url }];
    },
    close: async () => modernHttp?.close(),
  },
  {
    label: "our 2025-11-25 fixture (SDK v1) over stdio",
    key: "legacy-stdio",
    servers: async () => [{ name: "conformance", transport: "stdio", command: process.execPath, args: ["--import", "tsx", "gateway/test/fixtures/conformance-server.ts"], cwd: REPO }],
  },
];

describe.each(COMBINATIONS)("MCP conformance requirements through the gateway, in front of $label", (combination) => {
  let gateway: GatewayChild;

  beforeAll(async () => {
    gateway = await gatewayProcess({
      naming: { passthrough: true },
      logging: { level: "error" },
      // One client address opens every session of a run.
      sessions: { perClient: { createPerMinute: 100_000, burst: 100_000 } },
      servers: await combination.servers(),
    });
    const base = new URL(gateway.url);
    await waitFor(
      async () => {
        const status = await fetch(`${base.origin}/status`).then((r) => r.json() as Promise<{ servers: { state: string }[] }>, () => undefined);
        return status?.servers.every((s) => s.state === "up") === true ? true : undefined;
      },
      "the gateway's backend to be up (/status)",
      300,
      100,
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await combination.close?.();
  });

  it.each(REVISIONS)("passes every server scenario that %s requires", async (revision) => {
    const run = await runRequirements(gateway.url, revision);
    const allowed = EXPECTED_FAILURES[`${combination.key} ${revision}`] ?? {};
    const scenarios = required(revision);
    const missing = scenarios.filter((name) => !run.scenarios.has(name));
    expect(missing).toEqual([]);
    const failing = Object.fromEntries(scenarios.filter((name) => (run.scenarios.get(name)?.failed ?? 1) > 0 && !(name in allowed)).map((name) => [name, run.scenarios.get(name)]));
    expect(failing).toEqual({});
    for (const name of scenarios) expect(run.scenarios.get(name)!.passed).toBeGreaterThan(0);
    // The runner's own verdict (scored scenarios only) agrees, unless a failure is allowed above.
    expect(run.exitCode === 0 || Object.keys(allowed).length > 0).toBe(true);
  });
});
