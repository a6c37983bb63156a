/**
 * One measured phase: `concurrency` workers, each with its own MCP session through a target, calling
 * server-everything's `echo` back to back for a fixed time (bounded in count too), checking every answer.
 */
import { openSession, type McpSession } from "./mcp-http.js";
import { cpuMsBetween, cpuSnapshot, treeRssBytes } from "./proctree.js";
import type { RunningTarget } from "./targets.js";

export interface PhaseOptions {
  durationMs: number;
  warmupMs: number;
  /** Upper bound of calls per worker and phase, whatever the duration. @default 1000000 */
  maxCallsPerWorker?: number;
}

export interface PhaseResult {
  ok: number;
  errors: number;
  /** Latency of each successful call, in milliseconds. */
  latencies: number[];
  wallMs: number;
  /** CPU time of the target's whole process tree during the measured window. */
  cpuMs: number;
  /** CPU time of the load generator itself (this process) during the measured window. */
  generatorCpuMs: number;
  peakRssBytes: number;
  firstError?: string;
}

/** A worker's pause after a failed call. */
const ERROR_PAUSE_MS = 10;

/** Sessions opened at once. */
const OPEN_BATCH = 4;

interface WorkerTally {
  ok: number;
  errors: number;
  latencies: number[];
  firstError?: string;
}

async function worker(session: McpSession, tool: string, tag: string, endAt: number, maxCalls: number, tally: WorkerTally, record: boolean): Promise<void> {
  for (let n = 0; n < maxCalls && performance.now() < endAt; n++) {
    const message = `${tag}-${n}`;
    const started = performance.now();
    try {
      const response = await session.call("tools/call", { name: tool, arguments: { message } });
      const content = (response.result?.content ?? []) as Array<{ type?: string; text?: string }>;
      if (response.error !== undefined) throw new Error(`JSON-RPC error ${response.error.code}: ${response.error.message}`);
      if (response.result?.isError === true || content[0]?.text !== `Echo: ${message}`) {
        throw new Error(`unexpected result: ${JSON.stringify(response.result).slice(0, 200)}`);
      }
      if (record) {
        tally.latencies.push(performance.now() - started);
        tally.ok++;
      }
    } catch (error) {
      if (record) tally.errors++;
      tally.firstError ??= (error as Error).message;
      // A failing target must not turn the worker into a busy loop (it would starve the target of CPU).
      await new Promise((resolve) => setTimeout(resolve, ERROR_PAUSE_MS));
    }
  }
}

export async function runPhase(target: RunningTarget, concurrency: number, options: PhaseOptions): Promise<PhaseResult> {
  const sessions: McpSession[] = [];
  try {
    // Sessions are opened a few at a time (outside the measured window): some targets spawn a process per session.
    for (let i = 0; i < concurrency; i += OPEN_BATCH) {
      const batch = Math.min(OPEN_BATCH, concurrency - i);
      const opened = await Promise.allSettled(Array.from({ length: batch }, () => openSession(target.protocol, target.url, target.headers)));
      for (const o of opened) if (o.status === "fulfilled") sessions.push(o.value);
      const failed = opened.find((o): o is PromiseRejectedResult => o.status === "rejected");
      if (failed !== undefined) throw new Error(`opening session ${sessions.length + 1} of ${concurrency}: ${(failed.reason as Error).message}`);
    }

    const maxCalls = options.maxCallsPerWorker ?? 1_000_000;
    const tallies: WorkerTally[] = sessions.map(() => ({ ok: 0, errors: 0, latencies: [] }));
    if (options.warmupMs > 0) {
      const warmEnd = performance.now() + options.warmupMs;
      await Promise.all(sessions.map((s, i) => worker(s, target.tool, `warm${i}`, warmEnd, maxCalls, tallies[i] as WorkerTally, false)));
    }

    let peakRss = treeRssBytes(target.pid);
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, treeRssBytes(target.pid))), 500);
    const before = cpuSnapshot(target.pid);
    const ownBefore = process.cpuUsage();
    const started = performance.now();
    try {
      const endAt = started + options.durationMs;
      await Promise.all(sessions.map((s, i) => worker(s, target.tool, `w${i}`, endAt, maxCalls, tallies[i] as WorkerTally, true)));
    } finally {
      clearInterval(sampler);
    }
    const wallMs = performance.now() - started;
    const own = process.cpuUsage(ownBefore);
    const cpuMs = cpuMsBetween(before, cpuSnapshot(target.pid));
    peakRss = Math.max(peakRss, treeRssBytes(target.pid));

    const result: PhaseResult = {
      ok: tallies.reduce((a, t) => a + t.ok, 0),
      errors: tallies.reduce((a, t) => a + t.errors, 0),
      latencies: tallies.flatMap((t) => t.latencies),
      wallMs,
      cpuMs,
      generatorCpuMs: (own.user + own.system) / 1000,
      peakRssBytes: peakRss,
    };
    const firstError = tallies.find((t) => t.firstError !== undefined)?.firstError;
    if (firstError !== undefined) result.firstError = firstError;
    return result;
  } finally {
    await Promise.allSettled(sessions.map((s) => s.close()));
  }
}
