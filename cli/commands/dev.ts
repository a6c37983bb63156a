/**
 * `mcp-fleet dev` (`npm start`): runs the whole catalog locally behind one gateway on 127.0.0.1.
 *
 * Loads the catalog, renders the local gateway config (stdio servers spawned here, http/sse servers as-is; image
 * servers and servers whose secrets are unset are skipped with a warning), writes it to a private temp file,
 * starts the gateway as a child process, waits for its backends, prints the endpoint and every server with its
 * transport and tool count, and stops everything on Ctrl-C or SIGTERM (the gateway stops its own children).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { ConfigError } from "@mcp-fleet/gateway/config";
import type { Command } from "commander";
import { localGatewayConfig, localSkips } from "../../components/gateway-config.js";
import { CatalogError, findRepoRoot, loadCatalog, type Catalog } from "../../servers/catalog/catalog.js";
import { watchCatalog } from "../dev-reload.js";
import { CliError } from "../errors.js";
import { styleFor } from "../format/style.js";
import { spawnGateway, tail, waitForBackends } from "../gateway-process.js";
import { PROMETHEUS_MISSING, prometheusInstalled, startLocalMonitoring, type LocalMonitoring } from "../local-monitoring.js";
import { renderStatusTable, statusUrl, type GatewayStatus } from "../status.js";
import { ensureLocalIdentityKey, localApiKeyAuth } from "../local-auth.js";

interface DevOptions {
  apiKeyEnv?: string;
  roles?: string;
  port?: string;
  timeout: string;
  monitoring?: boolean;
  prometheusPort: string;
}

/** `--port`, else `PORT`, else 8080. */
export function resolvePort(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const raw = flag ?? env.PORT ?? "8080";
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    const from = flag !== undefined ? "--port" : "PORT";
    throw new CliError(`${from} ${JSON.stringify(raw)} is not a port. Use a number from 1 to 65535, e.g. --port 8080.`);
  }
  return port;
}

export function register(program: Command): void {
  program
    .command("dev")
    .description("Run the whole catalog locally behind one gateway on 127.0.0.1 (what `npm start` runs)")
    .option("--port <port>", "port of the gateway (default: $PORT, else 8080)")
    .option("--timeout <seconds>", "how long to wait for backends to connect", "60")
    .option("--monitoring", "also run Prometheus on 127.0.0.1 with the generated config, rules and alerts (needs `prometheus` installed), and write the Grafana dashboards for import")
    .option("--prometheus-port <port>", "port of that Prometheus", "9090")
    .option("--api-key-env <name>", "ask clients for the API key held in this environment variable (Authorization: Bearer <key>), as a deployed gateway would")
    .option("--roles <list>", "with --api-key-env: the roles of that key, comma-separated (default: every role the servers' access rules name)")
    .action(async (options: DevOptions) => {
      await dev(options);
    });
}

const say = (line: string) => process.stdout.write(`${line}\n`);

