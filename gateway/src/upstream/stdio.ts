/**
 * A stdio backend: a child process spoken to in newline-delimited JSON-RPC.
 *
 * The child is spawned `detached`, so it leads its own process group; stopping kills the whole group
 * (`process.kill(-pid)`), grandchildren included. A registry of live groups lets the gateway kill them all on exit,
 * even on an uncaught error (see `shutdown.ts`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants as fsConstants, statSync } from "node:fs";
import { join, resolve as resolvePath } from "node:path";
import type { Logger } from "../observability/logger.js";
import type { JsonRpcMessage } from "../jsonrpc.js";
import type { Channel, ChannelCloseInfo } from "./channel.js";

/** Process group ids of every stdio child alive in this process. */
export const liveProcessGroups = new Set<number>();

/** Kills every live process group (SIGKILL). Synchronous: safe in `exit` handlers. */
export function killAllProcessGroups(): void {
  for (const pgid of liveProcessGroups) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  liveProcessGroups.clear();
}

export interface StdioChannelOptions {
  command: string;
  args: readonly string[];
  env: Record<string, string>;
  cwd?: string;
  /** Names of the gateway's own environment variables handed to the child (values read at spawn). @default [] */
  inheritEnv?: readonly string[];
  /**
   * Called at spawn with the `inheritEnv` names unset in the gateway's environment (never called with none).
   * @default logs them at warn on every spawn; the pool passes a once-per-server variant
   */
  onMissingEnv?: (names: string[]) => void;
  logger: Logger;
  /** Grace period between SIGTERM and SIGKILL of the group on close. @default 2000 */
  killGraceMs?: number;
}

/**
 * The shell that starts every stdio child: it forks a watchdog that waits for EOF on fd 3 (the gateway holds the
 * other end; the kernel closes it when the gateway dies, however it dies) and then kills its own process group,
 * and execs the server itself (same pid, the group's leader, stdio untouched, fd 3 closed). The watchdog costs one
 * idle `sh` per child (about 1 MB of RSS) and nothing per message. When the gateway stops a child it kills the
 * group, watchdog included; when the child exits on its own, the gateway kills the group too.
 */
const WATCHDOG = '(exec </dev/null >/dev/null 2>&1; read -r _ <&3; kill -KILL 0) & exec "$@" 3<&-';

/**
 * The executable a command names: a path (relative to `cwd`) as is, a bare name looked up on `PATH`. A clear
 * problem when there is none, since the watchdog shell would otherwise only print "not found" and exit 127.
 */
export function resolveCommand(command: string, path: string, cwd: string): string | { problem: string } {
  const candidates = command.includes("/") ? [resolvePath(cwd, command)] : path.split(":").filter((d) => d !== "").map((dir) => join(dir, command));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, fsConstants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not there, or not executable: next
    }
  }
  const where = command.includes("/") ? "no such executable file" : "not on PATH";
  return { problem: `command ${JSON.stringify(command)} was not found (${where}); install it or fix the server's command` };
}

/** A message (one line) from a backend may be this long; a longer one ends the connection (bounded memory). */
const MAX_LINE_CHARS = 64 * 1024 * 1024;

const INHERITED_ENV = ["PATH", "HOME", "NODE_OPTIONS", "TMPDIR", "LANG", "SYSTEMROOT"];

/**
 * The environment of a stdio child: a few basics of the gateway's own (PATH, HOME, ...), then the variables named in
 * `inheritEnv` that are set in `source`, then the config's `env` (which wins). Nothing else of the gateway's
 * environment leaks to the child. `onMissing` gets the `inheritEnv` names unset in `source`, if any.
 */
export function childEnv(
  configured: Readonly<Record<string, string>>,
  inheritEnv: readonly string[],
  source: Readonly<Record<string, string | undefined>>,
  onMissing: (names: string[]) => void,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  const missing: string[] = [];
  for (const name of inheritEnv) {
    const value = source[name];
    if (value === undefined) missing.push(name);
    else env[name] = value;
  }
  if (missing.length > 0) onMissing(missing);
  Object.assign(env, configured);
  return env;
}

export class StdioChannel implements Channel {
  private child: ChildProcess | undefined;
  private buffer = "";
  private closed = false;
  private exitPromise: Promise<void> | undefined;
  onmessage?: (message: JsonRpcMessage) => void;
  onclose?: (info: ChannelCloseInfo) => void;

