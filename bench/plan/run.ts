/**
 * `npm run bench:plan`: plans fleets of 10, 100 and 1,000 generated servers (the staging stack's program under
 * Pulumi's mocks, as `mcp-fleet plan` does) and reports time and peak memory. Each size runs in its own process so
 * memory figures do not mix. Targets: 1,000 servers in under 20 s; time(1,000) at most 12x time(100).
 *
 *   npm run bench:plan                 # 10, 100, 1000
 *   npm run bench:plan -- --sizes 10,50
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

interface Sample {
  servers: number;
  resources: number;
  /** Wall time of the plan (program + registrations), ms. */
  planMs: number;
  /** CPU time (user + system) of the plan, ms: what the machine's load does not inflate. */
  cpuMs: number;
  /** Peak resident set size of the process, MiB. */
  maxRssMiB: number;
  heapUsedMiB: number;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function child(servers: number): Promise<void> {
  const { planStack } = await import("../../stacks/plan-stack.js");
  // Load the program and the provider SDKs first: the figures are the plan's, not module loading's.
  await import("../../stacks/program.js");
  const { catalogOf, generatedSpecs } = await import("../../components/testing/fixtures.js");
  const catalog = catalogOf(generatedSpecs(servers));
  const started = performance.now();
  const cpu = process.cpuUsage();
  const plan = await planStack({ stack: "staging", catalog });
  const planMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const sample: Sample = {
    servers,
    resources: plan.resources.length,
    planMs: Math.round(planMs),
    cpuMs: Math.round((used.user + used.system) / 1000),
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    heapUsedMiB: Math.round(process.memoryUsage().heapUsed / (1024 * 1024)),
  };
  process.stdout.write(`${JSON.stringify(sample)}\n`);
}

function parent(): void {
  const sizes = (arg("--sizes") ?? "10,100,1000").split(",").map(Number);
  const samples: Sample[] = [];
  for (const n of sizes) {
    const out = execFileSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--child", String(n)], { encoding: "utf8", timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
    const sample = JSON.parse(out.trim().split("\n").pop()!) as Sample;
    samples.push(sample);
    console.log(`${String(n).padStart(5)} servers  ${String(sample.resources).padStart(6)} resources  ${(sample.planMs / 1000).toFixed(2).padStart(7)} s (cpu ${(sample.cpuMs / 1000).toFixed(2)} s)  peak RSS ${String(sample.maxRssMiB).padStart(5)} MiB  heap ${sample.heapUsedMiB} MiB`);
  }
  const at = (n: number) => samples.find((s) => s.servers === n);
  const s100 = at(100);
  const s1000 = at(1000);
  if (s1000 !== undefined) {
    const ok = s1000.planMs < 20_000;
    console.log(`target 1000 servers < 20 s: ${(s1000.planMs / 1000).toFixed(2)} s ${ok ? "PASS" : "FAIL"}`);
    if (!ok) process.exitCode = 1;
  }
  if (s100 !== undefined && s1000 !== undefined) {
    const ratio = s1000.planMs / s100.planMs;
    const ok = ratio <= 12;
    console.log(`target time(1000) <= 12x time(100): ${ratio.toFixed(1)}x ${ok ? "PASS" : "FAIL"}`);
    if (!ok) process.exitCode = 1;
  }
}

const childSize = arg("--child");
if (childSize !== undefined) await child(Number(childSize));
else parent();
