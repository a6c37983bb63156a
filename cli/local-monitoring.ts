/**
 * `npm start -- --monitoring`: a Prometheus on 127.0.0.1 next to the local gateway, with the generated config, recording
 * rules and alerts (the same renderer as `mcp-fleet monitoring render` and the Monitoring component), and the Grafana
 * dashboards written to a folder for import. Prometheus comes from the machine (`prometheus` on PATH); without it,
 * the fleet runs without monitoring and the user is told how to install it.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import { writeFiles } from "../monitoring/generate.js";
import { monitoredServers } from "../monitoring/model.js";
import { renderMonitoring } from "../monitoring/render.js";
import type { Catalog } from "../servers/catalog/catalog.js";
import { tail } from "./gateway-process.js";

/** Where the files go, relative to the repository root (`out/` is not versioned). */
export const LOCAL_MONITORING_DIR = join("out", "monitoring", "local");

/** What to say when Prometheus is not installed. */
export const PROMETHEUS_MISSING =
  "prometheus is not installed, so --monitoring runs no Prometheus. Install it (Debian/Ubuntu: sudo apt-get install prometheus; macOS: brew install prometheus; or a release from prometheus.io/download) and start again.";

export interface LocalMonitoring {
  /** `http://127.0.0.1:<port>` */
  prometheusUrl: string;
  /** The Grafana dashboards, one JSON file each, for Dashboards > New > Import. */
  dashboardsDir: string;
  configFile: string;
  pid: number;
  stop(): Promise<void>;
}

export function prometheusInstalled(): boolean {
  return spawnSync("sh", ["-c", "command -v prometheus"], { stdio: "ignore" }).status === 0;
}

async function ready(url: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}) at start. End of its log (${logFile}):\n${tail(logFile)}`);
    try {
      if ((await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`prometheus did not become ready on ${url} within ${timeoutMs / 1000} s. End of its log (${logFile}):\n${tail(logFile)}`);
}

/**
 * Renders the monitoring files for the gateway at `gatewayAddress` (host:port) into `<root>/out/monitoring/local`,
 * starts Prometheus on 127.0.0.1:`port` with its data in `dataDir`, and waits until it is ready.
 */
export async function startLocalMonitoring(options: { catalog: Catalog; gatewayAddress: string; port: number; dataDir: string; scrapeInterval?: string }): Promise<LocalMonitoring> {
  const dir = join(options.catalog.root, LOCAL_MONITORING_DIR);
  const interval = options.scrapeInterval ?? "15s";
  const { files } = renderMonitoring(monitoredServers(options.catalog), {
    prometheus: { targets: { kind: "static", targets: [options.gatewayAddress] }, scrapeInterval: interval, evaluationInterval: interval },
  });
  writeFiles(dir, files, { clean: true });
  mkdirSync(options.dataDir, { recursive: true });
  const configFile = join(dir, "prometheus.yml");
  const logFile = join(options.dataDir, "prometheus.log");
  const log = openSync(logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn("prometheus", [`--config.file=${configFile}`, `--web.listen-address=127.0.0.1:${options.port}`, `--storage.tsdb.path=${join(options.dataDir, "tsdb")}`], {
      stdio: ["ignore", log, log],
      detached: true,
    });
  } finally {
    closeSync(log);
  }
  const pid = child.pid!;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const onExit = () => child.kill("SIGKILL");
  process.once("exit", onExit);
  const stop = async () => {
    process.removeListener("exit", onExit);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${options.port}`;
  try {
    await ready(url, child, logFile, 20_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { prometheusUrl: url, dashboardsDir: join(dir, "dashboards"), configFile, pid, stop };
}
