/** Runs promtool (Prometheus 2.42 from apt) for the monitoring tests. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFiles } from "../generate.js";

export interface PromtoolResult {
  status: number | null;
  output: string;
}

export function promtool(args: string[], cwd: string): PromtoolResult {
  const run = spawnSync("promtool", args, { cwd, encoding: "utf8", timeout: 60_000 });
  if (run.error) throw new Error(`promtool could not run (${run.error.message}). Install it: apt-get install -y prometheus`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** Writes `files` to a fresh temp directory, runs `fn` in it, and removes it. */
export async function withFiles<T>(files: Record<string, string>, fn: (dir: string) => T | Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "mcp-fleet-monitoring-"));
  try {
    writeFiles(dir, files);
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
