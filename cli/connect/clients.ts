/**
 * How each MCP client is pointed at the gateway: the config entry, where the client's config file lives, and how the
 * client expands an environment variable (so an API key is referenced by name, never written in clear).
 *
 * Checked against each client's documentation and issue tracker (2026-12):
 * - Claude Desktop: `claude_desktop_config.json` runs local stdio servers only (`command`, `args`, `env`); remote
 *   servers added in the app (Settings > Connectors) are reached from Anthropic's cloud, which cannot reach a gateway
 *   on 127.0.0.1. So the entry runs the `mcp-remote` stdio bridge (npm `mcp-remote`, README "Custom Headers"), which
 *   also does the MCP OAuth flow itself. Claude Desktop does not expand variables in its config; mcp-remote replaces
 *   `${VAR}` in `--header` values from its own environment (mcp-remote `src/lib/utils.ts`, parseCommandLineArgs), i.e.
 *   from the environment Claude Desktop starts it with: the variable must be visible to the app (macOS:
 *   `launchctl setenv`; Windows: a user environment variable). File: macOS `~/Library/Application Support/Claude/`,
 *   Windows `%APPDATA%\Claude\`, Linux (unofficial builds) `~/.config/Claude/`. mcp-remote's README notes that on
 *   Windows, spaces inside `args` may be mangled: `Authorization:Bearer ${VAR}` keeps the one space it needs.
 * - Claude Code: project scope `.mcp.json` (`mcpServers`, `type: "http"`, `url`, `headers`), with `${VAR}` and
 *   `${VAR:-default}` expanded in command, args, env, url and headers (code.claude.com/docs/en/mcp, "Environment
 *   variable expansion in .mcp.json"). OAuth: Claude Code discovers it after a 401 (`/mcp` to sign in). User scope
 *   lives in `~/.claude.json` next to Claude Code's own state: use `claude mcp add --scope user` rather than editing
 *   it. Known issue: anthropics/claude-code#51581 (headers not expanded on one Windows build, closed).
 * - VS Code: `mcp.json` with a top-level `servers` object (`type: "http"`, `url`, `headers`), in `.vscode/` or the
 *   user profile (code.visualstudio.com/docs/agents/reference/mcp-configuration). `${env:VAR}` is VS Code's syntax
 *   (maintainer on microsoft/vscode#245237: "This is supported"); microsoft/vscode#336232 (open) reports it unresolved
 *   in `headers` on 1.137: there, an `${input:...}` variable with `password: true` is VS Code's other way.
 * - Cursor: `mcp.json` with `mcpServers` (`url`, `headers`) in `~/.cursor/` or `.cursor/`; `${env:NAME}` is
 *   interpolated in command, args, env, url and headers (cursor.com/docs/mcp); OAuth for remote servers built in.
 * - Generic JSON: the `mcpServers` shape most clients read, with `${VAR}`.
 */
import { homedir } from "node:os";
import { join, win32 } from "node:path";

export const CLIENTS = ["claude-desktop", "claude-code", "vscode", "cursor", "json"] as const;
export type ClientId = (typeof CLIENTS)[number];

export const AUTH_MODES = ["none", "oauth", "api-key"] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export type Scope = "user" | "project";

/** The npm bridge Claude Desktop runs to reach an HTTP gateway, pinned so every machine runs the same code. */
export const MCP_REMOTE = "mcp-remote@0.15.1";

export interface EntryRequest {
  /** The gateway's MCP endpoint. */
  url: string;
  auth: AuthMode;
  /** With `api-key`: the environment variable that holds the key (its name only, never its value). */
  apiKeyEnv: string;
}

export interface ClientSpec {
  label: string;
  /** The key under which the file holds its servers. */
  rootKey: "mcpServers" | "servers";
  /** The scope used when none is asked for. */
  defaultScope: Scope;
  /** How this client writes a reference to environment variable `name`. */
  envRef(name: string): string;
  entry(request: EntryRequest): Record<string, unknown>;
  /** What the user does after the file changed. */
  reload: string;
}

const bearer = (spec: Pick<ClientSpec, "envRef">, request: EntryRequest) => `Bearer ${spec.envRef(request.apiKeyEnv)}`;

function isLoopbackHttp(url: string): boolean {
  const u = new URL(url);
  return u.protocol === "http:" && (u.hostname === "localhost" || u.hostname === "127.0.0.1" || u.hostname === "[::1]");
}

/** Entries of HTTP clients: `type` (when the client uses it), `url`, and the API key header when asked. */
function httpEntry(spec: Pick<ClientSpec, "envRef">, request: EntryRequest, type: string | undefined): Record<string, unknown> {
  return {
    ...(type !== undefined ? { type } : {}),
    url: request.url,
    ...(request.auth === "api-key" ? { headers: { Authorization: bearer(spec, request) } } : {}),
  };
}

