/**
 * `mcp-fleet connect <client>`: the config entry that points an MCP client (Claude Desktop, Claude Code, VS Code,
 * Cursor, or any client reading the generic `mcpServers` JSON) at the gateway, with the transport and auth shape that
 * client needs. Prints it (stdout: the JSON, or with `--command` the `claude mcp add` line; stderr: where it goes);
 * with `--write`, merges it into the client's config file after showing the diff, keeping every other entry and
 * backing the old file up. An API key is only ever referenced by its variable's name, in the client's own syntax.
 */
import type { Command } from "commander";
import { CliError } from "../errors.js";
import { styleFor } from "../format/style.js";
import { resolveGatewayTarget, URL_ENV } from "../gateway-client.js";
import {
  AUTH_MODES,
  CLIENT_SPECS,
  CLIENTS,
  claudeMcpAddCommand,
  configFile,
  configWith,
  defaultPathContext,
  shellQuote,
  type AuthMode,
  type ClientId,
  type EntryRequest,
  type Scope,
} from "../connect/clients.js";
import { configDiff, mergeEntry, readConfig, writeConfig } from "../connect/merge-config.js";
import { probeAuth } from "../connect/probe-auth.js";

/** The variable an API key is read from when `--api-key-env` is not given. */
export const DEFAULT_API_KEY_ENV = "MCP_FLEET_API_KEY";
/** The entry's name in the client's config when `--name` is not given. */
export const DEFAULT_ENTRY_NAME = "mcp-fleet";

