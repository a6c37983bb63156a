/**
 * The catalog: every `servers/*.ts` file of the repository, imported, validated one by one and as a fleet.
 *
 * Discovery is automatic: each top-level `servers/<name>.ts` (not `*.test.ts`, not sub-folders) must
 * default-export `defineServer({...})`. Every problem is collected (never only the first) and reported as
 * ``<file>: `<field>` <what is wrong>. <fix>.``; {@link loadCatalog} throws a {@link CatalogError} carrying them.
 *
 * Two servers on one port: the problem names the file changed last (by modification time; on a tie, the later file
 * name), which is the one just edited or added, and suggests a free port. Modification time rather than git status:
 * it needs no git (the catalog loads in images and CI checkouts), and it follows an edit whether or not it is
 * committed yet.
 */
import { existsSync, readFileSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { looksSecret } from "@mcp-fleet/policies/secret-names";
import { MAX_EXPOSED_NAME_LENGTH, MAX_SERVER_NAME_LENGTH, SESSION_SECRET_ENV, prefixedName } from "./derive.js";
import { TOOL_GLOB_PATTERN } from "./globs.js";
import { issueToProblems, show } from "./problems.js";
import { ServerSpecSchema, type ServerSpec } from "./spec.js";

export interface CatalogEntry {
  /** The validated spec, defaults applied. */
  spec: ServerSpec;
  /** Repository-relative file it came from, e.g. `servers/memory.ts`. */
  file: string;
}

export interface Catalog {
  /** Absolute path of the repository root the catalog was loaded from. */
  root: string;
  /** Every server, sorted by name. */
  servers: CatalogEntry[];
}

/** An unspecified spec as found in a file (or generated): validated by the catalog. */
export interface RawEntry {
  file: string;
  spec: unknown;
  /** When the file was last modified (ms since the epoch): of two servers on one port, the newer one is reported. @default 0 */
  modifiedMs?: number;
}

/** The catalog is invalid; `problems` lists every problem, one line each. */
export class CatalogError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `The server catalog has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "CatalogError";
  }
}

/** Where the catalog files live, relative to the repository root. */
export const SERVERS_DIR = "servers";
/** The first port `mcp-fleet new` hands out. */
export const FIRST_SERVER_PORT = 3101;

const MODULE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * The repository root: the nearest directory at or above `start` whose package.json is named `mcp-fleet`;
 * failing that, the checkout this module belongs to.
 * @param start @default process.cwd()
 */
export function findRepoRoot(start: string = process.cwd()): string {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name === "mcp-fleet") return dir;
      } catch {
        // not ours: keep walking
      }
    }
    if (dirname(dir) === dir) return MODULE_ROOT;
  }
}

/** Repository-relative paths of the spec files (`servers/*.ts`), sorted. */
export async function listSpecFiles(root: string): Promise<string[]> {
  const entries = await readdir(join(root, SERVERS_DIR), { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") && !e.name.endsWith(".d.ts"))
    .map((e) => `${SERVERS_DIR}/${e.name}`)
    .sort();
}

type Imported = { file: string; spec: unknown; modifiedMs: number } | { file: string; problem: string };

async function importSpec(root: string, file: string): Promise<Imported> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(join(root, file)).href)) as Record<string, unknown>;
  } catch (error) {
    const reason = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).split("\n")[0];
    return {
      file,
      problem: `${file}: \`default export\` could not be loaded (${reason}). Fix the file so that it imports cleanly.`,
    };
  }
  if (module.default === undefined) {
    return {
      file,
      problem: `${file}: \`default export\` is missing. Add \`export default defineServer({...})\` (from servers/catalog/spec.ts).`,
    };
  }
  return { file, spec: module.default, modifiedMs: (await stat(join(root, file))).mtimeMs };
}

/**
 * Loads the catalog of a repository: imports every `servers/*.ts`, validates each spec and the fleet.
 * @throws CatalogError with every problem when anything is wrong.
 */
