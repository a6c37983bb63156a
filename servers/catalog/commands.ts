/**
 * Whether a stdio server's command can start on this machine: found on `PATH` (or, when it names a path, at that
 * path from the working directory), as a file one may execute. `mcp-fleet validate` reports a command that cannot,
 * and `mcp-fleet dev` skips its server with the same reason, instead of the child's raw `ENOENT`.
 */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import type { CatalogEntry } from "./catalog.js";

/** Where `command` resolves: its path, or undefined when it is not an executable file on `PATH` (or at its path). */
export function findCommand(command: string, options: { path: string | undefined; cwd: string }): string | undefined {
  const candidates = command.includes("/") ? [isAbsolute(command) ? command : resolve(options.cwd, command)] : (options.path ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, command));
  return candidates.find(isExecutableFile);
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The stdio command of a server that cannot start here, or undefined (not stdio, or found). */
export function missingCommand(entry: Pick<CatalogEntry, "spec">, options: { path: string | undefined; cwd: string }): string | undefined {
  const t = entry.spec.transport;
  if (t.type !== "stdio") return undefined;
  return findCommand(t.command, options) === undefined ? t.command : undefined;
}

/** What is wrong and the fix, for a server whose command is missing: shared by `validate` and `dev`. */
export function missingCommandReason(entry: Pick<CatalogEntry, "spec" | "file">, command: string): string {
  const where = command.includes("/") ? `does not exist or is not executable` : `is not on PATH`;
  return `its command "${command}" ${where}, so server "${entry.spec.name}" cannot start. Install it (or put it on PATH), or set \`transport.command\` in ${entry.file} to a command that is`;
}

/** One problem per stdio server of the catalog whose command cannot start here: ``<file>: `transport.command` ...``. */
export function commandProblems(catalog: { root: string; servers: readonly CatalogEntry[] }, path: string | undefined = process.env.PATH): string[] {
  return catalog.servers.flatMap((entry) => {
    const command = missingCommand(entry, { path, cwd: catalog.root });
    return command === undefined ? [] : [`${entry.file}: \`transport.command\` ${missingCommandReason(entry, command).replace(/^its command /, "")}.`];
  });
}