  constructor(private readonly options: StdioChannelOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    const onMissing =
      this.options.onMissingEnv ?? ((names: string[]) => this.options.logger.warn({ missingEnv: names }, "inheritEnv names variables unset in the gateway's environment; the backend starts without them"));
    const env = childEnv(this.options.env, this.options.inheritEnv ?? [], process.env, onMissing);
    const command = resolveCommand(this.options.command, env.PATH ?? "", this.options.cwd ?? process.cwd());
    if (typeof command !== "string") {
      this.finish(`cannot start: ${command.problem}`);
      return Promise.reject(new Error(`cannot start: ${command.problem}`));
    }
    // The child runs under a watchdog in its own process group (see WATCHDOG): fd 3 is the pipe whose closing
    // (the gateway died, even by SIGKILL) ends the group.
    const child = spawn("/bin/sh", ["-c", WATCHDOG, "mcp-fleet-stdio", command, ...this.options.args], {
      cwd: this.options.cwd,
      env,
      stdio: ["pipe", "pipe", "pipe", "pipe"],
      detached: true,
    });
    this.child = child;
    return new Promise((resolve, reject) => {
      child.once("error", (error: NodeJS.ErrnoException) => {
        this.finish(`cannot start: ${error.message}`);
        reject(new Error(`cannot start: ${error.message}`));
      });
      child.once("spawn", () => {
        if (child.pid !== undefined) liveProcessGroups.add(child.pid);
        resolve();
      });
      this.exitPromise = new Promise((done) => {
        child.once("exit", (code, signal) => {
          if (child.pid !== undefined) liveProcessGroups.delete(child.pid);
          this.killGroup("SIGKILL"); // leave no grandchild behind
          this.finish(signal !== null ? `killed by ${signal}` : `exited with code ${code ?? "?"}`);
          done();
        });
      });
      child.stdout!.setEncoding("utf8");
      child.stdout!.on("data", (chunk: string) => this.onData(chunk));
      child.stdin!.on("error", () => undefined); // EPIPE after the child died: reported by `exit`
      child.stderr!.setEncoding("utf8");
      let stderrTail = "";
      child.stderr!.on("data", (chunk: string) => {
        const lines = (stderrTail + chunk).split("\n");
        stderrTail = lines.pop() ?? "";
        for (const line of lines) if (line.trim() !== "") this.options.logger.info({ stderr: line.slice(0, 2000) }, "backend stderr");
      });
    });
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    if (this.buffer.length > MAX_LINE_CHARS && this.buffer.indexOf("\n") === -1) {
      this.options.logger.error({ bytes: this.buffer.length }, `backend wrote a line longer than ${MAX_LINE_CHARS} characters without a newline; restarting it`);
      this.buffer = "";
      void this.close();
      return;
    }
    let newline = this.buffer.indexOf("\n");
    while (newline !== -1) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      if (line.trim() !== "") {
        let message: JsonRpcMessage | undefined;
        try {
          message = JSON.parse(line) as JsonRpcMessage;
        } catch {
          this.options.logger.warn({ line: line.slice(0, 500) }, "backend wrote a line that is not JSON");
        }
        if (message !== undefined) this.onmessage?.(message);
      }
      newline = this.buffer.indexOf("\n");
    }
  }

  send(message: JsonRpcMessage): void {
    if (this.closed || this.child?.stdin === null || this.child === undefined) throw new Error("the process is not running");
    // Coalesce the messages of one event-loop turn into one write of one buffer: under load many calls arrive per
    // turn, and each write to the pipe is a syscall that wakes the child.
    this.outbox.push(JSON.stringify(message));
    if (this.outbox.length === 1) setImmediate(this.flush);
  }

  private readonly outbox: string[] = [];
  private readonly flush = (): void => {
    const stdin = this.child?.stdin;
    const lines = this.outbox.splice(0);
    if (stdin === null || stdin === undefined || this.closed || lines.length === 0) return;
    stdin.write(lines.join("\n") + "\n");
  };

  private killGroup(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // group already gone
    }
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.({ reason });
  }

  async close(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) {
      this.killGroup("SIGKILL");
      return;
    }
    this.finish("stopped by the gateway");
    this.killGroup("SIGTERM");
    const timer = setTimeout(() => this.killGroup("SIGKILL"), this.options.killGraceMs ?? 2000);
    await this.exitPromise;
    clearTimeout(timer);
  }
}
