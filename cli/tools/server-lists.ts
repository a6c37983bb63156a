/**
 * The tools of each server as the server itself lists them, without a gateway: the backends of the local gateway
 * config (what `npm start` would run) are started or reached with the real SDK v1 client, listed, and closed again.
 * Each server is bounded in time; a server that fails or is too slow is reported with the reason, not waited for.
 */
import { FORWARDED_CLIENT_CAPABILITIES } from "@mcp-fleet/gateway/protocol";
import type { BackendConfig } from "@mcp-fleet/gateway/config";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { listAllTools } from "../gateway-client.js";

const CLIENT_INFO = { name: "mcp-fleet-cli", version: "0.1.0" };

/** One server's own list, or why there is none. */
export type ServerList = { server: string; tools: Tool[] } | { server: string; error: string };

type Env = Readonly<Record<string, string | undefined>>;

/** The SDK client transport that reaches a backend the way the gateway would (same command, env, cwd, URL, headers). */
export function transportFor(backend: BackendConfig, env: Env = process.env): Transport {
  switch (backend.transport) {
    case "stdio": {
      // The gateway hands `inheritEnv` names from its own environment to the child; so do we, from ours.
      const inherited = Object.fromEntries(backend.inheritEnv.flatMap((name) => (env[name] === undefined ? [] : [[name, env[name]]])));
      return new StdioClientTransport({
        command: backend.command,
        args: [...backend.args],
        env: { ...inherited, ...backend.env },
        ...(backend.cwd !== undefined ? { cwd: backend.cwd } : {}),
        stderr: "ignore",
      });
    }
    case "http":
      return new StreamableHTTPClientTransport(new URL(backend.url), { requestInit: { headers: backend.headers } });
    case "sse":
      return new SSEClientTransport(new URL(backend.url), { requestInit: { headers: backend.headers } });
  }
}

/** Connects to one backend, lists its tools, closes; at most `timeoutMs`. Never throws. */
export async function listServerTools(backend: BackendConfig, timeoutMs: number, env: Env = process.env): Promise<ServerList> {
  // The capabilities the gateway declares toward its backends: some servers list tools only to clients that can
  // answer sampling, elicitation or roots (server-everything does).
  const client = new Client(CLIENT_INFO, { capabilities: structuredClone(FORWARDED_CLIENT_CAPABILITIES) });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s (raise --timeout)`)), timeoutMs);
  });
  try {
    const tools = await Promise.race([
      (async () => {
        await client.connect(transportFor(backend, env), { timeout: timeoutMs });
        return listAllTools(client);
      })(),
      timedOut,
    ]);
    return { server: backend.name, tools };
  } catch (error) {
    return { server: backend.name, error: (error as Error).message };
  } finally {
    clearTimeout(timer);
    // Closing a stdio transport ends the child (stdin closed, then SIGTERM, then SIGKILL).
    await client.close().catch(() => undefined);
  }
}

/** {@link listServerTools} for every backend, in parallel. */
export function listAllServerTools(backends: readonly BackendConfig[], timeoutMs: number, env: Env = process.env): Promise<ServerList[]> {
  return Promise.all(backends.map((b) => listServerTools(b, timeoutMs, env)));
}
