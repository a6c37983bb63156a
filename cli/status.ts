/**
 * The gateway's admin `GET /status`, as the CLI reads and shows it (`mcp-fleet dev`, `mcp-fleet health`).
 */
import { CliError } from "./errors.js";
import { renderTable } from "./format/table.js";
import { styleFor, type Style } from "./format/style.js";

export type BackendState = "up" | "down" | "connecting";

export interface BackendStatus {
  name: string;
  transport: string;
  state: BackendState;
  tools: number;
  lastError?: string;
}

export interface GatewayStatus {
  servers: BackendStatus[];
}

/** Default gateway address: `http://127.0.0.1:$PORT` (8080 when `PORT` is unset). */
export function defaultGatewayUrl(env: NodeJS.ProcessEnv = process.env): string {
  return `http://127.0.0.1:${env.PORT ?? "8080"}`;
}

/** The status URL of a gateway given by its base URL or its MCP endpoint (`http://host:8080/mcp`). */
export function statusUrl(gatewayUrl: string): URL {
  let base: URL;
  try {
    base = new URL(gatewayUrl);
  } catch {
    throw new CliError(
      `--url ${JSON.stringify(gatewayUrl)} is not a URL. Pass the gateway's address, e.g. --url http://127.0.0.1:8080.`,
    );
  }
  return new URL("/status", base);
}

/**
 * Fetches `/status`. Throws {@link CliError} when the gateway cannot be reached or answers something else.
 * @param timeoutMs @default 5000
 */
export async function fetchStatus(url: URL, timeoutMs = 5000): Promise<GatewayStatus> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new CliError(
      `cannot reach the gateway at ${url.href} (${why}). Start it with \`npm start\`, or pass its address with --url.`,
    );
  }
  const body = await response.text();
  if (!response.ok) {
    throw new CliError(`the gateway at ${url.href} answered HTTP ${response.status}: ${body.slice(0, 200)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new CliError(`the gateway at ${url.href} answered something that is not JSON: ${body.slice(0, 200)}`);
  }
  if (!isStatus(parsed))
    throw new CliError(`the gateway at ${url.href} answered JSON without a \`servers\` array: ${body.slice(0, 200)}`);
  return parsed;
}

function isStatus(value: unknown): value is GatewayStatus {
  return typeof value === "object" && value !== null && Array.isArray((value as { servers?: unknown }).servers);
}

/** A fixed-width table: SERVER, TRANSPORT, STATE, TOOLS, LAST ERROR. */
export function renderStatusTable(status: GatewayStatus, style: Style = styleFor(process.stdout)): string {
  const rows = status.servers.map((s) => [s.name, s.transport, s.state, String(s.tools), s.lastError ?? ""]);
  return renderTable(["SERVER", "TRANSPORT", "STATE", "TOOLS", "LAST ERROR"], rows, {
    align: ["left", "left", "left", "right", "left"],
    paint: (text, column) => (column !== 2 ? text : text === "up" ? style.green(text) : text === "down" ? style.red(text) : style.yellow(text)),
  });
}
