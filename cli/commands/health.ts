/**
 * `mcp-fleet health [--url URL] [--json]`: every backend's state from the gateway's `/status`.
 * Exit 0 when all are up or connecting, 1 when any is down or the gateway cannot be reached.
 */
import type { Command } from "commander";
import { styleFor } from "../format/style.js";
import { defaultGatewayUrl, fetchStatus, renderStatusTable, statusUrl } from "../status.js";

export function register(program: Command): void {
  program
    .command("health")
    .description("Show the state of every backend of a running gateway; exit 1 when any is down")
    .option("--url <url>", "gateway address or MCP endpoint (default: http://127.0.0.1:$PORT, PORT=8080)")
    .option("--json", "print the status as JSON")
    .action(async (options: { url?: string; json?: boolean }) => {
      const url = statusUrl(options.url ?? defaultGatewayUrl());
      const status = await fetchStatus(url);
      const down = status.servers.filter((s) => s.state === "down");
      if (options.json === true) {
        process.stdout.write(`${JSON.stringify({ healthy: down.length === 0, ...status }, null, 2)}\n`);
      } else {
        process.stdout.write(`${renderStatusTable(status)}\n\n`);
        const style = styleFor(process.stdout);
        process.stdout.write(
          down.length === 0
            ? `${style.ok(`All ${status.servers.length} backends are up or connecting.`)}\n`
            : `${style.fail(`${down.length} of ${status.servers.length} backends down: ${down.map((s) => s.name).join(", ")}.`)}\n`,
        );
      }
      if (down.length > 0) process.exitCode = 1;
    });
}
