/** Test helper: `mcp-fleet dev` (what `npm start` runs) as a child process on a free loopback port, and its stop. */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { treePids } from "../../bench/gateway/proctree.js";
import { freePort } from "../../bench/gateway/targets.js";
import { REPO_ROOT } from "./run-cli.test-helper.js";

export interface DevFleet {
  port: number;
  /** `http://127.0.0.1:<port>/mcp` */
  endpoint: string;
  /** Everything dev printed (stdout and stderr). */
  output: () => string;
  /** SIGTERM; then SIGKILL of whatever of its process tree is left. Resolves with its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts the fleet of the checkout at `root` and resolves once it printed "Press Ctrl-C to stop." (at most
 * `timeoutMs`); rejects with its output when it exits or takes longer.
 */
export async function startDevFleet(root = REPO_ROOT, options: { timeoutMs?: number; env?: Record<string, string>; args?: string[] } = {}): Promise<DevFleet> {
  const port = await freePort();
  const dev = spawn(process.execPath, [join(root, "cli", "bin", "mcp-fleet.js"), "dev", "--port", String(port), ...(options.args ?? [])], {
    cwd: root,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  dev.stdout.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
  dev.stderr.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
  const exited = new Promise<number | null>((resolve) => dev.once("exit", (code) => resolve(code)));
  let tree: number[] = [];
  const killTree = () => {
    for (const pid of tree) {
      try {
        if (existsSync(`/proc/${pid}`)) process.kill(pid, "SIGKILL");
      } catch {
        // gone
      }
    }
  };
  const fleet: DevFleet = {
    port,
    endpoint: `http://127.0.0.1:${port}/mcp`,
    output: () => text,
    async stop() {
      if (dev.exitCode === null && dev.signalCode === null) dev.kill("SIGTERM");
      const timer = setTimeout(() => dev.kill("SIGKILL"), 20_000);
      const code = await exited;
      clearTimeout(timer);
      const deadline = Date.now() + 10_000;
      while (tree.some((pid) => existsSync(`/proc/${pid}`)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      killTree();
      return code;
    },
  };
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  while (!text.includes("Press Ctrl-C to stop.")) {
    if (dev.exitCode !== null || Date.now() > deadline) {
      await fleet.stop();
      throw new Error(`mcp-fleet dev did not become ready (exit ${dev.exitCode}):\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  tree = treePids(dev.pid as number);
  return fleet;
}
