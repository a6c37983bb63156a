/**
 * `mcp-fleet new <name>`: a new server from the hello template: `servers/<name>.ts` plus `servers/<name>/`
 * (source with stub tools and resources, tests, Dockerfile).
 *
 * Everything is checked before anything is written (name, port, tools, resources, and the rendered spec against
 * the catalog); the files are written to a staging folder and moved into place, the spec last; on any failure
 * nothing of the new server is left behind.
 */
import { existsSync } from "node:fs";
import { link, mkdir, mkdtemp, readFile, rename, rm, rmdir, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Command } from "commander";
import { findRepoRoot, findServer, nextFreePort, validateFleet, type Catalog } from "../../servers/catalog/catalog.js";
import {
  contentProblems,
  DEFAULT_TOOLS,
  defaultResources,
  nameProblems,
  renderNewServer,
  specObject,
  TEMPLATE_FILES,
  type HelloTemplate,
  type NewServerRequest,
} from "../../servers/catalog/scaffold.js";
import { CliError } from "../errors.js";
import { loadCatalogOrFail } from "../format/problems.js";
import { styleFor } from "../format/style.js";

/** The hello server this CLI ships with: the template. */
const TEMPLATE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "servers", "hello");

interface NewOptions {
  port?: string;
  tools?: string;
  resources?: string;
  owner: string;
  description?: string;
  root?: string;
}

const list = (value: string | undefined) =>
  value
    ?.split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");

/** Checks the request against the catalog and the tree; returns it complete, or every problem. */
export function planNewServer(
  catalog: Catalog,
  name: string,
  options: Omit<NewOptions, "root">,
): { request?: NewServerRequest; problems: string[] } {
  const problems = [...nameProblems(name)];
  const taken = findServer(catalog, name);
  if (taken) problems.push(`server name "${name}" is already taken by ${taken.file}. Pick another name.`);
  else {
    for (const path of [`servers/${name}.ts`, `servers/${name}`]) {
      if (existsSync(join(catalog.root, path)))
        problems.push(`${path} already exists. Pick another name or remove it.`);
    }
  }

  let port = nextFreePort(catalog);
  if (options.port !== undefined) {
    port = Number(options.port);
    const user = catalog.servers.find((s) => s.spec.port === port);
    if (!/^\d+$/.test(options.port) || port < 1024 || port > 65535) {
      problems.push(
        `--port "${options.port}" is not a usable port. Use a whole number from 1024 to 65535, e.g. ${nextFreePort(catalog)}.`,
      );
    } else if (user) {
      problems.push(
        `--port ${port} is already used by ${user.file}. Pick another port, e.g. ${nextFreePort(catalog)} (the next free one).`,
      );
    }
  }

  const tools = list(options.tools) ?? DEFAULT_TOOLS;
  const validName = nameProblems(name).length === 0;
  const resources = list(options.resources) ?? defaultResources(validName ? name : "server");
  problems.push(...contentProblems(validName ? name : "server", tools, resources));
  const description = options.description ?? `${name}: describe what this server is for`;
  const request: NewServerRequest = { name, port, tools, resources, owner: options.owner, description };
  if (problems.length > 0) return { problems };

  // The spec as it will be written, validated with the rest of the fleet (owner, description, ...).
  const file = `servers/${name}.ts`;
  const fleet = validateFleet([...catalog.servers, { file, spec: specObject(request) }]);
  const own = fleet.problems.filter((p) => p.startsWith(`${file}: `));
  return own.length > 0 ? { problems: own } : { request, problems: [] };
}

async function readTemplate(): Promise<HelloTemplate> {
  const entries = await Promise.all(
    Object.entries(TEMPLATE_FILES).map(
      async ([key, file]) => [key, await readFile(join(TEMPLATE_DIR, file), "utf8")] as const,
    ),
  );
  return Object.fromEntries(entries) as unknown as HelloTemplate;
}

/**
 * Writes the files into a staging folder under `<root>/.tmp/`, then moves the server folder and, last, the spec
 * into `servers/` (no overwrite). Removes whatever it moved if a later step fails.
 */
export async function writeNewServer(root: string, name: string, files: Map<string, string>): Promise<void> {
  const tmp = join(root, ".tmp");
  const createdTmp = !existsSync(tmp);
  await mkdir(tmp, { recursive: true });
  const stage = await mkdtemp(join(tmp, `new-${name}-`));
  const moved: string[] = [];
  try {
    for (const [path, text] of files) {
      await mkdir(dirname(join(stage, path)), { recursive: true });
      await writeFile(join(stage, path), text, { flag: "wx" });
    }
    const dir = join(root, "servers", name);
    if (existsSync(dir)) throw new CliError(`servers/${name} appeared while writing. Nothing was changed.`);
    await rename(join(stage, "servers", name), dir);
    moved.push(dir);
    const spec = join(root, "servers", `${name}.ts`);
    await link(join(stage, "servers", `${name}.ts`), spec); // fails if it exists: never overwrites
    moved.push(spec);
    await unlink(join(stage, "servers", `${name}.ts`));
  } catch (error) {
    await Promise.all(moved.map((path) => rm(path, { recursive: true, force: true })));
    throw error;
  } finally {
    await rm(stage, { recursive: true, force: true });
    if (createdTmp) await rmdir(tmp).catch(() => undefined); // only if still empty
  }
}

export function register(program: Command): void {
  program
    .command("new")
    .description(
      "Create a server from the hello template: servers/<name>.ts and servers/<name>/ (source, tests, Dockerfile)",
    )
    .argument("<name>", "server name: lowercase letters, digits and '-', at most 30 characters")
    .option("--port <port>", "port it serves on when deployed (default: the next free one from 3101)")
    .option("--tools <names>", "comma-separated tool names, each a working stub (default: echo)")
    .option("--resources <uris>", "comma-separated resource URIs, each a working stub (default: <name>://about)")
    .option("--owner <team>", "owning team, kebab-case", "platform")
    .option("--description <text>", "one line on what the server is for")
    .option("--root <dir>", "repository root (default: the nearest mcp-fleet checkout)")
    .action(async (name: string, options: NewOptions) => {
      const root = options.root ?? findRepoRoot();
      const catalog = await loadCatalogOrFail(root, `create servers/${name}.ts`);
      const { request, problems } = planNewServer(catalog, name, options);
      if (!request) {
        const lines = problems.length === 1 ? problems[0] : problems.map((p) => `\n  - ${p}`).join("");
        throw new CliError(`cannot create server "${name}"; nothing was changed: ${lines}`);
      }
      const files = renderNewServer(request, await readTemplate());
      await writeNewServer(catalog.root, name, files);
      const style = styleFor(process.stdout);
      process.stdout.write(
        [
          style.ok(`Created server "${name}" (port ${request.port}, tools ${request.tools.join(", ")}):`),
          ...[...files.keys()].map((f) => `  ${f}`),
          "Next: describe it in the spec, implement the stubs, then run:",
          `  npx vitest run servers/${name}`,
          "  npm run check",
          // The gateway reads its config once, at start: a running fleet does not see the new server by itself.
          `A running fleet does not serve it yet: restart \`npm start\` (Ctrl-C, then \`npm start\`); a deployed fleet gets it with the next \`pulumi up\`.`,
          "",
        ].join("\n"),
      );
    });
}
