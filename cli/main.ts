/**
 * The `mcp-fleet` command. Each subcommand lives in `cli/commands/<name>.ts` and exports
 * `register(program)`; this file only wires them up.
 */
import { Command, CommanderError } from "commander";
import { CliError } from "./errors.js";

type Registrar = (program: Command) => void;

/** Subcommands, in the order `--help` lists them. Add one line per new command module. */
const commandModules: Array<() => Promise<{ register: Registrar }>> = [
  () => import("./commands/list.js"),
  () => import("./commands/validate.js"),
  () => import("./commands/new.js"),
  () => import("./commands/dev.js"),
  () => import("./commands/health.js"),
  () => import("./commands/monitoring.js"),
  () => import("./commands/check.js"),
  () => import("./commands/plan.js"),
  () => import("./commands/synth.js"),
];

export async function main(argv: string[]): Promise<number> {
  const program = new Command("mcp-fleet")
    .description("Describe, run, deploy and check a fleet of MCP servers behind one gateway.")
    .showHelpAfterError()
    .exitOverride();
  for (const load of commandModules) (await load()).register(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CliError) {
      process.stderr.write(`mcp-fleet: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}
