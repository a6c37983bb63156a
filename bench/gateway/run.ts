/**
 * `npm run bench`: our gateway against direct HTTP and peer gateways, side by side, on 127.0.0.1.
 *
 * Starts every target itself (each in front of the same server-everything), then runs rounds; in each round, for
 * each concurrency, every target gets one phase, in an order rotated per round (interleaved, so that drift of the
 * machine hits every target alike). Prints a table per concurrency and writes bench/results/latest.md (+ .json).
 *
 * Before the first round, each target serves calls for a while at the highest concurrency, unmeasured (`--warm-start`):
 * a fresh Node process takes tens of thousands of calls to reach its steady speed (JIT tiers, heap sizes), and a
 * target of several processes (the two-hop path) would otherwise pay that warm-up in its measured phases.
 *
 *   npm run bench -- [--duration 4] [--warmup 0.5] [--warm-start 5] [--rounds 3] [--concurrency 1,8,32]
 *                    [--targets direct,gateway,gateway-2026,gateway-oauth,gateway-ratelimit,mcp-proxy,supergateway,mcp-hub] [--out bench/results/latest.md]
 *
 * `gateway-2026` is the same gateway called the 2026-07-28 way (stateless, `_meta` on every request).
 */
import { cpus, loadavg } from "node:os";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { parseArgs } from "node:util";
import { runPhase, type PhaseResult } from "./load.js";
import { aggregate, table, type Row } from "./report.js";
import { DEFAULT_TARGETS, ROOT, TARGET_NAMES, startTarget, type RunningTarget, type TargetName } from "./targets.js";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "4" },
    warmup: { type: "string", default: "0.5" },
    "warm-start": { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    concurrency: { type: "string", default: "1,8,32" },
    targets: { type: "string", default: DEFAULT_TARGETS.join(",") },
    out: { type: "string", default: "bench/results/latest.md" },
    "max-minutes": { type: "string", default: "15" },
    "update-readme": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  process.stdout.write(
    [
      "Usage: npm run bench -- [options]",
      "",
      "Our gateway against direct HTTP and peer gateways, side by side, on 127.0.0.1 (each in front of server-everything).",
      "",
      "  --duration S        seconds measured per phase (default 4)",
      "  --warmup S          seconds of warm-up per phase (default 0.5)",
      "  --warm-start S      seconds each target serves at the highest concurrency before round 1, unmeasured (default 5)",
      "  --rounds N          rounds, every target once per concurrency in each (default 3)",
      "  --concurrency LIST  client concurrencies (default 1,8,32)",
      `  --targets LIST      of ${TARGET_NAMES.join(", ")} (default: all); gateway-2026 is the gateway called the 2026-07-28 way`,
      "  --out FILE          report (default bench/results/latest.md, plus .json)",
      "  --max-minutes M     bound of the whole run (default 15)",
      "  --update-readme     write the figures into README.md",
      "",
    ].join("\n"),
  );
  process.exit(0);
}

function positive(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} ${raw}: expected a non-negative number`);
  return n;
}

const durationMs = positive("duration", values.duration) * 1000;
const warmupMs = positive("warmup", values.warmup) * 1000;
const warmStartMs = positive("warm-start", values["warm-start"]) * 1000;
const rounds = Math.max(1, Math.floor(positive("rounds", values.rounds)));
const concurrencies = values.concurrency.split(",").map((c) => Math.max(1, Math.floor(positive("concurrency", c))));
/** The concurrency targets are warmed at. */
const topConcurrency = Math.max(...concurrencies);
const maxMs = positive("max-minutes", values["max-minutes"]) * 60_000;
const wanted = values.targets.split(",").map((t) => t.trim());
for (const t of wanted) {
  if (!(TARGET_NAMES as readonly string[]).includes(t)) throw new Error(`--targets: unknown target ${t}; known: ${TARGET_NAMES.join(", ")}`);
}
const outFile = isAbsolute(values.out) ? values.out : join(ROOT, values.out);

const log = (line: string) => process.stderr.write(`${line}\n`);
const running: RunningTarget[] = [];
const unavailable = new Map<string, string>();

async function stopAll(): Promise<void> {
  await Promise.allSettled(running.splice(0).map((t) => t.stop()));
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping targets ...`);
    void stopAll().then(() => process.exit(130));
  });
}

const loadAtStart = loadavg()[0] ?? 0;

