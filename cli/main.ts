/**
 * The `mcp-fleet` command. Each subcommand lives in `cli/commands/<name>.ts` and exports
 * `register(program)`; this file only wires them up.
 */
import { Command, CommanderError } from "commander";
import { CliError } from "./errors.js";
import { styleFor } from "./format/style.js";

type Registrar = (program: Command) => void;

/** Subcommands by name, in the order `--help` lists them. Add one line per new command module. */
const commandModules: Record<string, () => Promise<{ register: Registrar }>> = {
  list: () => import("./commands/list.js"),
  validate: () => import("./commands/validate.js"),
  new: () => import("./commands/new.js"),
  dev: () => import("./commands/dev.js"),
  health: () => import("./commands/health.js"),
  tools: () => import("./commands/tools.js"),
  call: () => import("./commands/call.js"),
  connect: () => import("./commands/connect.js"),
  monitoring: () => import("./commands/monitoring.js"),
  check: () => import("./commands/check.js"),
  plan: () => import("./commands/plan.js"),
  synth: () => import("./commands/synth.js"),
  access: () => import("./commands/access.js"),
  audit: () => import("./commands/audit.js"),
};

/** Loads only the module of the command being run (the Pulumi and MCP SDK imports are slow); all of them for help. */
function modulesFor(argv: string[]): Array<() => Promise<{ register: Registrar }>> {
  const name = argv[2];
  const only = name === undefined ? undefined : commandModules[name];
  return only ? [only] : Object.values(commandModules);
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command("mcp-fleet")
    .description("Describe, run, deploy and check a fleet of MCP servers behind one gateway.")
    .showHelpAfterError()
    .exitOverride();
  for (const load of modulesFor(argv)) (await load()).register(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CliError) {
      process.stderr.write(`${styleFor(process.stderr).fail(`mcp-fleet: ${error.message}`)}\n`);
      return error.exitCode;
    }
    throw error;
  }
}
