/**
 * Serves the server over Streamable HTTP: `node --import tsx servers/hello/src/http.ts`.
 * Listens on 127.0.0.1 and the spec's port unless `HOST` / `PORT` say otherwise (a container sets HOST=0.0.0.0).
 * One `McpServer` per session; `GET /healthz` answers 200 for probes.
 */
import { randomUUID } from "node:crypto";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import spec from "../../hello.js";
import { createServer } from "./server.js";

export interface HttpOptions {
  /** @default process.env.HOST ?? "127.0.0.1" */
  host?: string;
  /** @default process.env.PORT ?? the spec's port */
  port?: number;
  /** Path of the MCP endpoint. @default "/mcp" */
  path?: string;
}

/** Host names that mean "this machine only". */
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** `localhost:3105` → `localhost`, `[::1]:3105` → `[::1]`. */
function hostnameOf(header: string | undefined): string {
  if (header === undefined) return "";
  return header.startsWith("[") ? header.slice(0, header.indexOf("]") + 1) : (header.split(":")[0] ?? "");
}

/** Largest accepted request body. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The options in effect: explicit values, then the environment, then the defaults. */
export function resolveHttpOptions(
  options: HttpOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): Required<HttpOptions> {
  return {
    host: options.host ?? env.HOST ?? "127.0.0.1",
    port: options.port ?? (env.PORT === undefined ? spec.port : Number(env.PORT)),
    path: options.path ?? "/mcp",
  };
}

export interface RunningHttpServer {
  /** The MCP endpoint, e.g. `http://127.0.0.1:3105/mcp`. */
  url: string;
  close(): Promise<void>;
}

/** Starts the HTTP server; resolves once it listens. */
export async function serveHttp(options: HttpOptions = {}): Promise<RunningHttpServer> {
  const { host, port, path } = resolveHttpOptions(options);
  const sessions = new Map<string, StreamableHTTPServerTransport>();

  const loopback = LOOPBACK_HOSTS.has(host);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    // DNS-rebinding protection: a server bound to loopback only answers requests addressed to loopback.
    if (loopback && !LOOPBACK_HOSTS.has(hostnameOf(req.headers.host))) {
      return reply(res, 403, rpcError(`host ${JSON.stringify(req.headers.host ?? "")} is not allowed`));
    }
    if (url.pathname === "/healthz" && req.method === "GET") return reply(res, 200, { status: "ok" });
    if (url.pathname !== path) return reply(res, 404, { error: `not found: use ${path}` });
    const sessionId = req.headers["mcp-session-id"];
    const existing = typeof sessionId === "string" ? sessions.get(sessionId) : undefined;
    if (req.method !== "POST") {
      if (!existing) return reply(res, 400, rpcError("missing or unknown Mcp-Session-Id"));
      return existing.handleRequest(req, res);
    }
    const body = await readJson(req);
    if (body === undefined) return reply(res, 400, rpcError("request body is not JSON (or exceeds 4 MiB)"));
    if (existing) return existing.handleRequest(req, res, body);
    if (sessionId !== undefined) return reply(res, 404, rpcError("unknown session: initialize again"));
    if (!isInitializeRequest(body))
      return reply(res, 400, rpcError("the first request of a session must be initialize"));
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, transport),
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await createServer().connect(transport);
    await transport.handleRequest(req, res, body);
  };

  const http = createHttpServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) reply(res, 500, rpcError(error instanceof Error ? error.message : String(error)));
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(port, host, () => resolve());
  });
  const address = http.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}${path}`,
    async close() {
      await Promise.all([...sessions.values()].map((t) => t.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function rpcError(message: string) {
  return { jsonrpc: "2.0", error: { code: -32000, message }, id: null };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const running = await serveHttp();
  process.stderr.write(`${spec.name}: MCP over Streamable HTTP at ${running.url}\n`);
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => void running.close().then(() => process.exit(0)));
}