export async function loadCatalog(options: { root?: string } = {}): Promise<Catalog> {
  const root = resolve(options.root ?? findRepoRoot());
  if (!existsSync(join(root, SERVERS_DIR))) {
    throw new CatalogError([
      `${SERVERS_DIR}/: \`${SERVERS_DIR}/\` does not exist in ${root}. Run inside an mcp-fleet checkout or point to its root.`,
    ]);
  }
  const files = await listSpecFiles(root);
  const imported = await Promise.all(files.map((file) => importSpec(root, file)));
  const loadProblems = imported.flatMap((i) => ("problem" in i ? [i.problem] : []));
  const raw = imported.flatMap((i) => ("spec" in i ? [{ file: i.file, spec: i.spec, modifiedMs: i.modifiedMs }] : []));
  const { servers, problems } = validateFleet(raw);
  const all = sortProblems([...loadProblems, ...problems]);
  if (all.length > 0) throw new CatalogError(all);
  return { root, servers };
}

/** Builds a catalog from specs already in memory (tests, generated fleets). Same validation as {@link loadCatalog}. */
export function loadCatalogFromSpecs(entries: readonly RawEntry[], options: { root?: string } = {}): Catalog {
  const { servers, problems } = validateFleet(entries);
  if (problems.length > 0) throw new CatalogError(sortProblems(problems));
  return { root: resolve(options.root ?? findRepoRoot()), servers };
}

/** Stable sort by file name, so a file's problems stay together and in the order they were found. */
function sortProblems(problems: string[]): string[] {
  const fileOf = (p: string) => p.slice(0, p.indexOf(": "));
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => fileOf(a.p).localeCompare(fileOf(b.p)) || a.i - b.i)
    .map(({ p }) => p);
}

/** Validates each spec and the fleet as a whole; returns the valid entries (sorted by name) and every problem. */
export function validateFleet(entries: readonly RawEntry[]): { servers: CatalogEntry[]; problems: string[] } {
  const problems: string[] = [];
  const servers: CatalogEntry[] = [];
  const modified = new Map(entries.map((e) => [e.file, e.modifiedMs ?? 0]));
  for (const { file, spec } of [...entries].sort((a, b) => a.file.localeCompare(b.file))) {
    const parsed = ServerSpecSchema.safeParse(spec);
    if (!parsed.success) {
      problems.push(...parsed.error.issues.flatMap((issue) => issueToProblems(file, spec, issue)));
      continue;
    }
    const own = specProblems(file, parsed.data);
    problems.push(...own);
    servers.push({ file, spec: parsed.data });
  }
  problems.push(...fleetProblems(servers, modified));
  return { servers: servers.sort((a, b) => a.spec.name.localeCompare(b.spec.name)), problems };
}

/** The base name of a file without `.ts` and its folder: `servers/memory.ts` → `memory`. */
function baseName(file: string): string {
  return file.slice(file.lastIndexOf("/") + 1).replace(/\.[cm]?[tj]s$/, "");
}

/** Checks of one valid spec that the schema cannot express (they need the file name, the naming or the secrets rule). */
function specProblems(file: string, spec: ServerSpec): string[] {
  const problems: string[] = [];
  const expected = baseName(file);
  if (spec.name !== expected) {
    problems.push(
      `${file}: \`name\` "${spec.name}" does not match the file name. Rename the file to ${file.slice(0, file.length - expected.length - 3)}${spec.name}.ts or set \`name\` to "${expected}".`,
    );
  }
  if (spec.name.length > MAX_SERVER_NAME_LENGTH) {
    problems.push(
      `${file}: \`name\` "${spec.name}" is ${spec.name.length} characters; tools are exposed as "${prefixedName(spec.name, "<tool>")}" and that prefix may take at most 32 of their ${MAX_EXPOSED_NAME_LENGTH} characters. Use a name of at most ${MAX_SERVER_NAME_LENGTH} characters.`,
    );
  }
  problems.push(...secretProblems(file, spec));
  if (spec.protocol === "2026-07-28" && spec.transport.type === "sse") {
    problems.push(`${file}: \`protocol\` "2026-07-28" cannot be spoken over the legacy SSE transport (it predates 2026-07-28). Use \`transport: { type: "http" }\` for a 2026-07-28 server, or set \`protocol\` to "auto" or "2025-11-25".`);
  }
  problems.push(...identityProblems(file, spec));
  for (const list of ["allow", "deny"] as const) {
    spec.tools[list].forEach((glob, index) => {
      if (!TOOL_GLOB_PATTERN.test(glob)) {
        problems.push(
          `${file}: \`tools.${list}[${index}]\` ${show(glob)} is not a tool-name glob. Use letters, digits, '_', '-', '*' and '?' (at most ${MAX_EXPOSED_NAME_LENGTH} characters).`,
        );
      } else if (!/[*?]/.test(glob) && prefixedName(spec.name, glob).length > MAX_EXPOSED_NAME_LENGTH) {
        problems.push(
          `${file}: \`tools.${list}[${index}]\` "${glob}" is too long once prefixed ("${prefixedName(spec.name, glob)}" exceeds ${MAX_EXPOSED_NAME_LENGTH} characters). Shorten the server name or match the tool with a glob.`,
        );
      }
    });
  }
  return problems;
}

