/**
 * Renders the local gateway config (`mcp-fleet dev`) from the catalog, in a process of its own: the catalog loads
 * spec files with ESM `import()`, which caches each module for the life of a process, so a changed
 * `servers/*.ts` is only seen by a fresh one. Prints one JSON line: `{ config, skipped }` or `{ error }`.
 * Run: node --import tsx cli/render-local-config.ts --port N   (in the repository root)
 */
import { localGatewayConfig, localSkips } from "../components/gateway-config.js";
import { findRepoRoot, loadCatalog } from "../servers/catalog/catalog.js";

const portIndex = process.argv.indexOf("--port");
const port = Number(process.argv[portIndex + 1]);
try {
  const catalog = await loadCatalog({ root: findRepoRoot() });
  const config = localGatewayConfig(catalog, { port });
  process.stdout.write(`${JSON.stringify({ config, skipped: localSkips(catalog) })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: (error as Error).message })}\n`);
}
