/**
 * `mcp-fleet dev` keeps the running gateway in step with the catalog: when a top-level `servers/*.ts` changes (one
 * added with `mcp-fleet new`, edited, removed), the local gateway config is rendered again in a fresh process
 * (render-local-config.ts: ESM caches the spec modules of this one) and, when it differs, written over the config
 * file in one rename. The gateway watches that file and reloads it (gateway/src/lifecycle/reload.ts): new servers
 * connect, removed ones drain, changed ones restart, every client session stays.
 */
import { execFile } from "node:child_process";
import { readFileSync, renameSync, watch, writeFileSync, type FSWatcher } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

/** A burst of writes (an editor, `mcp-fleet new` writing several files) is rendered once, after it settles. */
const SETTLE_MS = 300;

export interface CatalogWatchOptions {
  root: string;
  /** The gateway's config file (rewritten on a change). */
  configFile: string;
  port: number;
  /** A line for the user (what changed, or why the change was not applied). */
  say: (line: string) => void;
}

interface Rendered {
  config?: { servers: { name: string }[] };
  skipped?: { name: string; file: string; reason: string }[];
  error?: string;
}

/** Renders the local config in a fresh process. */
export function renderFresh(root: string, port: number): Promise<Rendered> {
  const script = fileURLToPath(new URL("./render-local-config.ts", import.meta.url));
  const tsx = import.meta.resolve("tsx");
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", tsx, script, "--port", String(port)], { cwd: root, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
      const line = stdout.split("\n").find((l) => l.startsWith("{"));
      if (line !== undefined) resolve(JSON.parse(line) as Rendered);
      else resolve({ error: `rendering the catalog failed: ${error?.message ?? "no output"}` });
    });
  });
}

/** Watches `servers/` and rewrites the config file when the rendered config changes. Returns the stop function. */
export function watchCatalog(options: CatalogWatchOptions): () => void {
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const apply = async (): Promise<void> => {
    const rendered = await renderFresh(options.root, options.port);
    if (rendered.error !== undefined || rendered.config === undefined) {
      options.say(`catalog changed but was not applied (the gateway keeps its servers): ${rendered.error ?? "no config"}`);
      return;
    }
    const text = `${JSON.stringify(rendered.config, null, 2)}\n`;
    const before = readFileSync(options.configFile, "utf8");
    if (text === before) return;
    const names = (config: { servers: { name: string }[] }) => new Set(config.servers.map((s) => s.name));
    const had = names(JSON.parse(before) as { servers: { name: string }[] });
    const has = names(rendered.config);
    for (const skipped of rendered.skipped ?? []) if (!had.has(skipped.name)) options.say(`warning: skipping ${skipped.name} (${skipped.file}): ${skipped.reason}`);
    const added = [...has].filter((n) => !had.has(n));
    const removed = [...had].filter((n) => !has.has(n));
    const tmp = `${options.configFile}.next`;
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, options.configFile);
    const parts = [added.length > 0 ? `added ${added.join(", ")}` : "", removed.length > 0 ? `removed ${removed.join(", ")}` : ""].filter((p) => p !== "");
    options.say(`catalog changed: ${parts.length > 0 ? parts.join("; ") : "servers updated"}; the gateway reloads its config (sessions stay).`);
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(join(options.root, "servers"), (_event, filename) => {
      if (filename === null || !filename.endsWith(".ts") || filename.includes("/") || filename.endsWith(".test.ts")) return;
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        running = running.then(apply, apply);
      }, SETTLE_MS);
    });
  } catch (error) {
    options.say(`warning: cannot watch servers/ (${(error as Error).message}); restart \`npm start\` after changing the catalog.`);
  }
  return () => {
    watcher?.close();
    if (timer !== undefined) clearTimeout(timer);
  };
}
