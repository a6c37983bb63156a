/** The gateway's HTTP server: the MCP endpoint plus probes, metrics and status. Nothing else is served. */
import type { GatewayConfig } from "../config.js";
import type { Logger } from "../observability/logger.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import { H1Server, type H1Request, type H1Response } from "./h1/server.js";

export interface BackendStatus {
  name: string;
  transport: "stdio" | "http" | "sse";
  state: "up" | "down" | "connecting";
  tools: number;
  /** The MCP revision spoken with it, while it is up (e.g. `2026-07-28`, or what its `initialize` answered). */
  protocol?: string;
  lastError?: string;
  /** The circuit state its calls see (closed while any endpoint's circuit is). */
  circuit?: "closed" | "half_open" | "open";
  /** Servers with more than one endpoint: each one (`key`: its instance, URL index, address or `canary`). */
  endpoints?: { key: string; track: "stable" | "canary"; state: "up" | "down" | "connecting"; circuit: "closed" | "half_open" | "open"; outstanding: number; draining?: boolean }[];
}

export interface HttpServerDeps {
  config: GatewayConfig;
  /** The MCP endpoint (`listen.path`). */
  mcp: { handle(req: H1Request, res: H1Response): void };
  metrics: GatewayMetrics;
  logger: Logger;
  status: () => BackendStatus[];
  /** Can this replica serve (config loaded, listening, not draining; backends only with readiness.requireBackends)? What `/readyz` answers. */
  ready: () => boolean;
  /** More GET endpoints by path, served by their rooms (e.g. the protected resource metadata of auth/). @default none */
  endpoints?: ReadonlyMap<string, (req: H1Request, res: H1Response) => void>;
}

/** A caller's X-Request-Id is used when it looks like one (bounded, no odd characters); otherwise ours. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function json(res: H1Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export function createHttpServer(deps: HttpServerDeps): H1Server {
  const { config, metrics } = deps;
  let requestCounter = 0;
  const debug = deps.logger.isLevelEnabled("debug");
  const server = new H1Server((req: H1Request, res: H1Response) => {
    const started = performance.now();
    const method = req.method;
    // Request id: the caller's X-Request-Id, else a per-process counter; it goes on every log line of the request.
    const given = req.headers["x-request-id"];
    const reqId = given !== undefined && REQUEST_ID.test(given) ? given : `${process.pid}-${++requestCounter}`;
    req.reqId = reqId;
    res.onFinish(() => {
      const seconds = (performance.now() - started) / 1000;
      metrics.httpRequest(method, res.statusCode, seconds);
      if (debug) {
        deps.logger.debug({ reqId, sessionId: req.sessionId, method, path: req.url, status: res.statusCode, ms: seconds * 1000 }, "request");
      }
    });
    const url = req.url;
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    if (path === config.listen.path) {
      deps.mcp.handle(req, res);
      return;
    }
    if (method !== "GET" && method !== "HEAD") {
      res.writeHead(405, { allow: "GET" }).end();
      return;
    }
    switch (path) {
      case "/healthz":
        json(res, 200, { status: "ok" });
        return;
      case "/readyz":
        // Readiness is this replica's, not its backends': one broken MCP server must not take every replica out of
        // its Service. Backend health is in /status, the metrics and the alerts.
        if (deps.ready()) json(res, 200, { status: "ready" });
        else json(res, 503, { status: "not ready", down: deps.status().filter((s) => s.state !== "up").map((s) => s.name) });
        return;
      case "/status":
        json(res, 200, { servers: deps.status() });
        return;
      case "/metrics":
        metrics.render().then(
          (text) => {
            res.writeHead(200, { "content-type": metrics.contentType });
            res.end(text);
          },
          (error: unknown) => json(res, 500, { error: (error as Error).message }),
        );
        return;
      default: {
        const served = deps.endpoints?.get(path);
        if (served !== undefined) {
          served(req, res);
          return;
        }
        json(res, 404, { error: `Not found: ${path}. The MCP endpoint is ${config.listen.path}.` });
      }
    }
  }, { maxBodyBytes: config.http.maxBodyBytes, maxConnections: config.http.maxConnections, maxPipelined: config.http.maxPipelined });
  return server;
}