async function dev(options: DevOptions): Promise<void> {
  const port = resolvePort(options.port);
  const timeoutMs = Number(options.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new CliError(`--timeout ${JSON.stringify(options.timeout)} is not a number of seconds. Use e.g. --timeout 60.`);

  await ensurePortFree(port);
  const prometheusPort = options.monitoring === true ? Number(options.prometheusPort) : undefined;
  if (prometheusPort !== undefined) {
    if (!Number.isInteger(prometheusPort) || prometheusPort < 1 || prometheusPort > 65535) throw new CliError(`--prometheus-port ${JSON.stringify(options.prometheusPort)} is not a port. Use a number from 1 to 65535, e.g. 9090.`);
    await ensurePortFree(prometheusPort, "--prometheus-port");
  }
  say("mcp-fleet dev: loading the catalog ...");
  const catalog = await load();
  for (const skipped of localSkips(catalog)) process.stderr.write(`${styleFor(process.stderr).warn("warning:")} skipping ${skipped.name} (${skipped.file}): ${skipped.reason}\n`);

  let config;
  try {
    const auth = options.apiKeyEnv !== undefined ? localApiKeyAuth(options.apiKeyEnv, catalog, options.roles) : undefined;
    config = localGatewayConfig(catalog, { port, ...(auth !== undefined ? { auth } : {}) });
    if (ensureLocalIdentityKey(config)) say(`  identity tokens: signed with a key of this run (set ${config.identity!.signingKeyEnv} to keep one)`);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof Error) throw new CliError(error.message);
    throw error;
  }
  // Private anyway, though it holds no secret values (stdio servers get theirs by name, through inheritEnv).
  const dir = mkdtempSync(join(tmpdir(), "mcp-fleet-dev-"));
  const configFile = join(dir, "gateway.json");
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  say(`  ${config.servers.length} server(s): ${config.servers.map((s) => s.name).join(", ")}`);
  say(`  gateway config: ${configFile}`);

  const gateway = spawnGateway({ root: catalog.root, configFile, logFile: join(dir, "gateway.log") });
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  say(`  starting the gateway (pid ${gateway.pid}) on 127.0.0.1:${port}; logs: ${gateway.logFile}`);

  const base = `http://127.0.0.1:${port}`;
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  let monitoring: LocalMonitoring | undefined;
  try {
    const waited = await Promise.race([
      waitForBackends(gateway, statusUrl(base), { timeoutMs, onProgress: (status) => say(`  backends: ${counts(status)}`) }),
      stopRequested.then(() => undefined),
    ]);
    if (waited === undefined) {
      say("Stopping ...");
      return;
    }
    if (!waited.settled) process.stderr.write(`warning: some backends were still connecting after ${options.timeout} s.\n`);
    const extra: string[] = [];
    if (prometheusPort !== undefined) {
      if (!prometheusInstalled()) process.stderr.write(`${styleFor(process.stderr).warn("warning:")} ${PROMETHEUS_MISSING}\n`);
      else {
        try {
          monitoring = await startLocalMonitoring({ catalog, gatewayAddress: `127.0.0.1:${port}`, port: prometheusPort, dataDir: join(dir, "prometheus") });
        } catch (error) {
          throw new CliError((error as Error).message);
        }
        extra.push(
          `Prometheus: ${monitoring.prometheusUrl} (alerts: ${monitoring.prometheusUrl}/alerts; config ${relative(process.cwd(), monitoring.configFile) || monitoring.configFile})`,
          `Grafana dashboards to import: ${relative(process.cwd(), monitoring.dashboardsDir) || monitoring.dashboardsDir}/*.json (Dashboards > New > Import)`,
        );
      }
    }
    printReady(base, config.listen?.path ?? "/mcp", waited.status, extra);
    // A server added with `mcp-fleet new` (or a spec edited) appears without a restart: the gateway reloads its config.
    const stopWatching = watchCatalog({ root: catalog.root, configFile, port, say });

    const outcome = await Promise.race([stopRequested, gateway.exited.then((code) => ({ exited: code }))]);
    stopWatching();
    if (typeof outcome === "object") {
      throw new CliError(`the gateway exited unexpectedly (${outcome.exited}). End of its log (${gateway.logFile}):\n${tail(gateway.logFile)}`);
    }
    say(`\n${outcome}: stopping the gateway and its servers ...`);
  } finally {
    await monitoring?.stop();
    const code = await gateway.stop();
    if (code !== 0 && code !== "SIGTERM") process.stderr.write(`warning: the gateway exited with ${code}; its log: ${gateway.logFile}\n`);
    else cleanup();
  }
  say("Stopped.");
}

/** Fails early, with the fix, when the port is taken (rather than after every backend has started). */
async function ensurePortFree(port: number, flag = "--port or PORT"): Promise<void> {
  const probe = createServer();
  const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    probe.once("error", resolve);
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(undefined)));
  });
  if (error?.code === "EADDRINUSE") {
    throw new CliError(`127.0.0.1:${port} is already in use. Stop what listens there, or pick another port with ${flag}.`);
  }
}

async function load(): Promise<Catalog> {
  try {
    return await loadCatalog({ root: findRepoRoot() });
  } catch (error) {
    if (error instanceof CatalogError) throw new CliError(error.message);
    throw error;
  }
}

function counts(status: GatewayStatus): string {
  const n = (state: string) => status.servers.filter((s) => s.state === state).length;
  return `${n("up")} up, ${n("down")} down, ${n("connecting")} connecting`;
}

function printReady(base: string, path: string, status: GatewayStatus, extra: readonly string[] = []): void {
  const style = styleFor(process.stdout);
  const tools = status.servers.reduce((sum, s) => sum + s.tools, 0);
  say("");
  say(style.bold(`MCP endpoint: ${base}${path}`));
  say("");
  say(renderStatusTable(status));
  say("");
  say(style.ok(`${tools} tools from ${status.servers.length} servers.`));
  say(`Metrics: ${base}/metrics   Status: ${base}/status   Health: npx mcp-fleet health --url ${base}`);
  for (const line of extra) say(line);
  say("Press Ctrl-C to stop.");
}
