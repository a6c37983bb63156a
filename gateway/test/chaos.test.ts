/**
 * Bounded chaos with real processes: stdio backends SIGKILLed at random while sessions call them (zero hung calls;
 * every failure a JSON-RPC error naming its server; each backend serving again within its restart backoff once
 * the killing stops), then the gateway executable itself SIGKILLed (its stdio children exit too: the watchdog).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { RunningGateway } from "../src/gateway.js";
import { REPO, connect, gateway, gatewayProcess, textOf, waitFor } from "./helpers.js";

const SERVER = join(REPO, "gateway/test/fixtures/resilience-server.mjs");
const SERVERS = ["alpha", "beta", "gamma"];
const RESTART = { initialDelayMs: 100, maxDelayMs: 400 };
const START_TIMEOUT_MS = 5_000;
/** A call that takes this long has hung (every backend answers `who` at once, and its timeoutMs is 3 s). */
const HUNG_MS = 10_000;
const backend = (name: string) => ({ name, transport: "stdio" as const, command: process.execPath, args: [SERVER], restart: RESTART, timeoutMs: 3_000, startTimeoutMs: START_TIMEOUT_MS });

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
});

const pidOf = async (client: Client, server: string): Promise<number | undefined> => {
  try {
    return (JSON.parse(textOf(await client.callTool({ name: `${server}__who`, arguments: {} }))) as { pid: number }).pid;
  } catch {
    return undefined;
  }
};

const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
};

describe("chaos", () => {
  it("backends killed at random under load: no call hangs, every failure names its server, each serves again within its backoff", async () => {
    const gw: RunningGateway = await gateway({ servers: SERVERS.map(backend) });
    cleanup.push(() => gw.close());
    const clients = await Promise.all(Array.from({ length: 8 }, () => connect(gw.url)));
    cleanup.push(() => Promise.all(clients.map((c) => c.close())));
    const killer = clients[0]!;
    let stop = false;
    const failures: string[] = [];
    let hung = 0;
    let calls = 0;
    const load = clients.map(async (client, i) => {
      for (let n = 0; !stop && n < 400; n++) {
        const server = SERVERS[(i + n) % SERVERS.length]!;
        calls += 1;
        let timer: NodeJS.Timeout | undefined;
        const watchdog = new Promise<"hung">((resolve) => (timer = setTimeout(() => resolve("hung"), HUNG_MS)));
        const outcome = await Promise.race([client.callTool({ name: `${server}__who`, arguments: {} }).then(() => "ok", (error: Error) => error.message), watchdog]);
        clearTimeout(timer);
        if (outcome === "hung") hung += 1;
        else if (outcome !== "ok") failures.push(outcome);
        if (outcome !== "ok") await new Promise((r) => setTimeout(r, 20));
      }
    });
    // Ten kills, 250 ms apart, of a backend picked at random.
    const kills: string[] = [];
    for (let k = 0; k < 10; k++) {
      await new Promise((r) => setTimeout(r, 250));
      const victim = SERVERS[Math.floor(Math.random() * SERVERS.length)]!;
      const pid = await pidOf(killer, victim);
      if (pid === undefined) continue;
      process.kill(pid, "SIGKILL");
      kills.push(victim);
    }
    const killsEndedAt = Date.now();
    stop = true;
    await Promise.all(load);
    expect(kills.length).toBeGreaterThan(3);
    expect(calls).toBeGreaterThan(50);
    expect(hung).toBe(0);
    expect(failures.filter((f) => !/^MCP error -320\d\d: Server "(alpha|beta|gamma)" /.test(f))).toEqual([]);
    // Once the killing stops, each backend serves again within its restart backoff (the longest delay, then its start).
    const bound = killsEndedAt + RESTART.maxDelayMs + START_TIMEOUT_MS;
    for (const server of SERVERS) {
      await waitFor(async () => ((await pidOf(killer, server)) !== undefined || Date.now() > bound ? true : undefined), `${server} to serve again`, 400, 25);
      expect(await pidOf(killer, server)).toBeGreaterThan(0);
    }
  });

  it("the gateway SIGKILLed: every stdio child exits too", async () => {
    const gw = await gatewayProcess({ servers: SERVERS.map(backend) });
    cleanup.push(() => gw.stop("SIGKILL"));
    const client = await connect(gw.url);
    const pids = (await Promise.all(SERVERS.map((s) => pidOf(client, s)))).filter((p): p is number => p !== undefined);
    expect(pids).toHaveLength(3);
    // The watchdog shells of the children are the gateway's children too: take them all before it dies.
    const tree = readdirSync("/proc").filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === gw.pid;
      } catch {
        return false;
      }
    });
    process.kill(gw.pid, "SIGKILL");
    await client.close().catch(() => undefined);
    await gw.exited;
    await waitFor(() => ([...pids, ...tree].every((pid) => !alive(pid)) ? true : undefined), "every child of the killed gateway to exit", 200, 25);
    expect([...pids, ...tree].filter(alive)).toEqual([]);
  });
});
