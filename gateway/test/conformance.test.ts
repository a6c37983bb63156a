/**
 * MCP conformance: the active server suite of @modelcontextprotocol/conformance 0.1.13, run by its own CLI,
 * first against our fixture backend directly (so a failure below is the gateway's, not the fixture's), then
 * through the gateway (its bin, as deployed) in passthrough mode with the fixture as its only, stdio, backend.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayConfigInput } from "../src/config.js";
import { serveHttp } from "./fixtures/conformance-server.js";
import { REPO, freePort, tempDir, waitFor } from "./helpers.js";

const CONFORMANCE = join(REPO, "node_modules/@modelcontextprotocol/conformance/dist/index.js");
const GATEWAY_BIN = join(REPO, "gateway/bin/mcp-fleet-gateway.js");
/** Scenarios of the active suite in 0.1.13 (the `pending` ones, json-schema-2020-12 and server-sse-polling, are not run). */
const ACTIVE_SCENARIOS = 30;
/**
 * Scenarios allowed to fail through the gateway, each with the reason. Must stay empty: add an entry only with
 * a reason, and remove it when fixed.
 */
const EXPECTED_FAILURES: Readonly<Record<string, string>> = {};
/** The suite takes ~7 s here; this bounds a hung run. */
const SUITE_TIMEOUT_MS = 150_000;

interface SuiteResult {
  scenarios: Map<string, { passed: number; failed: number }>;
  announced: number;
  total: { passed: number; failed: number };
  output: string;
  exitCode: number | null;
}

const children: ChildProcess[] = [];

/** Runs `conformance server --url URL --suite active` and parses its summary. */
function runSuite(url: string): Promise<SuiteResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CONFORMANCE, "server", "--url", url, "--suite", "active"], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`conformance suite did not finish within ${SUITE_TIMEOUT_MS} ms:\n${output.slice(-3000)}`));
    }, SUITE_TIMEOUT_MS);
    child.once("exit", (exitCode) => {
      clearTimeout(timer);
      const scenarios = new Map<string, { passed: number; failed: number }>();
      for (const m of output.matchAll(/^[✓✗] (\S+): (\d+) passed, (\d+) failed$/gm)) {
        scenarios.set(m[1] as string, { passed: Number(m[2]), failed: Number(m[3]) });
      }
      const announced = Number(/Running active suite \((\d+) scenarios\)/.exec(output)?.[1] ?? Number.NaN);
      const total = /^Total: (\d+) passed, (\d+) failed$/m.exec(output);
      resolve({ scenarios, announced, total: { passed: Number(total?.[1] ?? 0), failed: Number(total?.[2] ?? Number.NaN) }, output, exitCode });
    });
  });
}

function failing(result: SuiteResult): Record<string, string> {
  const failed: Record<string, string> = {};
  for (const [name, counts] of result.scenarios) {
    if (counts.failed > 0) {
      // The CLI prints each failed check's error under "=== Failed Checks ==="; keep the scenario's section.
      const section = result.output.split(`=== Running scenario: ${name} ===`)[1]?.split("=== Running scenario:")[0] ?? "";
      failed[name] = (/Error: .*/.exec(section)?.[0] ?? `${counts.failed} failed`).slice(0, 300);
    }
  }
  return failed;
}

function expectAllPass(result: SuiteResult, allowed: Readonly<Record<string, string>>): void {
  expect(result.announced).toBe(ACTIVE_SCENARIOS);
  expect(result.scenarios.size).toBe(ACTIVE_SCENARIOS);
  const unexpected = Object.fromEntries(Object.entries(failing(result)).filter(([name]) => !(name in allowed)));
  expect(unexpected).toEqual({});
  expect(result.total.passed).toBeGreaterThanOrEqual(ACTIVE_SCENARIOS);
  if (Object.keys(allowed).length === 0) {
    expect(result.total.failed).toBe(0);
    expect(result.exitCode).toBe(0);
  }
}

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

describe("MCP conformance (active server suite)", () => {
  it("passes every scenario against the fixture backend directly", async () => {
    const fixture = await serveHttp();
    try {
      const result = await runSuite(fixture.url);
      expectAllPass(result, {});
      expect(result.exitCode).toBe(0);
    } finally {
      await fixture.close();
    }
  });

  describe("through the gateway in passthrough mode, fixture as its stdio backend", () => {
    let gateway: ChildProcess;
    let url = "";
    let dir = "";

    beforeAll(async () => {
      const port = await freePort();
      dir = tempDir("conformance");
      const config: GatewayConfigInput = {
        listen: { host: "127.0.0.1", port, path: "/mcp" },
        naming: { passthrough: true },
        logging: { level: "error" },
        servers: [
          {
            name: "conformance",
            transport: "stdio",
            command: process.execPath,
            args: ["--import", "tsx", "gateway/test/fixtures/conformance-server.ts"],
            cwd: REPO,
          },
        ],
      };
      const file = join(dir, "gateway.json");
      writeFileSync(file, JSON.stringify(config));
      gateway = spawn(process.execPath, [GATEWAY_BIN, "--config", file], { cwd: REPO, stdio: ["ignore", "ignore", "inherit"] });
      children.push(gateway);
      url = `http://127.0.0.1:${port}/mcp`;
      await waitFor(
        async () => {
          if (gateway.exitCode !== null) throw new Error(`gateway exited with ${gateway.exitCode}`);
          // /readyz says the replica serves; /status says the backend is up too.
          const status = await fetch(`http://127.0.0.1:${port}/status`).then((r) => r.json() as Promise<{ servers: { state: string }[] }>, () => undefined);
          return status?.servers.every((s) => s.state === "up") === true ? true : undefined;
        },
        "the gateway's backend to be up (/status)",
        300,
        100,
      );
    });

    afterAll(async () => {
      if (gateway.exitCode === null && gateway.signalCode === null) {
        const exited = new Promise((resolve) => gateway.once("exit", resolve));
        gateway.kill("SIGTERM");
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      }
      rmSync(dir, { recursive: true, force: true });
    });

    it("passes every scenario", async () => {
      const result = await runSuite(url);
      expectAllPass(result, EXPECTED_FAILURES);
      // Forwarding that chained proxies get wrong is part of the suite: check those scenarios ran and passed.
      for (const name of ["tools-call-with-progress", "tools-call-with-logging", "tools-call-sampling", "tools-call-elicitation", "resources-subscribe", "dns-rebinding-protection"]) {
        expect(result.scenarios.get(name)?.failed).toBe(0);
        expect(result.scenarios.get(name)?.passed).toBeGreaterThan(0);
      }
    });
  });
});