async function main(): Promise<void> {
  const startedAt = Date.now();
  for (const name of wanted as TargetName[]) {
    log(`starting ${name} ...`);
    try {
      const target = await startTarget(name);
      running.push(target);
      log(`  ${name}: ${target.url} (pid ${target.pid}, tool ${target.tool})`);
    } catch (error) {
      const reason = (error as Error).message.split("\n")[0] ?? "unknown";
      unavailable.set(name, reason);
      log(`  ${name}: UNAVAILABLE: ${(error as Error).message}`);
    }
  }
  if (running.length === 0) throw new Error("no target could be started");

  if (warmStartMs > 0) {
    for (const target of running) {
      log(`warming ${target.name}: ${warmStartMs / 1000} s at C=${topConcurrency}, unmeasured ...`);
      try {
        const result = await runPhase(target, topConcurrency, { durationMs: warmStartMs, warmupMs: 0 });
        if (result.errors > 0) log(`  ${target.name}: ${result.errors} errors while warming (first: ${result.firstError})`);
      } catch (error) {
        log(`  ${target.name}: warm start failed: ${(error as Error).message}`);
      }
    }
  }

  const phases = new Map<string, PhaseResult[]>();
  let truncated = false;
  outer: for (let round = 0; round < rounds; round++) {
    for (const concurrency of concurrencies) {
      const order = running.map((_, i) => running[(i + round) % running.length] as RunningTarget);
      for (const target of order) {
        if (Date.now() - startedAt > maxMs) {
          truncated = true;
          break outer;
        }
        const key = `${target.name}@${concurrency}`;
        try {
          const result = await runPhase(target, concurrency, { durationMs, warmupMs });
          phases.set(key, [...(phases.get(key) ?? []), result]);
          log(
            `round ${round + 1}/${rounds} C=${concurrency} ${target.name}: ${((result.ok * 1000) / result.wallMs).toFixed(0)} calls/s, ${result.errors} errors, ${(result.cpuMs / Math.max(1, result.ok)).toFixed(3)} CPU ms/call${result.firstError !== undefined ? ` (first error: ${result.firstError})` : ""}`,
          );
        } catch (error) {
          log(`round ${round + 1}/${rounds} C=${concurrency} ${target.name}: phase failed: ${(error as Error).message}`);
          phases.set(key, [...(phases.get(key) ?? []), { ok: 0, errors: concurrency, latencies: [], wallMs: 0, cpuMs: 0, generatorCpuMs: 0, peakRssBytes: 0, firstError: (error as Error).message }]);
        }
      }
    }
  }
  await stopAll();

  const rows: Row[] = [];
  for (const concurrency of concurrencies) {
    for (const name of wanted) {
      const list = phases.get(`${name}@${concurrency}`);
      if (list !== undefined) rows.push(aggregate(name, concurrency, list));
    }
  }
  const markdown = render(rows, truncated, (Date.now() - startedAt) / 1000);
  process.stdout.write(`\n${markdown}\n`);
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, `${markdown}\n`);
  writeFileSync(outFile.replace(/\.md$/, ".json"), `${JSON.stringify({ settings: settings(), rows, unavailable: Object.fromEntries(unavailable) }, null, 2)}\n`);
  log(`wrote ${outFile}`);
  if (values["update-readme"]) {
    updateReadme(markdown);
    log("updated the Performance section of README.md");
  }
}

const README_START = "<!-- bench:start (npm run bench -- --update-readme) -->";
const README_END = "<!-- bench:end -->";

/** Replaces the benchmark block of README.md's "Performance" section (appending the section if missing). */
function updateReadme(markdown: string): void {
  const file = join(ROOT, "README.md");
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  // The report's own title becomes a sub-heading of "Performance".
  const block = `${README_START}\n${markdown.replace(/^# Gateway benchmark\n/, "").replace(/^## /gm, "### ").trim()}\n${README_END}`;
  const start = text.indexOf(README_START);
  const end = text.indexOf(README_END);
  const next =
    start >= 0 && end > start
      ? `${text.slice(0, start)}${block}${text.slice(end + README_END.length)}`
      : `${text.trimEnd()}\n\n## Performance\n\nOur gateway against direct HTTP and peer gateways (see bench/README.md for what is measured).\n\n${block}\n`;
  writeFileSync(file, next);
}

function settings() {
  return { durationMs, warmupMs, warmStartMs, rounds, concurrencies, targets: wanted, node: process.version, cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, loadAtStart, loadAtEnd: loadavg()[0] ?? 0 };
}

function render(rows: readonly Row[], truncated: boolean, seconds: number): string {
  const s = settings();
  const parts = [
    `# Gateway benchmark`,
    "",
    `${new Date().toISOString()} · ${s.cores} × ${s.cpu} · Node ${s.node} · ${rounds} interleaved round(s) × ${durationMs / 1000} s per target and concurrency (after ${warmupMs / 1000} s warm-up; each target first warmed ${warmStartMs / 1000} s at C=${topConcurrency}, unmeasured) · ${seconds.toFixed(0)} s in all · load average ${loadAtStart.toFixed(1)} at start, ${(loadavg()[0] ?? 0).toFixed(1)} at end${truncated ? " · TRUNCATED by --max-minutes" : ""}`,
    "",
    `Command: \`npm run bench -- --duration ${durationMs / 1000} --warm-start ${warmStartMs / 1000} --rounds ${rounds} --concurrency ${concurrencies.join(",")}\``,
    "",
    "Every call is `tools/call echo` of server-everything through the target, one MCP session per worker, checked. " +
      "CPU is utime+stime of the target's whole process tree (gateway or peer plus its server-everything child(ren)) during the measured window, divided by successful calls. " +
      "RSS is the tree's summed VmRSS, peak of samples every 0.5 s. " +
      "Generator CPU is the load generator's own (one process, raw sockets), which shares the cores with the target.",
    "",
  ];
  for (const concurrency of concurrencies) {
    const subset = rows.filter((r) => r.concurrency === concurrency);
    if (subset.length === 0) continue;
    parts.push(`## Concurrency ${concurrency}`, "", table(subset), "");
  }
  const errored = rows.filter((r) => r.firstError !== undefined);
  if (errored.length > 0) {
    parts.push("## Errors", "");
    for (const r of errored) parts.push(`- ${r.target} at C=${r.concurrency}: ${r.errors} errors; first: ${r.firstError}`);
    parts.push("");
  }
  if (unavailable.size > 0) {
    parts.push("## Not measured", "");
    for (const [name, reason] of unavailable) parts.push(`- ${name}: ${reason}`);
    parts.push("");
  }
  return parts.join("\n");
}

main().catch(async (error: unknown) => {
  log(`bench failed: ${(error as Error).stack ?? String(error)}`);
  await stopAll();
  process.exit(1);
});
