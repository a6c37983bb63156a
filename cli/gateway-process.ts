/**
 * The gateway as a child process of the CLI: spawn it on a config file, wait until its backends have settled,
 * stop it. A child (not in-process) so that a crash of the gateway or of a backend cannot take the CLI down, and
 * so that it runs exactly as it does when deployed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CliError } from "./errors.js";
import { fetchStatus, type GatewayStatus } from "./status.js";

/** The gateway's executable, relative to the repository root. */
export const GATEWAY_BIN = "gateway/bin/mcp-fleet-gateway.js";

export interface GatewayProcess {
  child: ChildProcess;
  pid: number;
  /** Where its stdout and stderr (JSON logs) go. */
  logFile: string;
  /** Resolves with the exit code (or the signal's name) when it has exited. */
  exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL of its process group after `graceMs`. Resolves once it has exited. */
  stop(graceMs?: number): Promise<number | string>;
}

export function spawnGateway(options: { root: string; configFile: string; logFile: string }): GatewayProcess {
  const log = openSync(options.logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [join(options.root, GATEWAY_BIN), "--config", options.configFile], {
      cwd: options.root,
      // Its own process group: Ctrl-C reaches the CLI only, which then stops the gateway in order.
      detached: true,
      stdio: ["ignore", log, log],
    });
  } finally {
    closeSync(log);
  }
  const pid = child.pid;
  if (pid === undefined) throw new CliError(`could not start the gateway (${GATEWAY_BIN}).`);
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  let done = false;
  void exited.then(() => (done = true));
  // Never leave the gateway behind if the CLI itself dies.
  const onExit = () => {
    if (!done) killGroup(pid, "SIGKILL");
  };
  process.once("exit", onExit);
  return {
    child,
    pid,
    logFile: options.logFile,
    exited,
    async stop(graceMs = 15_000) {
      if (!done) child.kill("SIGTERM");
      const timer = setTimeout(() => killGroup(pid, "SIGKILL"), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
        process.removeListener("exit", onExit);
      }
    },
  };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

export interface WaitOptions {
  /** Give up waiting after this long (the status then still shows servers as connecting). @default 60000 */
  timeoutMs?: number;
  /** @default 200 */
  intervalMs?: number;
  /** Called whenever the counts of up/down/connecting backends change. */
  onProgress?: (status: GatewayStatus) => void;
}

/**
 * Polls `/status` until every backend is up or down (none connecting), or the timeout passes.
 * Throws {@link CliError} with the end of the gateway's log when it exits first.
 */
export async function waitForBackends(gateway: GatewayProcess, url: URL, options: WaitOptions = {}): Promise<{ status: GatewayStatus; settled: boolean }> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let exitedWith: number | string | undefined;
  void gateway.exited.then((code) => (exitedWith = code));
  let last = "";
  let status: GatewayStatus | undefined;
  while (Date.now() < deadline) {
    if (exitedWith !== undefined) {
      throw new CliError(`the gateway exited (${exitedWith}) before it was ready. End of its log (${gateway.logFile}):\n${tail(gateway.logFile)}`);
    }
    try {
      status = await fetchStatus(url, 2000);
      const key = ["up", "down", "connecting"].map((s) => status?.servers.filter((b) => b.state === s).length).join("/");
      if (key !== last) {
        last = key;
        options.onProgress?.(status);
      }
      if (status.servers.length > 0 && status.servers.every((s) => s.state !== "connecting")) return { status, settled: true };
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
  if (status === undefined) {
    throw new CliError(`the gateway did not answer on ${url.href} within ${Math.round((options.timeoutMs ?? 60_000) / 1000)} s. End of its log (${gateway.logFile}):\n${tail(gateway.logFile)}`);
  }
  return { status, settled: false };
}
