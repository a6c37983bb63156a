/**
 * `mcp-fleet synth --stack NAME -o DIR`: a stack without Pulumi. A Kubernetes stack as plain YAML (cdk8s, one file per
 * object) for GitOps; the Docker stack (`--format compose`) as a Docker Compose project for users without Pulumi.
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { composeExport } from "../../components/docker/compose.js";
import { dockerFleetMonitoring, dockerFleetPlan } from "../../components/docker/plan.js";
import { planFleet, planFleetMonitoring, validateFleetPlanInput } from "../../components/fleet/plan.js";
import { dockerPlan } from "../../components/monitoring/docker.js";
import { prepareMonitoring } from "../../components/monitoring/objects.js";
import { writeFiles } from "../../monitoring/generate.js";
import { monitoringObjects } from "../../components/monitoring/objects.js";
import { readStackFile } from "../../stacks/plan-stack.js";
import { synthFleet } from "../../components/synth/synth.js";
import { findRepoRoot, loadCatalog, type Catalog } from "../../servers/catalog/catalog.js";
import { parseStackConfig, readRawConfig } from "../../stacks/config.js";
import { dockerPlanInputFromConfig, fleetName, fleetPlanInputFromConfig } from "../../stacks/program.js";
import { CliError } from "../errors.js";
import { styleFor } from "../format/style.js";
import { stackOptionHelp } from "../stacks.js";

/** Synthesizes a stack into `outdir`, its Monitoring's objects (`mcp-fleet:monitoringStack`) included (emptied of earlier `*.k8s.yaml` first); returns the files written. */
export async function synthStack(stack: string, outdir: string, root = findRepoRoot(), catalog?: Catalog): Promise<string[]> {
  const config = parseStackConfig(readRawConfig(readStackFile(root, stack).config), stack);
  if (config.target !== "kubernetes") {
    throw new CliError(`stack "${stack}" targets ${config.target}; synth writes Kubernetes YAML. Pick a kubernetes stack (mcp-fleet:target: kubernetes), e.g. staging or prod.`);
  }
  const input = fleetPlanInputFromConfig(config, catalog ?? (await loadCatalog({ root })));
  const problems = validateFleetPlanInput(input);
  if (problems.length > 0) throw new CliError(`stack "${stack}" cannot be synthesized:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  const plan = planFleet(input);
  const monitoring = planFleetMonitoring(fleetName(config), input);
  const monitoringManifests = monitoring !== undefined ? monitoringObjects(monitoring.name, monitoring.args) : [];
  mkdirSync(outdir, { recursive: true });
  for (const f of readdirSync(outdir)) if (f.endsWith(".k8s.yaml")) rmSync(join(outdir, f));
  return synthFleet(plan, outdir, stack, monitoringManifests);
}

export type SynthFormat = "kubernetes" | "compose";

/**
 * Writes the Docker (dev) stack as a Compose project into `outdir`: docker-compose.yml, the containers' configs, the
 * monitoring files (with `mcp-fleet:monitoringStack: docker`) and .env.example; returns the files written.
 */
export async function synthCompose(stack: string, outdir: string, root = findRepoRoot(), catalog?: Catalog): Promise<string[]> {
  const config = parseStackConfig(readRawConfig(readStackFile(root, stack).config), stack);
  if (config.target !== "docker") {
    throw new CliError(`stack "${stack}" targets ${config.target}; --format compose writes a Docker stack. Pick a docker stack (mcp-fleet:target: docker), e.g. dev, or drop --format for Kubernetes YAML.`);
  }
  const input = dockerPlanInputFromConfig(config, catalog ?? (await loadCatalog({ root })));
  const plan = dockerFleetPlan(input);
  let monitoring: { files: Record<string, string>; containers: { name: string; args: object }[] } | undefined;
  if (config.monitoringStack === "docker") {
    // The Monitoring component's docker plan, with its files under <outdir>/monitoring (bind-mounted from there).
    const { name, args } = dockerFleetMonitoring(fleetName(config), input.fleet, plan, { docker: { configDir: join(outdir, "monitoring") } });
    const prepared = prepareMonitoring(name, args);
    monitoring = dockerPlan({ component: name, owner: prepared.owner, job: prepared.job, scrapeInterval: prepared.scrapeInterval, docker: args.docker!, rendered: prepared.rendered });
  }
  const { files } = composeExport({ plan, root: input.fleet.root, outdir, ...(monitoring !== undefined ? { monitoring } : {}) });
  writeFiles(outdir, files, { clean: false });
  return Object.keys(files).sort();
}

export function register(program: Command): void {
  program
    .command("synth")
    .description("Write a stack without Pulumi: a Kubernetes stack as plain YAML (one file per object, via cdk8s) for Argo CD or Flux, the Docker stack as a Docker Compose project (--format compose). Secrets only as references.")
    .requiredOption("-s, --stack <name>", stackOptionHelp("synthesize"))
    .requiredOption("-o, --out <dir>", "output directory")
    .option("--format <format>", "kubernetes (YAML for GitOps) or compose (docker-compose.yml of a docker stack)", "kubernetes")
    .action(async (options: { stack: string; out: string; format: string }) => {
      if (options.format !== "kubernetes" && options.format !== "compose") throw new CliError(`--format "${options.format}" is not kubernetes or compose.`);
      const outdir = resolve(options.out);
      let files: string[];
      try {
        files = options.format === "compose" ? await synthCompose(options.stack, outdir) : await synthStack(options.stack, outdir);
      } catch (error) {
        if (error instanceof CliError) throw error;
        throw new CliError(`synth of stack "${options.stack}" failed: ${(error as Error).message}`);
      }
      const style = styleFor(process.stdout);
      process.stdout.write(
        options.format === "compose"
          ? `${style.ok(`Wrote the Compose project of stack ${options.stack} to ${outdir} (${files.length} files).`)}\nSet the variables of ${join(outdir, ".env.example")} (or copy it to .env), then: docker-compose up --build\n`
          : `${style.ok(`Wrote ${files.length} objects of stack ${options.stack} to ${outdir}`)}\n`,
      );
    });
}
