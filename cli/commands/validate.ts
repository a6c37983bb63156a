/**
 * `mcp-fleet validate`: loads and checks the whole catalog. Exit 0 with a one-line summary, or exit 1 listing
 * every problem (file, field and fix).
 */
import { relative } from "node:path";
import { type Command } from "commander";
import { CatalogError, findRepoRoot, loadCatalog } from "../../servers/catalog/catalog.js";
import { commandProblems } from "../../servers/catalog/commands.js";
import { CliError } from "../errors.js";
import { formatProblems } from "../format/problems.js";
import { styleFor } from "../format/style.js";

export function register(program: Command): void {
  program
    .command("validate")
    .description("Check every server spec and the fleet as a whole, and that every stdio command is on PATH; exit 1 listing every problem")
    .option("--root <dir>", "repository root (default: the nearest mcp-fleet checkout)")
    .action(async (options: { root?: string }) => {
      const root = options.root ?? findRepoRoot();
      try {
        const catalog = await loadCatalog({ root });
        const { servers } = catalog;
        const missing = commandProblems(catalog);
        if (missing.length > 0) throw new CliError(`the server catalog cannot run on this machine: ${formatProblems(missing)}`);
        const ports = servers.map((s) => s.spec.port).sort((a, b) => a - b);
        const range = ports.length === 0 ? "no ports" : `ports ${ports[0]}-${ports.at(-1)}`;
        const where = relative(process.cwd(), root) || ".";
        process.stdout.write(
          `${styleFor(process.stdout).ok(`Catalog valid: ${servers.length} server${servers.length === 1 ? "" : "s"} (${range}) in ${where === "." ? "" : `${where}/`}servers/.`)}\n`,
        );
      } catch (error) {
        if (error instanceof CatalogError)
          throw new CliError(`the server catalog is invalid: ${formatProblems(error.problems)}`);
        throw error;
      }
    });
}