/** Access-rule globs are tool-name globs for tools and prompts; credential templates name only the spec's secrets. */
function identityProblems(file: string, spec: ServerSpec): string[] {
  const problems: string[] = [];
  spec.access.forEach((rule, r) => {
    for (const kind of ["tools", "prompts"] as const) {
      rule[kind].forEach((glob, i) => {
        if (!TOOL_GLOB_PATTERN.test(glob)) problems.push(`${file}: \`access[${r}].${kind}[${i}]\` ${show(glob)} is not a name glob. Use letters, digits, '_', '-', '*' and '?' (at most ${MAX_EXPOSED_NAME_LENGTH} characters), the server's own ${kind === "tools" ? "tool" : "prompt"} names.`);
      });
    }
  });
  spec.rateLimits.forEach((rule, r) => {
    if (rule.tool !== "*" && !TOOL_GLOB_PATTERN.test(rule.tool)) problems.push(`${file}: \`rateLimits[${r}].tool\` ${show(rule.tool)} is not a tool-name glob. Use the server's own tool names with '*' and '?'.`);
  });
  const headers = Object.entries(spec.credentials.headers);
  if (headers.length > 0 && spec.transport.type !== "http" && spec.transport.type !== "sse") {
    problems.push(`${file}: \`credentials.headers\` applies to remote servers (transport http or sse), not ${spec.transport.type}. Remove it; a ${spec.transport.type} server gets its \`secrets\` as environment variables.`);
  }
  for (const [header, template] of headers) {
    for (const [, name] of template.matchAll(/\$\{([^}]*)\}/g)) {
      if (!spec.secrets.includes(name!)) problems.push(`${file}: \`credentials.headers.${header}\` uses \${${name}}, which is not one of \`secrets\`. Add "${name}" to \`secrets\` (its value then comes from the secret store), or fix the name.`);
    }
    if (!/\$\{[^}]*\}/.test(template) && looksSecret(header)) problems.push(`${file}: \`credentials.headers.${header}\` is a plain value. Put the credential in \`secrets\` and reference it: "Bearer \${NAME}".`);
  }
  const identity = spec.credentials.identity;
  if (identity?.type === "token-exchange") {
    if (spec.transport.type === "stdio") problems.push(`${file}: \`credentials.identity\` "token-exchange" sends the exchanged token as an Authorization header, which a stdio server has none of. Use { type: "signed-header" } (the token goes in _meta).`);
  } else if (identity !== undefined) {
    const header = identity.header ?? "X-MCP-Fleet-Identity";
    const clash = headers.find(([name]) => name.toLowerCase() === header.toLowerCase());
    if (clash !== undefined) problems.push(`${file}: \`credentials.identity.header\` "${header}" is also set by \`credentials.headers.${clash[0]}\`. Give the identity token a header of its own (default X-MCP-Fleet-Identity), or remove the template.`);
    if (header.toLowerCase() === "authorization") problems.push(`${file}: \`credentials.identity.header\` "${header}" would carry the gateway's token where the server expects its own credential. Use a header of its own (default X-MCP-Fleet-Identity).`);
  }
  return problems;
}

