/** Aggregates phases into one row per target and concurrency, and renders the tables. */
import type { PhaseResult } from "./load.js";

export interface Row {
  target: string;
  concurrency: number;
  callsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  cpuMsPerCall: number;
  /** The load generator's own CPU per call (it shares the machine with the target). */
  generatorCpuMsPerCall: number;
  peakRssMiB: number;
  rounds: number;
  firstError?: string;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export function aggregate(target: string, concurrency: number, phases: readonly PhaseResult[]): Row {
  const ok = phases.reduce((a, p) => a + p.ok, 0);
  const wallMs = phases.reduce((a, p) => a + p.wallMs, 0);
  const cpuMs = phases.reduce((a, p) => a + p.cpuMs, 0);
  const latencies = phases.flatMap((p) => p.latencies).sort((a, b) => a - b);
  const row: Row = {
    target,
    concurrency,
    callsPerSecond: wallMs > 0 ? (ok * 1000) / wallMs : 0,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errors: phases.reduce((a, p) => a + p.errors, 0),
    cpuMsPerCall: ok > 0 ? cpuMs / ok : Number.NaN,
    generatorCpuMsPerCall: ok > 0 ? phases.reduce((a, p) => a + p.generatorCpuMs, 0) / ok : Number.NaN,
    peakRssMiB: Math.max(0, ...phases.map((p) => p.peakRssBytes)) / 1024 / 1024,
    rounds: phases.length,
  };
  const firstError = phases.find((p) => p.firstError !== undefined)?.firstError;
  if (firstError !== undefined) row.firstError = firstError;
  return row;
}

const fmt = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
const ratio = (a: number, b: number | undefined) => (b !== undefined && Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : "n/a");

/** A markdown table for one concurrency: absolute figures, then ratios against direct HTTP and against our gateway. */
export function table(rows: readonly Row[]): string {
  const direct = rows.find((r) => r.target === "direct");
  const gateway = rows.find((r) => r.target === "gateway");
  const header = [
    "target",
    "calls/s",
    "p50 ms",
    "p99 ms",
    "errors",
    "CPU ms/call (tree)",
    "peak RSS MiB (tree)",
    "generator CPU ms/call",
    "calls/s vs direct",
    "calls/s vs gateway",
    "CPU/call vs direct",
    "CPU/call vs gateway",
  ];
  const lines = rows.map((r) => [
    r.target,
    fmt(r.callsPerSecond, 0),
    fmt(r.p50Ms, 2),
    fmt(r.p99Ms, 2),
    String(r.errors),
    fmt(r.cpuMsPerCall, 3),
    fmt(r.peakRssMiB, 0),
    fmt(r.generatorCpuMsPerCall, 3),
    ratio(r.callsPerSecond, direct?.callsPerSecond),
    ratio(r.callsPerSecond, gateway?.callsPerSecond),
    ratio(r.cpuMsPerCall, direct?.cpuMsPerCall),
    ratio(r.cpuMsPerCall, gateway?.cpuMsPerCall),
  ]);
  return [`| ${header.join(" | ")} |`, `|${header.map((_h, i) => (i === 0 ? " --- " : " ---: ")).join("|")}|`, ...lines.map((l) => `| ${l.join(" | ")} |`)].join("\n");
}
