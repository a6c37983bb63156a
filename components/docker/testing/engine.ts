/**
 * A private Docker engine for tests: `dockerd` started here with its own data root, exec root and socket under a
 * temp dir, no default bridge and no iptables (containers use `--network host` bound to 127.0.0.1, or
 * `--network none`), stopped by its pid, its network namespace mount removed. Never touches another engine.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface DockerEngine {
  /** `unix://.../docker.sock`, for DOCKER_HOST. */
  host: string;
  dir: string;
  /** Runs the docker CLI against this engine. Rejects on a non-zero exit unless `allowFailure`. */
  docker(args: string[], options?: { timeoutMs?: number; allowFailure?: boolean; input?: string }): Promise<DockerResult>;
  /** Stops every container, then the engine (SIGTERM, then SIGKILL), unmounts its netns, removes its dir. */
  stop(): Promise<void>;
}

/** Why no engine could be started, when none could. */
export type EngineStart = { engine: DockerEngine } | { skipped: string };

function commandExists(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

function run(args: string[], env: NodeJS.ProcessEnv, options: { timeoutMs?: number; input?: string } = {}): Promise<DockerResult> {
  return new Promise((resolve) => {
    const child = execFile("docker", args, { env, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof (error as { code?: unknown }).code === "number" ? ((error as { code: number }).code) : 1;
      resolve({ code, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/**
 * Starts a private dockerd and waits (at most `timeoutMs`) until it answers. Resolves with the reason instead when
 * there is no dockerd, no docker CLI, no root, or the engine does not come up.
 */
export async function startDockerEngine(options: { timeoutMs?: number } = {}): Promise<EngineStart> {
  if (process.platform !== "linux") return { skipped: "the Docker test needs Linux" };
  if (process.getuid?.() !== 0) return { skipped: "starting dockerd needs root" };
  for (const command of ["dockerd", "docker"]) {
    if (!commandExists(command)) return { skipped: `\`${command}\` is not installed (apt-get install -y docker.io)` };
  }
  // Short paths: the socket path must stay under the 108-byte limit of a unix socket.
  const dir = mkdtempSync(join(tmpdir(), "mfd-"));
  const sock = join(dir, "docker.sock");
  const host = `unix://${sock}`;
  const log = openSync(join(dir, "dockerd.log"), "a");
  let daemon: ChildProcess;
  try {
    daemon = spawn(
      "dockerd",
      ["--data-root", join(dir, "data"), "--exec-root", join(dir, "exec"), "-H", host, "--pidfile", join(dir, "dockerd.pid"), "--bridge=none", "--iptables=false", "--ip6tables=false"],
      { stdio: ["ignore", log, log], detached: false },
    );
  } finally {
    closeSync(log);
  }
  const env = { ...process.env, DOCKER_HOST: host };
  const exited = new Promise<void>((resolve) => daemon.once("exit", () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  // Never leave the engine behind if the test process ends without stopping it.
  process.once("exit", () => {
    if (!gone) daemon.kill("SIGKILL");
  });
  const cleanupDir = () => {
    spawnSync("umount", [join(dir, "exec", "netns", "default")], { stdio: "ignore" });
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  const stopDaemon = async () => {
    if (!gone) daemon.kill("SIGTERM");
    const timer = setTimeout(() => daemon.kill("SIGKILL"), 20_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (Date.now() < deadline && !gone) {
    if (existsSync(sock) && (await run(["version", "--format", "{{.Server.Version}}"], env, { timeoutMs: 5000 })).code === 0) {
      const engine: DockerEngine = {
        host,
        dir,
        async docker(args, opts = {}) {
          const result = await run(args, env, opts);
          if (result.code !== 0 && opts.allowFailure !== true) throw new Error(`docker ${args.join(" ")} exited ${result.code}: ${result.stderr.slice(-2000)}`);
          return result;
        },
        async stop() {
          const ids = (await run(["ps", "-aq"], env, { timeoutMs: 10_000 })).stdout.split("\n").filter((id) => id !== "");
          if (ids.length > 0) await run(["rm", "-f", ...ids], env, { timeoutMs: 60_000 });
          await stopDaemon();
          cleanupDir();
        },
      };
      return { engine };
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const tail = (() => {
    try {
      return readFileSync(join(dir, "dockerd.log"), "utf8").trim().split("\n").slice(-3).join(" | ");
    } catch {
      return "";
    }
  })();
  await stopDaemon();
  cleanupDir();
  return { skipped: `dockerd did not come up: ${tail}` };
}
