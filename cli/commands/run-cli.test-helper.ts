/** Test helper: runs the real `mcp-fleet` command as a child process and collects its output and exit code. */
import { spawn } from "node:child_process";
import { join } from "node:path";

export const REPO_ROOT = join(import.meta.dirname, "..", "..");

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
  options: { cwd?: string; root?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  return runNode([join(options.root ?? REPO_ROOT, "cli", "bin", "mcp-fleet.js"), ...args], options);
}

/** `node ...args` in `cwd`, killed after `timeoutMs`. */
export function runNode(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
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
