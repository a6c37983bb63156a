/**
 * `mcp-fleet check --stack NAME`: `pulumi preview --policy-pack policies` without the Pulumi CLI. Runs the stack
 * program under mocks, evaluates the real policy pack against every registered resource (in this process through
 * `@pulumi/policy`'s analyzer dispatch, or with `--pack-process` as a child process over the analyzer gRPC protocol,
 * exactly like the CLI), prints the violations like `pulumi preview` does, and exits 1 on any mandatory one.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Command } from "commander";
import type { Analyzer, ResourceRecord } from "../../policies/harness/types.js";
import type { Catalog } from "../../servers/catalog/catalog.js";
import { CliError } from "../errors.js";
import { styleFor } from "../format/style.js";
import { stackOptionHelp } from "../stacks.js";

export interface CheckOptions {
  stack: string;
  /** Pack config file. @default policies/config/<stack>.json */
  policyPackConfig?: string;
  /** Print the violations as JSON. @default false */
  json?: boolean;
  /** Run the pack as a child process over gRPC, as the Pulumi CLI does. @default false */
  packProcess?: boolean;
}

/** Every resource the stack program registers under mocks (the components' mock runner). */
export type StackResourceSource = (stack: string) => Promise<ResourceRecord[]>;

const PACK_DIR = fileURLToPath(new URL("../../policies/", import.meta.url));

/** The pack's name and version (from its package.json, as the Pulumi CLI reads them). */
function packInfo(): { name: string; version: string } {
  return { name: "mcp-fleet", version: (JSON.parse(readFileSync(path.join(PACK_DIR, "package.json"), "utf8")) as { version: string }).version };
}

/** What a preview leaves unknown, as the engine sends it to analyzers (policies then report "can't run during preview"). */
const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function restoreUnknowns(value: unknown, unknownMask: string): unknown {
  if (value === unknownMask) return UNKNOWN_SENTINEL;
  if (Array.isArray(value)) return value.map((v) => restoreUnknowns(v, unknownMask));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restoreUnknowns(v, unknownMask)]));
  return value;
}

/** Runs the stack program under mocks (the components' runner) and returns every resource it registered. */
export function stackResourcesOf(options: { root?: string; catalog?: Catalog; config?: Record<string, string> } = {}): StackResourceSource {
  return async (stack) => {
    const { planStack } = await import("../../stacks/plan-stack.js");
    const { UNKNOWN_MASK } = await import("../../components/plan/run-under-mocks.js");
    let plan;
    try {
      plan = await planStack({
        stack,
        ...(options.root !== undefined ? { root: options.root } : {}),
        ...(options.catalog !== undefined ? { catalog: options.catalog } : {}),
        ...(options.config !== undefined ? { config: options.config } : {}),
      });
    } catch (error) {
      throw new CliError(`stack ${stack} cannot be planned: ${(error as Error).message}`);
    }
    return plan.resources
      .filter((r) => r.type !== "pulumi:pulumi:Stack")
      .map((r) => ({ type: r.type, name: r.name, urn: r.urn, ...(r.parent !== undefined ? { parent: r.parent } : {}), inputs: restoreUnknowns(r.inputs, UNKNOWN_MASK) as Record<string, unknown> }));
  };
}

/** Runs the check and returns the exit code: 1 when any violation is mandatory. */
export async function runCheck(options: CheckOptions, source: StackResourceSource = stackResourcesOf(), out: NodeJS.WritableStream = process.stdout): Promise<number> {
  // Loaded here, not at the top: every `mcp-fleet` command imports this module to register it.
  const { loadPackConfig, PackConfigError, packConfigFile } = await import("../../policies/harness/config.js");
  const { evaluateStack, formatViolations } = await import("../../policies/harness/evaluate.js");
  const { createInProcessAnalyzer } = await import("../../policies/harness/in-process.js");
  const { startPackProcess } = await import("../../policies/harness/pack-process.js");
  const { policies } = await import("../../policies/policies.js");
  const PACK = packInfo();
  const configFile = options.policyPackConfig ?? packConfigFile(options.stack);
  let config;
  try {
    config = loadPackConfig(configFile);
  } catch (error) {
    if (error instanceof PackConfigError) throw new CliError(error.message);
    throw error;
  }
  const resources = await source(options.stack);
  let analyzer: Analyzer;
  try {
    analyzer = options.packProcess ? await startPackProcess({ config }) : createInProcessAnalyzer(policies, { config, configSource: configFile });
  } catch (error) {
    if (error instanceof PackConfigError) throw new CliError(error.message);
    throw error;
  }
  try {
    const evaluation = await evaluateStack(analyzer, resources);
    if (options.json) {
      out.write(`${JSON.stringify({ stack: options.stack, resources: evaluation.resources, violations: evaluation.violations }, null, 2)}\n`);
    } else {
      out.write(formatViolations(evaluation, PACK));
      const verdict = evaluation.mandatory > 0 ? "failed" : "passed";
      const line = `Policy check ${verdict}: stack ${options.stack}, ${evaluation.resources} resources, ${policies.length} policies of ${PACK.name} v${PACK.version} (${path.relative(process.cwd(), configFile) || configFile}): ${evaluation.mandatory} mandatory, ${evaluation.advisory} advisory violation${evaluation.advisory === 1 ? "" : "s"}.`;
      const style = styleFor(out as { isTTY?: boolean });
      out.write(`${evaluation.mandatory > 0 ? style.fail(line) : evaluation.advisory > 0 ? style.warn(line) : style.ok(line)}\n`);
    }
    return evaluation.mandatory > 0 ? 1 : 0;
  } finally {
    await analyzer.close();
  }
}

export function register(program: Command): void {
  program
    .command("check")
    .description("Run a stack under mocks and check it against the policy pack, like `pulumi preview --policy-pack policies`; exit 1 on a mandatory violation")
    .requiredOption("-s, --stack <name>", stackOptionHelp("check"))
    .option("--policy-pack-config <file>", "pack config (default: policies/config/<stack>.json)")
    .option("--pack-process", "run the pack as a child process over the analyzer gRPC protocol, as the Pulumi CLI does")
    .option("--json", "print the violations as JSON")
    .option("--root <dir>", "repository root (default: the nearest mcp-fleet checkout)")
    .action(async (options: CheckOptions & { root?: string }) => {
      process.exitCode = await runCheck(options, stackResourcesOf(options.root !== undefined ? { root: options.root } : {}));
    });
}
