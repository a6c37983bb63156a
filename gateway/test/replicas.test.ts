/**
 * Two replicas of the real gateway executable behind a real nginx (apt's, on loopback, plain round-robin, no
 * stickiness, nginx's default of a new upstream connection per request) under a bounded load of many sessions; then one replica is SIGKILLed. Every session goes on through
 * the other (its sealed id rebuilt there: same MCP_FLEET_SESSION_SECRET), never "Session not found"; the calls in
 * flight on the dead replica fail with an error as soon as its connections drop (not by waiting out a timeout), and
 * none hangs.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { REPO, connect, freePort, gatewayProcess, tempDir, textOf, waitFor, type GatewayChild } from "./helpers.js";

const SERVER = join(REPO, "gateway/test/fixtures/resilience-server.mjs");
const hasNginx = spawnSync("sh", ["-c", "command -v nginx"]).status === 0;
const dir = tempDir("replicas");
const SESSIONS = 40;
/** The SDK's own timeout of a call: a call that fails before it did not wait it out. */
const CALL_TIMEOUT_MS = 20_000;

let replicas: GatewayChild[] = [];
let nginx: ChildProcess | undefined;
let url = "";
const clients: Client[] = [];

beforeAll(async () => {
  if (!hasNginx) return;
  const config = { servers: [{ name: "s", transport: "stdio" as const, command: process.execPath, args: [SERVER] }] };
  replicas = await Promise.all([gatewayProcess(config), gatewayProcess(config)]);
  const port = await freePort();
  for (const d of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(dir, d));
  const upstreams = replicas.map((r) => `server ${new URL(r.url).host} max_fails=1 fail_timeout=60s;`).join("\n    ");
  writeFileSync(
    join(dir, "nginx.conf"),
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream gateways {
    ${upstreams}
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://gateways;
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_buffering off;
      proxy_read_timeout 60s;
      proxy_next_upstream error timeout;
    }
  }
}
`,
  );
  nginx = spawn("nginx", ["-p", dir, "-c", join(dir, "nginx.conf")], { stdio: ["ignore", "ignore", "pipe"] });
  url = `http://127.0.0.1:${port}/mcp`;
  await waitFor(async () => ((await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok === true ? true : undefined), "nginx to proxy", 100, 50);
  for (let i = 0; i < SESSIONS; i++) clients.push(await connect(url));
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  nginx?.kill("SIGTERM");
  await Promise.all(replicas.map((r) => r.stop("SIGKILL")));
});

interface Outcome {
  ok: boolean;
  error?: string;
  /** Sent before the killed replica was gone. */
  spanned: boolean;
}

describe.skipIf(!hasNginx)("two replicas behind nginx, one killed", () => {
  it("keeps every session on the other replica; calls in flight on the dead one fail with an error, none hangs", async () => {
    // When the killed replica was seen gone (its exit reaped: its sockets are closed by then). A call sent before
    // may have reached it, and may fail; a call sent after reaches the other one.
    let goneAt = Number.POSITIVE_INFINITY;
    const outcomes: Outcome[] = [];
    const call = async (client: Client, name: string, args: Record<string, unknown>): Promise<void> => {
      const startedAt = Date.now();
      try {
        const result = await client.callTool({ name, arguments: args }, undefined, { timeout: CALL_TIMEOUT_MS });
        outcomes.push({ ok: textOf(result).includes('"pid"'), spanned: startedAt < goneAt });
      } catch (error) {
        outcomes.push({ ok: false, error: (error as Error).message, spanned: startedAt < goneAt });
      }
    };
    // Every session: quick calls back to back and one long call that is in flight when the replica dies.
    const load = clients.map(async (client, i) => {
      const long = call(client, "s__sleep", { ms: 4000 + i });
      for (let n = 0; n < 6; n++) await call(client, "s__who", {});
      await long;
    });
    await waitFor(() => (outcomes.length >= SESSIONS * 2 ? true : undefined), "the load to be under way", 200, 25);
    process.kill(replicas[0]!.pid, "SIGKILL");
    void replicas[0]!.exited.then(() => (goneAt = Date.now()));
    await Promise.all(load);
    // After the kill, every session calls again: each one is served (by the replica left).
    const after: Outcome[] = [];
    await Promise.all(
      clients.map(async (client) => {
        try {
          after.push({ ok: textOf(await client.callTool({ name: "s__who", arguments: {} }, undefined, { timeout: CALL_TIMEOUT_MS })).includes('"pid"'), spanned: false });
        } catch (error) {
          after.push({ ok: false, error: (error as Error).message, spanned: false });
        }
      }),
    );
    const errors = [...outcomes, ...after].filter((o) => !o.ok).map((o) => o.error ?? "");
    expect(errors.filter((e) => /session not found/i.test(e))).toEqual([]);
    // Failures are the calls the dead replica held, failed when its connections dropped, not timed out.
    expect(errors.filter((e) => /timed out|-32001/i.test(e))).toEqual([]);
    expect(outcomes.filter((o) => !o.ok && !o.spanned)).toEqual([]);
    expect(outcomes.filter((o) => !o.ok).length).toBeGreaterThan(0);
    expect(after.map((o) => o.ok)).toEqual(clients.map(() => true));
    expect(replicas[1]!.child.exitCode).toBeNull();
  });
});