/**
 * A plain `env` value whose name looks secret (the policy pack's rule, `@mcp-fleet/policies/secret-names`) would land
 * in a manifest, a ConfigMap or a container's plain env on every target: refused, with the move to `secrets`. The
 * value is never repeated. `MCP_FLEET_SESSION_SECRET` is the adapter's own key and no server's variable.
 */
function secretProblems(file: string, spec: ServerSpec): string[] {
  const problems: string[] = [];
  const plain: [string, Record<string, string>][] = [["env", spec.env]];
  if (spec.transport.type === "stdio") plain.push(["transport.env", spec.transport.env]);
  for (const [field, env] of plain) {
    for (const name of Object.keys(env)) {
      if (!looksSecret(name)) continue;
      problems.push(
        `${file}: \`${field}.${name}\` is a plain value, and its name looks secret. Move it to secrets: remove it from \`${field}\` and add "${name}" to \`secrets\`; its value then comes from the platform's secret store (\`pulumi config set --secret --path 'mcp-fleet:serverSecrets.${spec.name}.${name}' VALUE\`), or from your environment under \`npm start\`.`,
      );
    }
  }
  spec.secrets.forEach((name, index) => {
    if (name === SESSION_SECRET_ENV) {
      problems.push(`${file}: \`secrets[${index}]\` "${name}" is reserved: the gateway adapter in front of the server reads its session key from it. Name the server's variable otherwise.`);
    }
  });
  return problems;
}

/**
 * Fleet-wide checks: unique names and ports. Of two servers with one name, the later file (by name) is reported; of
 * two on one port, the file modified last (see the module's comment), with a free port to take (a different one for
 * each file reported).
 */
function fleetProblems(servers: readonly CatalogEntry[], modified: ReadonlyMap<string, number>): string[] {
  const problems: string[] = [];
  const names = new Map<string, string>();
  for (const { file, spec } of servers) {
    const nameOwner = names.get(spec.name);
    if (nameOwner) problems.push(`${file}: \`name\` "${spec.name}" is already used by ${nameOwner}. Pick another name.`);
    else names.set(spec.name, file);
  }
  const taken = new Set(servers.map((s) => s.spec.port));
  const byAge = [...servers].sort((a, b) => (modified.get(a.file) ?? 0) - (modified.get(b.file) ?? 0) || a.file.localeCompare(b.file));
  const ports = new Map<number, string>();
  for (const { file, spec } of byAge) {
    const owner = ports.get(spec.port);
    if (owner === undefined) {
      ports.set(spec.port, file);
      continue;
    }
    const free = nextFreePort({ ports: taken });
    taken.add(free);
    problems.push(`${file}: \`port\` ${spec.port} is already used by ${owner}. Pick another port, e.g. ${free} (the next free one).`);
  }
  // Capability fallback names other servers of the catalog.
  for (const { file, spec } of servers) {
    for (const [tool, fallbacks] of Object.entries(spec.fallback)) {
      for (const other of fallbacks) {
        if (other === spec.name) problems.push(`${file}: \`fallback.${tool}\` names "${other}", this server itself. Name another server that offers "${tool}".`);
        else if (!names.has(other)) problems.push(`${file}: \`fallback.${tool}\` names "${other}", which is no server of the catalog. Use one of: ${[...names.keys()].filter((n) => n !== spec.name).sort().join(", ")}.`);
      }
    }
  }
  return problems;
}

/** The lowest port at or above `from` that no server of the catalog uses (or none of `ports`). */
export function nextFreePort(catalog: Pick<Catalog, "servers"> | { ports: ReadonlySet<number> }, from = FIRST_SERVER_PORT): number {
  const used = "ports" in catalog ? catalog.ports : new Set(catalog.servers.map((s) => s.spec.port));
  let port = from;
  while (used.has(port)) port += 1;
  return port;
}

/** The server of that name, or undefined. */
export function findServer(catalog: Pick<Catalog, "servers">, name: string): CatalogEntry | undefined {
  return catalog.servers.find((s) => s.spec.name === name);
}
