/** Test helper: runs the real `mcp-fleet` command as a child process and collects its output and exit code. */
import { spawn } from "node:child_process";
import { cp, mkdtemp, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

export const REPO_ROOT = join(import.meta.dirname, "..", "..");

/** What a copy of the repository leaves out (node_modules is symlinked instead). */
const NOT_COPIED = new Set(["node_modules", ".git", ".tmp", "out", "dist", "coverage", ".vitest-report.json"]);

/**
 * A copy of the repository in a new temp dir (`prefix` names it), node_modules symlinked to this checkout's: a test
 * may change its `servers/` freely. `exclude` leaves out repository-relative paths. The caller removes it.
 */
export async function copyRepo(prefix: string, options: { exclude?: readonly string[] } = {}): Promise<string> {
  const copy = await mkdtemp(join(tmpdir(), prefix));
  const exclude = new Set(options.exclude ?? []);
  await cp(REPO_ROOT, copy, {
    recursive: true,
    filter: (source) => {
      const path = relative(REPO_ROOT, source);
      return !NOT_COPIED.has(path.split("/")[0] ?? "") && !exclude.has(path);
    },
  });
  await symlink(join(REPO_ROOT, "node_modules"), join(copy, "node_modules"), "dir");
  return copy;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `node <root>/cli/bin/mcp-fleet.js ...args` in `cwd`, killed after `timeoutMs`.
 * @param root checkout whose CLI runs @default the repository of this file
 */
export function runCli(
  args: string[],
  options: { cwd?: string; root?: string; timeoutMs?: number; env?: Record<string, string | undefined> } = {},
): Promise<CliRun> {
  return runNode([join(options.root ?? REPO_ROOT, "cli", "bin", "mcp-fleet.js"), ...args], options);
}

/** `node ...args` in `cwd` (plain output: NO_COLOR; `env` added to this process's), killed after `timeoutMs`. */
export function runNode(args: string[], options: { cwd?: string; timeoutMs?: number; env?: Record<string, string | undefined> } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 50_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
