/**
 * Plans a shipped stack offline: reads `stacks/Pulumi.<stack>.yaml`, sets its config (with `secure:` values and
 * missing required secrets replaced by placeholders marked secret), and runs the stack program under mocks.
 * Used by `mcp-fleet plan`, `mcp-fleet synth`, `mcp-fleet check` and the tests.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { runUnderMocks, type RunResult } from "../components/plan/run-under-mocks.js";
import type { Catalog } from "../servers/catalog/catalog.js";
import { findRepoRoot } from "../servers/catalog/catalog.js";
import { identityPlaceholders } from "./identity-placeholders.js";

/** Secret keys the program requires; a plan without them uses a placeholder. */
export const REQUIRED_SECRETS = ["mcp-fleet:sessionSecret"];

export interface StackFile {
  /** `namespace:key` -> string value (objects JSON-encoded). */
  config: Record<string, string>;
  /** Keys whose values are secrets. */
  secretKeys: string[];
  /** Keys that got a placeholder value (encrypted or missing secrets). */
  placeholders: string[];
}

/** The shipped stacks: `stacks/Pulumi.<name>.yaml`. */
export function listStacks(root: string): string[] {
  const dir = join(root, "stacks");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => /^Pulumi\.([a-z0-9-]+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/** Reads a stack's config file into Pulumi's string form. */
export function readStackFile(root: string, stack: string): StackFile {
  const file = join(root, "stacks", `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) {
    throw new Error(`Stack "${stack}" has no config file stacks/Pulumi.${stack}.yaml. Known stacks: ${listStacks(root).join(", ") || "none"}.`);
  }
  const doc = (parse(readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const placeholders: string[] = [];
  for (const [key, value] of Object.entries(doc.config ?? {})) {
    if (value !== null && typeof value === "object" && "secure" in value) {
      config[key] = `plan-placeholder-${key.replace(/[^a-zA-Z0-9]/g, "-")}`;
      secretKeys.push(key);
      placeholders.push(key);
    } else {
      config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  for (const key of REQUIRED_SECRETS) {
    if (!(key in config)) {
      config[key] = `plan-placeholder-${key.replace(/[^a-zA-Z0-9]/g, "-")}`;
      secretKeys.push(key);
      placeholders.push(key);
    }
  }
  for (const [key, value] of Object.entries(identityPlaceholders(config))) {
    config[key] = value;
    secretKeys.push(key);
    placeholders.push(key);
  }
  return { config, secretKeys, placeholders };
}

export interface PlanStackOptions {
  stack: string;
  /** @default the repository root found from the working directory */
  root?: string;
  /** Extra or overriding config (`namespace:key` -> string). @default {} */
  config?: Record<string, string>;
  /** Keys of `config` that are secrets. @default [] */
  secretKeys?: string[];
  /** Plan this catalog instead of servers/*.ts. */
  catalog?: Catalog;
}

export interface StackPlan extends RunResult {
  stack: string;
  placeholders: string[];
}

/** Runs the stack's program under mocks and returns what it registered. */
export async function planStack(options: PlanStackOptions): Promise<StackPlan> {
  const root = options.root ?? findRepoRoot();
  const file = readStackFile(root, options.stack);
  const config = { ...file.config, ...(options.config ?? {}) };
  const secretKeys = [...new Set([...file.secretKeys, ...(options.secretKeys ?? [])])];
  const placeholders = file.placeholders.filter((k) => !(k in (options.config ?? {})));
  // Loaded on first use: the program pulls in every provider SDK, which `synth` (reading stack files only) never needs.
  const { stackProgram } = await import("./program.js");
  const result = await runUnderMocks({
    stack: options.stack,
    config,
    secretKeys,
    // An offline plan writes nothing: the dev stack's monitoring files are written by a real `pulumi up` only.
    program: () => stackProgram({ root, writeMonitoringFiles: false, ...(options.catalog !== undefined ? { catalog: options.catalog } : {}) }),
  });
  return { ...result, stack: options.stack, placeholders };
}
