/** How the CLI prints catalog problems. */
import { CatalogError, loadCatalog, type Catalog } from "../../servers/catalog/catalog.js";
import { CliError } from "../errors.js";

/** `N problem(s):` then one indented line per problem. */
export function formatProblems(problems: readonly string[]): string {
  const head = `${problems.length} problem${problems.length === 1 ? "" : "s"}:`;
  return [head, ...problems.map((p) => `  - ${p}`)].join("\n");
}

/** Loads the catalog; an invalid one becomes a {@link CliError} listing every problem. */
export async function loadCatalogOrFail(root: string | undefined, doing: string): Promise<Catalog> {
  try {
    return await loadCatalog(root === undefined ? {} : { root });
  } catch (error) {
    if (error instanceof CatalogError) {
      throw new CliError(
        `cannot ${doing}: the server catalog has ${formatProblems(error.problems)}\nFix them (see \`mcp-fleet validate\`).`,
      );
    }
    throw error;
  }
}
