/** Session limits and expiry, and graceful shutdown that lets an in-flight call finish. */
import { existsSync, readFileSync } from "node:fs";
import type { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, it } from "vitest";
import { ResourceUpdatedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { EVERYTHING, FIXTURE, connect, gateway, textOf, waitFor } from "./helpers.js";

const fixture = { name: "fixture", transport: "stdio" as const, command: "node", args: ["--import", "tsx", FIXTURE] };
const HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };
const INIT = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } });
const PING = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "ping" });

describe("session lifecycle", () => {
  it("expires idle sessions (404 afterwards); a full table evicts its least recently used idle session, which is rebuilt on its next request", async () => {
    const gw = await gateway({ servers: [fixture], sessions: { idleTimeoutSeconds: 1, maxSessions: 2 } });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await fetch(gw.url, { method: "POST", headers: HEADERS, body: INIT });
        expect(res.status).toBe(200);
        ids.push(res.headers.get("mcp-session-id")!);
      }
      // The first was evicted to make room for the third; its id is still valid, so it comes back (evicting the next).
      expect(await gw.metrics.render()).toMatch(/mcp_gateway_sessions_active 2\n/);
      expect((await fetch(gw.url, { method: "POST", headers: { ...HEADERS, "mcp-session-id": ids[0]! }, body: PING })).status).toBe(200);
      // Untouched for longer than idleTimeoutSeconds (a request would count as activity).
      await new Promise((r) => setTimeout(r, 1800));
      const expired = (await fetch(gw.url, { method: "POST", headers: { ...HEADERS, "mcp-session-id": ids[0]! }, body: PING })).status;
      expect(expired).toBe(404);
      expect(await gw.metrics.render()).toMatch(/mcp_gateway_sessions_expired_total [123]/);
      // Room again for a new session.
      expect((await fetch(gw.url, { method: "POST", headers: HEADERS, body: INIT })).status).toBe(200);
    } finally {
      await gw.close();
    }
  });

  it("answers 503 for a new session only when every session of a full table is busy", async () => {
    const gw = await gateway({ servers: [fixture], sessions: { maxSessions: 1 } });
    try {
      const client = await connect(gw.url);
      const slow = client.callTool({ name: "fixture__slow", arguments: { ms: 1500 } });
      await new Promise((r) => setTimeout(r, 300)); // the call is in flight (it takes 1.5 s)
      const res = await fetch(gw.url, { method: "POST", headers: HEADERS, body: INIT });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
        "Service Unavailable: every one of this replica's 1 session slots is busy (sessions.maxSessions); retry shortly",
      );
      expect(textOf(await slow)).toBe("slept 1500 ");
      await client.close();
    } finally {
      await gw.close();
    }
  });
});

describe("per-session backend connections", () => {
  it("are opened on a session's first call and closed with the session", async () => {
    const gw = await gateway({ servers: [{ ...fixture, isolation: "session" }] });
    try {
      const client = await connect(gw.url);
      const pid = Number(textOf(await client.callTool({ name: "fixture__pid" })));
      expect(existsSync(`/proc/${pid}`)).toBe(true);
      await (client.transport as StreamableHTTPClientTransport).terminateSession();
      await client.close();
      const gone = await waitFor(() => (existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ") ? undefined : true), "the session's backend to exit");
      expect(gone).toBe(true);
    } finally {
      await gw.close();
    }
  });
});

describe("subscriptions on per-session connections", () => {
  it("subscribe on the session's own connection and deliver its updates to that session", async () => {
    const gw = await gateway({ servers: [{ name: "everything", transport: "stdio", command: "node", args: [EVERYTHING, "stdio"], isolation: "session" }] });
    try {
      const client = await connect(gw.url);
      const updated: string[] = [];
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
        updated.push(n.params.uri);
      });
      const uri = "demo://resource/dynamic/text/3";
      await client.subscribeResource({ uri });
      await client.callTool({ name: "everything__toggle-subscriber-updates", arguments: {} });
      await waitFor(() => (updated.includes(uri) ? true : undefined), "notifications/resources/updated", 300);
      expect(updated).toContain(uri);
      await client.close();
    } finally {
      await gw.close();
    }
  });
});

describe("maxConnections", () => {
  it("bounds per-session connections of a server; a slot frees when a session ends", async () => {
    const gw = await gateway({ servers: [{ ...fixture, isolation: "session", maxConnections: 1 }] });
    try {
      const [a, b] = await Promise.all([connect(gw.url), connect(gw.url)]);
      expect(textOf(await a.callTool({ name: "fixture__pid" }))).toMatch(/^\d+$/);
      await expect(b.callTool({ name: "fixture__pid" })).rejects.toThrow(
        'Server "fixture" already has 1 per-session connections open, its maximum (maxConnections); try again when another session ends, or raise maxConnections.',
      );
      await (a.transport as StreamableHTTPClientTransport).terminateSession();
      await a.close();
      expect(textOf(await b.callTool({ name: "fixture__pid" }))).toMatch(/^\d+$/);
      await b.close();
    } finally {
      await gw.close();
    }
  });
});

describe("graceful shutdown", () => {
  it("lets an in-flight call finish, then stops accepting and closes the backends", async () => {
    const gw = await gateway({ servers: [fixture], shutdown: { drainTimeoutMs: 10_000 } });
    const client = await connect(gw.url);
    const call = client.callTool({ name: "fixture__slow", arguments: { ms: 800, tag: "drain" } });
    await new Promise((r) => setTimeout(r, 200));
    const closed = gw.close();
    expect(textOf(await call)).toBe("slept 800 drain");
    await closed;
    await expect(fetch(gw.url, { method: "POST", headers: HEADERS, body: INIT })).rejects.toThrow();
    expect(gw.status()[0]!.state).toBe("down");
    await client.close().catch(() => undefined);
  });
});
