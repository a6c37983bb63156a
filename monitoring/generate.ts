/**
 * Regenerates the checked-in `monitoring/generated/` from the server catalog: `npm run monitoring:generate`.
 * CI regenerates in memory and fails when the checked-in files differ (monitoring/generated.test.ts).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { loadCatalog } from "../servers/catalog/catalog.js";
import { monitoredServers } from "./model.js";
import { renderMonitoring } from "./render.js";

export const GENERATED_DIR = "monitoring/generated";

/** The files `monitoring/generated/` must hold for the catalog under `root`. */
export async function generatedFiles(root?: string): Promise<Record<string, string>> {
  const catalog = await loadCatalog(root === undefined ? {} : { root });
  return renderMonitoring(monitoredServers(catalog)).files;
}

/** Lists the files under `dir`, relative to it. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out.sort();
}

/** Writes `files` into `dir`; with `clean`, removes whatever else was there first. */
export function writeFiles(dir: string, files: Record<string, string>, options: { clean?: boolean } = {}): void {
  if (options.clean ?? true) rmSync(dir, { recursive: true, force: true });
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const catalog = await loadCatalog();
  const dir = join(catalog.root, GENERATED_DIR);
  writeFiles(dir, renderMonitoring(monitoredServers(catalog)).files);
  console.log(`wrote ${listFiles(dir).length} files to ${GENERATED_DIR}/`);
}