const posixVar = (name: string) => `\${${name}}`;

export const CLIENT_SPECS: Record<ClientId, ClientSpec> = {
  "claude-desktop": {
    label: "Claude Desktop",
    rootKey: "mcpServers",
    defaultScope: "user",
    // Expanded by mcp-remote, not by Claude Desktop.
    envRef: posixVar,
    entry(request) {
      const args = ["-y", MCP_REMOTE, request.url];
      // mcp-remote refuses plain http except to localhost/127.0.0.1 unless told.
      if (!isLoopbackHttp(request.url) && new URL(request.url).protocol === "http:") args.push("--allow-http");
      if (request.auth === "api-key") args.push("--header", `Authorization:${bearer(this, request)}`);
      return { command: "npx", args };
    },
    reload: "Quit and restart Claude Desktop.",
  },
  "claude-code": {
    label: "Claude Code",
    rootKey: "mcpServers",
    defaultScope: "project",
    envRef: posixVar,
    entry(request) {
      return httpEntry(this, request, "http");
    },
    reload: "Restart Claude Code in this project, or run /mcp in a session.",
  },
  vscode: {
    label: "VS Code",
    rootKey: "servers",
    defaultScope: "user",
    envRef: (name) => `\${env:${name}}`,
    entry(request) {
      return httpEntry(this, request, "http");
    },
    reload: "VS Code picks the change up; run `MCP: List Servers` to start it.",
  },
  cursor: {
    label: "Cursor",
    rootKey: "mcpServers",
    defaultScope: "user",
    envRef: (name) => `\${env:${name}}`,
    entry(request) {
      return httpEntry(this, request, undefined);
    },
    reload: "Restart Cursor (or Developer: Reload Window), then switch the server on under Settings > MCP.",
  },
  json: {
    label: "your MCP client",
    rootKey: "mcpServers",
    defaultScope: "user",
    envRef: posixVar,
    entry(request) {
      return httpEntry(this, request, "http");
    },
    reload: "Reload your client.",
  },
};

export interface PathContext {
  platform: NodeJS.Platform;
  home: string;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
}

export function defaultPathContext(): PathContext {
  return { platform: process.platform, home: homedir(), cwd: process.cwd(), env: process.env };
}

/** Per-user application data: macOS Application Support, Windows %APPDATA%, else $XDG_CONFIG_HOME or ~/.config. */
function appData(ctx: PathContext, app: string): string {
  if (ctx.platform === "darwin") return join(ctx.home, "Library", "Application Support", app);
  if (ctx.platform === "win32") return win32.join(ctx.env.APPDATA ?? win32.join(ctx.home, "AppData", "Roaming"), app);
  return join(ctx.env.XDG_CONFIG_HOME ?? join(ctx.home, ".config"), app);
}

/**
 * The client's config file for a scope, or why `--write` has none (then the user passes `--file`).
 */
export function configFile(client: ClientId, scope: Scope, ctx: PathContext): { file: string } | { none: string } {
  const sep = ctx.platform === "win32" ? win32.join : join;
  switch (client) {
    case "claude-desktop":
      if (scope === "project") return { none: "Claude Desktop has no project config; it reads one file per user (--scope user)." };
      return { file: sep(appData(ctx, "Claude"), "claude_desktop_config.json") };
    case "claude-code":
      if (scope === "user") return { none: "Claude Code keeps user-scope servers in ~/.claude.json with its own state; run the `claude mcp add --scope user` command that `mcp-fleet connect claude-code --scope user --command` prints." };
      return { file: join(ctx.cwd, ".mcp.json") };
    case "vscode":
      return scope === "project" ? { file: join(ctx.cwd, ".vscode", "mcp.json") } : { file: sep(appData(ctx, "Code"), "User", "mcp.json") };
    case "cursor":
      return scope === "project" ? { file: join(ctx.cwd, ".cursor", "mcp.json") } : { file: sep(ctx.home, ".cursor", "mcp.json") };
    case "json":
      return { none: "the generic format has no file of its own; pass --file PATH." };
  }
}

/** A file-shaped config holding only this entry: what `connect` prints. */
export function configWith(client: ClientId, name: string, request: EntryRequest): Record<string, unknown> {
  const spec = CLIENT_SPECS[client];
  return { [spec.rootKey]: { [name]: spec.entry(request) } };
}

/** POSIX shell quoting: single quotes, so `${VAR}` reaches the program unexpanded. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `claude mcp add ...` for Claude Code: the same entry through its own CLI. */
export function claudeMcpAddCommand(name: string, scope: Scope, request: EntryRequest): string[] {
  const words = ["claude", "mcp", "add", "--transport", "http", "--scope", scope];
  if (request.auth === "api-key") words.push("--header", `Authorization: ${bearer(CLIENT_SPECS["claude-code"], request)}`);
  words.push(name, request.url);
  return words;
}
