/**
 * `mcp-fleet monitoring render -o DIR`: writes prometheus.yml, the rule files and the Grafana dashboards for
 * users who run their own Prometheus and Grafana. Same renderer as the Monitoring component and
 * `monitoring/generated/`.
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { writeFiles } from "../../monitoring/generate.js";
import { monitoredServers } from "../../monitoring/model.js";
import { renderMonitoring } from "../../monitoring/render.js";
import { CliError } from "../errors.js";
import { loadCatalogOrFail } from "../format/problems.js";

interface RenderFlags {
  out: string;
  target: string[];
  job: string;
  namespace?: string;
  scrapeInterval: string;
  root?: string;
}

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$/;
const DURATION = /^\d+(ms|s|m|h)$/;

export function register(program: Command): void {
  const monitoring = program.command("monitoring").description("Prometheus rules and Grafana dashboards generated from the catalog");
  monitoring
    .command("render")
    .description("Write prometheus.yml, recording and alerting rules, and Grafana dashboards to a directory")
    .requiredOption("-o, --out <dir>", "output directory (created; files of the same name are overwritten)")
    .option("--target <host:port...>", "gateway address(es) Prometheus scrapes", ["127.0.0.1:8080"])
    .option("--job <name>", "Prometheus job name of the gateway", "mcp-gateway")
    .option("--namespace <ns>", "Kubernetes namespace of the fleet (scopes the pod-restart alert)")
    .option("--scrape-interval <duration>", "scrape and rule evaluation interval", "15s")
    .option("--root <dir>", "repository root (default: found from the working directory)")
    .action(async (flags: RenderFlags) => {
      for (const target of flags.target) {
        if (!HOST_PORT.test(target)) throw new CliError(`\`--target\` "${target}" is not host:port. Pass the gateway's address, e.g. --target 127.0.0.1:8080.`);
      }
      if (!DURATION.test(flags.scrapeInterval)) {
        throw new CliError(`\`--scrape-interval\` "${flags.scrapeInterval}" is not a Prometheus duration. Use e.g. 15s or 1m.`);
      }
      const catalog = await loadCatalogOrFail(flags.root, "render monitoring");
      const { files } = renderMonitoring(monitoredServers(catalog), {
        gatewayJob: flags.job,
        ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
        prometheus: {
          targets: { kind: "static", targets: flags.target },
          scrapeInterval: flags.scrapeInterval,
          evaluationInterval: flags.scrapeInterval,
        },
      });
      const out = resolve(flags.out);
      writeFiles(out, files, { clean: false });
      process.stdout.write(
        [
          `Wrote ${Object.keys(files).length} files for ${catalog.servers.length} servers to ${out}:`,
          ...Object.keys(files).map((f) => `  ${f}`),
          "",
          `Prometheus: prometheus --config.file=${out}/prometheus.yml --web.listen-address=127.0.0.1:9090 --storage.tsdb.path=${out}/data (scrapes ${flags.target.join(", ")}/metrics)`,
          `Grafana:    import ${out}/dashboards/*.json (Dashboards > New > Import), or provision that folder.`,
          "",
        ].join("\n"),
      );
    });
}
