/**
 * The CLI as an MCP client of a gateway (`mcp-fleet tools`, `mcp-fleet call`): where the gateway is, how to
 * authenticate to it, and a connected SDK v1 client with errors turned into one clear message each.
 *
 * Address: `--url`, else `$MCP_FLEET_URL`, else the local gateway `http://127.0.0.1:$PORT/mcp` (PORT=8080).
 * Credentials: `$MCP_FLEET_TOKEN` (an OAuth access token or an API key), sent as `Authorization: Bearer ...`. The
 * value never appears in any message the CLI prints.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { CliError } from "./errors.js";

type Env = Readonly<Record<string, string | undefined>>;

/** The variable holding the gateway's address for `tools` and `call`. */
export const URL_ENV = "MCP_FLEET_URL";
/** The variable holding the bearer token or API key the CLI sends to the gateway. */
export const TOKEN_ENV = "MCP_FLEET_TOKEN";
/** Path of the gateway's MCP endpoint when a URL names only the host. */
export const MCP_PATH = "/mcp";

const CLIENT_INFO = { name: "mcp-fleet-cli", version: "0.1.0" };

/** Where the CLI reaches a gateway, and whether the user named it (then an unreachable gateway is an error). */
export interface GatewayTarget {
  url: URL;
  /** From `--url` or `$MCP_FLEET_URL` rather than the local default. */
  explicit: boolean;
}

/** `--url`, else `$MCP_FLEET_URL`, else `http://127.0.0.1:$PORT/mcp`; a URL without a path gets `/mcp`. */
export function resolveGatewayTarget(flag: string | undefined, env: Env = process.env): GatewayTarget {
  const given = flag ?? (env[URL_ENV] === "" ? undefined : env[URL_ENV]);
  const raw = given ?? `http://127.0.0.1:${env.PORT ?? "8080"}${MCP_PATH}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    const from = flag !== undefined ? "--url" : URL_ENV;
    throw new CliError(`${from} ${JSON.stringify(raw)} is not a URL. Pass the gateway's MCP endpoint, e.g. --url http://127.0.0.1:8080/mcp.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new CliError(`${flag !== undefined ? "--url" : URL_ENV} ${JSON.stringify(raw)} is not an http(s) URL. Pass the gateway's MCP endpoint, e.g. --url http://127.0.0.1:8080/mcp.`);
  }
  if (url.pathname === "/") url.pathname = MCP_PATH;
  return { url, explicit: given !== undefined };
}

/** The headers that authenticate the CLI: `Authorization: Bearer $MCP_FLEET_TOKEN` when it is set. */
export function authHeaders(env: Env = process.env): Record<string, string> {
  const token = env[TOKEN_ENV];
  return token === undefined || token === "" ? {} : { Authorization: `Bearer ${token}` };
}

/** The gateway could not be reached at all (nothing listening, DNS, TLS): `tools` then asks the servers instead. */
export class GatewayUnreachableError extends CliError {
  constructor(message: string) {
    super(message);
    this.name = "GatewayUnreachableError";
  }
}

/** Why a connection failed, as one sentence that never holds the token. */
function connectFailure(url: URL, error: unknown, env: Env): CliError {
  const where = `the gateway at ${url.href}`;
  if (error instanceof StreamableHTTPError && (error.code === 401 || error.code === 403)) {
    const hasToken = authHeaders(env).Authorization !== undefined;
    return new CliError(
      hasToken
        ? `${where} refused the credentials in $${TOKEN_ENV} (HTTP ${error.code}). Check that the token or API key is valid for this gateway.`
        : `${where} requires authentication (HTTP ${error.code}). Set $${TOKEN_ENV} to an access token or API key; it is sent as \`Authorization: Bearer ...\`.`,
    );
  }
  if (error instanceof StreamableHTTPError && (error.code ?? 0) > 0) {
    return new CliError(`${where} answered HTTP ${error.code} to initialize. Is ${url.href} the gateway's MCP endpoint (usually ending in ${MCP_PATH})?`);
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (error as Error).message;
  return new GatewayUnreachableError(`cannot reach ${where} (${why}). Start it with \`npm start\`, or pass its address with --url.`);
}

export interface ConnectOptions {
  env?: Env;
  /** Bound on connecting and initializing. @default 10000 */
  timeoutMs?: number;
}

/** A connected SDK v1 client of the gateway. Throws {@link CliError} (or {@link GatewayUnreachableError}). */
export async function connectGateway(url: URL, options: ConnectOptions = {}): Promise<Client> {
  const env = options.env ?? process.env;
  const client = new Client(CLIENT_INFO);
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers: authHeaders(env) } });
  try {
    await client.connect(transport, { timeout: options.timeoutMs ?? 10_000 });
  } catch (error) {
    await client.close().catch(() => undefined);
    throw connectFailure(url, error, env);
  }
  return client;
}

/** Every tool of a connected client, all pages (bounded). */
export async function listAllTools(client: Client, maxPages = 100): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const result = await client.listTools(cursor === undefined ? undefined : { cursor });
    tools.push(...result.tools);
    cursor = result.nextCursor === undefined || result.nextCursor === "" ? undefined : result.nextCursor;
    if (cursor === undefined) break;
  }
  return tools;
}
