/**
 * Hot reload of the config file: on a change of the file (a ConfigMap mount swaps its `..data` symlink: the
 * directory is watched, and the file's content decides) and on SIGHUP, the file is read and validated, diffed
 * against what runs, and applied: new servers connect, removed ones stop taking calls at once and stop once their
 * calls in flight finished (drained), changed ones are replaced (the new endpoints start, the old drain), untouched
 * ones and every client session stay as they are. An invalid file is refused and logged, and the old config keeps
 * serving. Every reload is counted (`mcp_gateway_config_reloads_total{result}`).
 *
 * What is applied live: `servers` and `logging.level`. Other sections (listen, sessions, http, rateLimits, ...)
 * are read by the rooms that hold them when they are built; a change there is logged as needing a restart.
 * Rooms that read `config.servers` at call time see the new list (the running config's `servers` is replaced);
 * rooms that keep something per server subscribe with {@link ConfigReloader.onApplied}.
 */
import { createHash } from "node:crypto";
import { readFileSync, watch, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";
import { compileToolFilter } from "../catalog/filter.js";
import type { Registry } from "../catalog/registry.js";
import { ConfigError, loadGatewayConfig, type BackendConfig, type GatewayConfig } from "../config.js";
import type { Logger } from "../observability/logger.js";
import type { GatewayMetrics, ReloadResult } from "../observability/metrics.js";
import type { BackendPool } from "../upstream/pool.js";

/** A change of the file is applied this long after the last event of a burst (an editor or kubelet writes in steps). */
const SETTLE_MS = 150;

export interface ServerDiff {
  added: BackendConfig[];
  removed: string[];
  changed: BackendConfig[];
  /** Top-level sections other than `servers` and `logging` that differ: they take effect on restart. */
  needsRestart: string[];
}

/** What differs between the running config and the next one. */
export function diffConfig(current: GatewayConfig, next: GatewayConfig): ServerDiff {
  const before = new Map(current.servers.map((s) => [s.name, s]));
  const after = new Map(next.servers.map((s) => [s.name, s]));
  const diff: ServerDiff = { added: [], removed: [], changed: [], needsRestart: [] };
  for (const [name, server] of after) {
    const old = before.get(name);
    if (old === undefined) diff.added.push(server);
    else if (JSON.stringify(old) !== JSON.stringify(server)) diff.changed.push(server);
  }
  for (const name of before.keys()) if (!after.has(name)) diff.removed.push(name);
  for (const key of Object.keys(next) as (keyof GatewayConfig)[]) {
    if (key === "servers" || key === "logging") continue;
    if (JSON.stringify(current[key]) !== JSON.stringify(next[key])) diff.needsRestart.push(key);
  }
  return diff;
}

export interface ReloadDeps {
  file: string;
  /** The running config: its `servers` and `logging.level` are replaced by an applied reload. */
  config: GatewayConfig;
  pool: BackendPool;
  registry: Registry;
  /** The tool filter of each server (what the registry asks). */
  filters: Map<string, (tool: string) => boolean>;
  metrics: GatewayMetrics;
  logger: Logger;
  /** `listen.port` given on the command line (`--port`, `PORT`): it wins over the file's, on reload too. */
  portOverride?: number;
}

function hashOf(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export class ConfigReloader {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private appliedHash: string | undefined;
  /** The content refused last: a file left invalid is refused (and counted) once, not on every event. */
  private refusedHash: string | undefined;
  /** Reloads run one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners: ((config: GatewayConfig, diff: ServerDiff) => void)[] = [];
  private readonly onSignal = (): void => void this.reload("SIGHUP");

  constructor(private readonly deps: ReloadDeps) {
    try {
      this.appliedHash = hashOf(readFileSync(deps.file, "utf8"));
    } catch {
      // read at start already; a file gone now is reported by the first reload
    }
  }

  /** Called after each applied reload with the new config and what changed. */
  onApplied(listener: (config: GatewayConfig, diff: ServerDiff) => void): void {
    this.listeners.push(listener);
  }

  /** Watches the file's directory (a ConfigMap swaps a symlink there) and, with `signal`, reloads on SIGHUP. */
  start(options: { signal?: boolean } = {}): void {
    const name = basename(this.deps.file);
    try {
      this.watcher = watch(dirname(this.deps.file), (_event, filename) => {
        // A ConfigMap update renames `..data`; an editor writes the file itself or a temp file beside it.
        if (filename !== null && filename !== name && !filename.startsWith("..")) return;
        if (this.timer !== undefined) clearTimeout(this.timer);
        this.timer = setTimeout(() => {
          this.timer = undefined;
          void this.reload("file", true);
        }, SETTLE_MS);
      });
      this.watcher.on("error", (error) => this.deps.logger.warn({ file: this.deps.file, err: error.message }, "watching the config file failed; reload with SIGHUP"));
    } catch (error) {
      this.deps.logger.warn({ file: this.deps.file, err: (error as Error).message }, "cannot watch the config file; reload with SIGHUP");
    }
    if (options.signal === true) process.on("SIGHUP", this.onSignal);
  }

  /** Reads, validates, diffs and applies the file. `ifChanged`: do nothing when its content is what was applied last. */
  reload(trigger: string, ifChanged = false): Promise<ReloadResult | undefined> {
    const run = this.queue.then(() => this.apply(trigger, ifChanged));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async apply(trigger: string, ifChanged: boolean): Promise<ReloadResult | undefined> {
    const { deps } = this;
    let text: string;
    try {
      text = readFileSync(deps.file, "utf8");
    } catch (error) {
      return this.refuse(trigger, `cannot read: ${(error as Error).message}`);
    }
    const hash = hashOf(text);
    if (ifChanged && (hash === this.appliedHash || hash === this.refusedHash)) return undefined;
    let next: GatewayConfig;
    try {
      next = loadGatewayConfig(deps.file);
    } catch (error) {
      this.refusedHash = hash;
      return this.refuse(trigger, error instanceof ConfigError ? error.message : (error as Error).message);
    }
    this.refusedHash = undefined;
    if (deps.portOverride !== undefined) next.listen.port = deps.portOverride;
    this.appliedHash = hash;
    const diff = diffConfig(deps.config, next);
    const levelChanged = next.logging.level !== deps.config.logging.level;
    if (diff.added.length + diff.removed.length + diff.changed.length === 0 && !levelChanged) {
      if (diff.needsRestart.length > 0) deps.logger.warn({ file: deps.file, trigger, sections: diff.needsRestart }, "config reloaded: these sections changed and take effect on restart");
      deps.metrics.configReload("unchanged");
      return "unchanged";
    }
    deps.logger.info(
      { file: deps.file, trigger, added: diff.added.map((s) => s.name), removed: diff.removed, changed: diff.changed.map((s) => s.name), ...(diff.needsRestart.length > 0 ? { needsRestart: diff.needsRestart } : {}) },
      "config reloaded: applying",
    );
    if (levelChanged) deps.logger.level = next.logging.level;
    deps.config.logging = next.logging;
    deps.config.servers = next.servers;
    const work: Promise<void>[] = [];
    for (const name of diff.removed) {
      const transport = deps.pool.sets.get(name)?.config.transport;
      deps.registry.removeServer(name);
      deps.filters.delete(name);
      work.push(
        deps.pool.removeServer(name).then(() => {
          if (transport !== undefined) deps.metrics.serverRemoved(name, transport);
        }),
      );
    }
    for (const server of diff.changed) {
      deps.filters.set(server.name, compileToolFilter(server.tools));
      work.push(deps.pool.replaceServer(server));
    }
    if (diff.changed.length > 0) deps.registry.refilter();
    for (const server of diff.added) {
      deps.filters.set(server.name, compileToolFilter(server.tools));
      deps.registry.addServer(server.name);
      deps.pool.addServer(server);
      deps.metrics.backendUp(server.name, server.transport, false);
      deps.metrics.circuit(server.name, 0);
      work.push(deps.pool.startServer(server.name));
    }
    deps.metrics.configReload("applied");
    for (const listener of this.listeners) listener(next, diff);
    await Promise.all(work);
    deps.logger.info({ file: deps.file, trigger }, "config reload applied");
    return "applied";
  }

  private refuse(trigger: string, why: string): ReloadResult {
    this.deps.logger.error({ file: this.deps.file, trigger, err: why }, "config reload refused: the file is invalid; the running config keeps serving");
    this.deps.metrics.configReload("invalid");
    return "invalid";
  }

  stop(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    process.removeListener("SIGHUP", this.onSignal);
  }
}
