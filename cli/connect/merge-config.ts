/**
 * Merging one server entry into a client's existing config file: everything else in the file is kept (other servers,
 * other settings, comments in JSONC files such as VS Code's), only `<rootKey>.<name>` is set. Then the diff to show,
 * a backup of the old file, and an atomic write.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { createTwoFilesPatch } from "diff";
import { applyEdits, modify, parse, printParseErrorCode, type ParseError } from "jsonc-parser";
import { CliError } from "../errors.js";

export interface MergeResult {
  before: string;
  after: string;
  changed: boolean;
}

function jsonType(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** The file's text with `rootKey.name` set to `entry`. Throws {@link CliError} naming the file on invalid JSON. */
export function mergeEntry(file: string, before: string, rootKey: string, name: string, entry: unknown): MergeResult {
  const errors: ParseError[] = [];
  const tree = before.trim() === "" ? {} : (parse(before, errors, { allowTrailingComma: true }) as unknown);
  if (errors.length > 0) {
    const first = errors[0]!;
    const line = before.slice(0, first.offset).split("\n").length;
    throw new CliError(`${file} is not valid JSON (${printParseErrorCode(first.error)} at line ${line}). Fix it, or pass --file to write another file.`);
  }
  if (typeof tree !== "object" || tree === null || Array.isArray(tree)) {
    throw new CliError(`${file} holds ${jsonType(tree)}, not a JSON object. Fix it, or pass --file to write another file.`);
  }
  const servers = (tree as Record<string, unknown>)[rootKey];
  if (servers !== undefined && (typeof servers !== "object" || servers === null || Array.isArray(servers))) {
    throw new CliError(`\`${rootKey}\` in ${file} is ${jsonType(servers)}, not an object of servers. Fix it, or pass --file to write another file.`);
  }
  const indent = /\n(\t| +)"/.exec(before)?.[1];
  const formattingOptions = { insertSpaces: indent !== "\t", tabSize: indent === undefined || indent === "\t" ? 2 : indent.length, eol: "\n" };
  const base = before.trim() === "" ? "{}" : before;
  let after = applyEdits(base, modify(base, [rootKey, name], entry, { formattingOptions }));
  if (!after.endsWith("\n")) after += "\n";
  const same = JSON.stringify((servers as Record<string, unknown> | undefined)?.[name]) === JSON.stringify(entry);
  return { before, after: same ? before : after, changed: !same };
}

/** A unified diff of the change, labelled with the file's path. */
export function configDiff(file: string, result: MergeResult): string {
  return createTwoFilesPatch(file, file, result.before, result.after, "before", "after", { context: 3 });
}

/** Reads a config file; a missing one reads as empty. */
export function readConfig(file: string): string {
  return existsSync(file) ? readFileSync(file, "utf8") : "";
}

/** Where the old file is kept: `<file>.<UTC timestamp>.bak`. */
export function backupName(file: string, now = new Date()): string {
  return `${file}.${now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}.bak`;
}

/**
 * Backs the old file up (when there is one), then writes the new text through a temp file and a rename (keeping
 * the old file's mode), so a crash never leaves half a config. Returns the backup's path.
 */
export function writeConfig(file: string, text: string, now = new Date()): string | undefined {
  mkdirSync(dirname(file), { recursive: true });
  let backup: string | undefined;
  let mode = 0o600;
  if (existsSync(file)) {
    backup = backupName(file, now);
    copyFileSync(file, backup);
    mode = statSync(file).mode & 0o777;
  }
  const tmp = `${file}.mcp-fleet-${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, file);
  return backup;
}
