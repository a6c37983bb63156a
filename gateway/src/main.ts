/** `mcp-fleet-gateway --config FILE [--port N]`: runs the gateway until SIGTERM/SIGINT. */
import { ConfigError, loadGatewayConfig } from "./config.js";
import { startGateway } from "./gateway.js";
import { createLogger } from "./observability/logger.js";
import { installSignalHandlers } from "./lifecycle/shutdown.js";

const USAGE = "Usage: mcp-fleet-gateway --config FILE [--port N]";

function argValue(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index !== -1) return args[index + 1];
  const inline = args.find((a) => a.startsWith(`${name}=`));
  return inline?.slice(name.length + 1);
}

async function main(args: string[]): Promise<void> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const file = argValue(args, "--config") ?? process.env.MCP_FLEET_GATEWAY_CONFIG;
  if (file === undefined) {
    process.stderr.write(`mcp-fleet-gateway: --config FILE is required.\n${USAGE}\n`);
    process.exit(1);
  }
  let config;
  try {
    config = loadGatewayConfig(file);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`mcp-fleet-gateway: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const port = argValue(args, "--port") ?? process.env.PORT;
  let portOverride: number | undefined;
  if (port !== undefined) {
    const n = Number(port);
    if (!Number.isInteger(n) || n < 0 || n > 65535) {
      process.stderr.write(`mcp-fleet-gateway: --port/PORT "${port}" is not a port number (0-65535).\n`);
      process.exit(1);
    }
    config.listen.port = n;
    portOverride = n;
  }
  const logger = createLogger({ level: config.logging.level });
  // The config file is watched and reloaded on change and on SIGHUP (lifecycle/reload.ts).
  const gateway = await startGateway(config, { logger, configFile: file, reloadOnSignal: true, ...(portOverride === undefined ? {} : { portOverride }) });
  installSignalHandlers(() => gateway.close(), logger);
  process.stdout.write(`${JSON.stringify({ listening: gateway.url, servers: gateway.status() })}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`mcp-fleet-gateway: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