interface ConnectOptions {
  url?: string;
  auth?: string;
  apiKeyEnv: string;
  name: string;
  scope?: string;
  file?: string;
  write?: boolean;
  command?: boolean;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENTRY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export function register(program: Command): void {
  program
    .command("connect")
    .description("Print (or --write) the config that points an MCP client at the gateway: claude-desktop, claude-code, vscode, cursor, json")
    .argument("<client>", `one of ${CLIENTS.join(", ")}`)
    .option("--url <url>", `the gateway's MCP endpoint (default: $${URL_ENV}, else http://127.0.0.1:$PORT/mcp, PORT=8080)`)
    .option("--auth <mode>", `${AUTH_MODES.join(" | ")} (default: probe the URL: 401 with OAuth metadata means oauth, 401 without means api-key)`)
    .option("--api-key-env <name>", "with --auth api-key: the environment variable that holds the key (only its name is written)", DEFAULT_API_KEY_ENV)
    .option("--name <name>", "the server's name in the client's config", DEFAULT_ENTRY_NAME)
    .option("--scope <scope>", "user or project config (default per client: claude-code project, the others user)")
    .option("--file <path>", "the config file to write (default: the client's file for the scope)")
    .option("--write", "merge the entry into the config file, after showing the diff; the old file is backed up")
    .option("--command", "claude-code: print the `claude mcp add` command instead of the JSON")
    .addHelpText(
      "after",
      `
Examples:
  mcp-fleet connect claude-code                        # .mcp.json entry for the local gateway
  mcp-fleet connect cursor --write                     # merge into ~/.cursor/mcp.json (backup kept)
  mcp-fleet connect vscode --url https://mcp.example.com/mcp --auth api-key   # header from \${env:${DEFAULT_API_KEY_ENV}}
  mcp-fleet connect claude-code --command --scope user # claude mcp add ... for all your projects`,
    )
    .action(async (client: string, options: ConnectOptions) => {
      await connect(client, options);
    });
}

function parseClient(client: string): ClientId {
  if (!(CLIENTS as readonly string[]).includes(client)) throw new CliError(`unknown client "${client}". Use one of: ${CLIENTS.join(", ")}.`);
  return client as ClientId;
}

async function resolveAuth(flag: string | undefined, url: URL): Promise<{ auth: AuthMode; note?: string }> {
  if (flag !== undefined) {
    if (!(AUTH_MODES as readonly string[]).includes(flag)) throw new CliError(`--auth "${flag}" is not one of ${AUTH_MODES.join(", ")}.`);
    return { auth: flag as AuthMode };
  }
  const probe = await probeAuth(url);
  return { auth: probe.auth, note: `auth ${probe.auth}: ${probe.evidence} (set --auth to choose)` };
}

function authNote(auth: AuthMode, client: ClientId, request: EntryRequest): string {
  switch (auth) {
    case "none":
      return "No credentials: fine for a gateway on loopback. A gateway that authenticates needs --auth oauth or --auth api-key.";
    case "oauth":
      return client === "claude-desktop"
        ? "OAuth: mcp-remote opens your browser to sign in on first use and keeps the tokens in ~/.mcp-auth."
        : `OAuth: ${CLIENT_SPECS[client].label} discovers the authorization server after the gateway's 401 and asks you to sign in.`;
    case "api-key":
      return client === "claude-desktop"
        ? `API key: sent as \`Authorization: Bearer\` from $${request.apiKeyEnv}, which mcp-remote reads from the environment Claude Desktop starts it with (macOS: launchctl setenv ${request.apiKeyEnv} ...; Windows: a user environment variable).`
        : `API key: sent as \`Authorization: Bearer\` from $${request.apiKeyEnv}; set it where ${CLIENT_SPECS[client].label} starts. The file holds only the variable's name.`;
  }
}

async function connect(clientArg: string, options: ConnectOptions): Promise<void> {
  const client = parseClient(clientArg);
  const spec = CLIENT_SPECS[client];
  if (!ENV_NAME.test(options.apiKeyEnv)) throw new CliError(`--api-key-env "${options.apiKeyEnv}" is not an environment variable name. Use letters, digits and _, e.g. ${DEFAULT_API_KEY_ENV}.`);
  if (!ENTRY_NAME.test(options.name)) throw new CliError(`--name "${options.name}" is not a usable server name. Use letters, digits, '.', '_' and '-', e.g. ${DEFAULT_ENTRY_NAME}.`);
  if (options.scope !== undefined && options.scope !== "user" && options.scope !== "project") throw new CliError(`--scope "${options.scope}" is not user or project.`);
  if (options.command === true && client !== "claude-code") throw new CliError("--command prints a `claude mcp add` line: it is for claude-code only.");
  const scope: Scope = (options.scope as Scope | undefined) ?? spec.defaultScope;
  const { url } = resolveGatewayTarget(options.url);
  const { auth, note } = await resolveAuth(options.auth, url);
  const request: EntryRequest = { url: url.href, auth, apiKeyEnv: options.apiKeyEnv };
  const err = styleFor(process.stderr);
  const info = (line: string) => process.stderr.write(`${err.dim(line)}\n`);
  if (note !== undefined) info(note);

  if (options.command === true) {
    process.stdout.write(`${claudeMcpAddCommand(options.name, scope, request).map(shellQuote).join(" ")}\n`);
    info(authNote(auth, client, request));
    return;
  }

  const target = options.file !== undefined ? { file: options.file } : configFile(client, scope, defaultPathContext());
  if (options.write !== true) {
    process.stdout.write(`${JSON.stringify(configWith(client, options.name, request), null, 2)}\n`);
    info("file" in target ? `${spec.label}: add this to ${target.file} (or run again with --write to merge it there).` : `${spec.label}: ${target.none}`);
    info(authNote(auth, client, request));
    return;
  }

  if (!("file" in target)) throw new CliError(`nothing to write for ${client} with --scope ${scope}: ${target.none}`);
  const result = mergeEntry(target.file, readConfig(target.file), spec.rootKey, options.name, spec.entry(request));
  const out = styleFor(process.stdout);
  if (!result.changed) {
    process.stdout.write(`${out.ok(`${target.file} already has this "${options.name}" entry; nothing changed.`)}\n`);
    return;
  }
  const diff = configDiff(target.file, result);
  const painted = diff
    .split("\n")
    .map((line) => (line.startsWith("+") && !line.startsWith("+++") ? out.green(line) : line.startsWith("-") && !line.startsWith("---") ? out.red(line) : line))
    .join("\n");
  process.stdout.write(painted.endsWith("\n") ? painted : `${painted}\n`);
  const backup = writeConfig(target.file, result.after);
  process.stdout.write(`${out.ok(`Wrote ${target.file}${backup !== undefined ? ` (the old file is in ${backup})` : ""}.`)}\n`);
  info(authNote(auth, client, request));
  info(spec.reload);
}
