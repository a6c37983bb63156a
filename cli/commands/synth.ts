/** `mcp-fleet synth --stack NAME -o DIR`: the stack's Kubernetes objects as plain YAML (cdk8s) for GitOps. */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { planFleet, planFleetMonitoring, validateFleetPlanInput } from "../../components/fleet/plan.js";
import { monitoringObjects } from "../../components/monitoring/objects.js";
import { readStackFile } from "../../stacks/plan-stack.js";
import { synthFleet } from "../../components/synth/synth.js";
import { findRepoRoot, loadCatalog, type Catalog } from "../../servers/catalog/catalog.js";
import { parseStackConfig, readRawConfig } from "../../stacks/config.js";
import { fleetName, fleetPlanInputFromConfig } from "../../stacks/program.js";
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

export function register(program: Command): void {
  program
    .command("synth")
    .description("Write a Kubernetes stack as plain YAML (one file per object, via cdk8s) for Argo CD or Flux. Secrets only as references.")
    .requiredOption("-s, --stack <name>", stackOptionHelp("synthesize"))
    .requiredOption("-o, --out <dir>", "output directory")
    .action(async (options: { stack: string; out: string }) => {
      const outdir = resolve(options.out);
      let files: string[];
      try {
        files = await synthStack(options.stack, outdir);
      } catch (error) {
        if (error instanceof CliError) throw error;
        throw new CliError(`synth of stack "${options.stack}" failed: ${(error as Error).message}`);
      }
      process.stdout.write(`${styleFor(process.stdout).ok(`Wrote ${files.length} objects of stack ${options.stack} to ${outdir}`)}\n`);
    });
}
