/**
 * Credentials toward a remote backend: the spec's header template resolved from the gateway's environment reaches
 * the backend; the client's own token never does.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "../src/gateway.js";
import { bearer, openSession, rpc, send } from "./fixtures/raw-http.js";
import { gateway } from "./helpers.js";

const CLIENT_KEY = "client-key-0123456789";

describe("credentials toward a remote backend", () => {
  const seen: IncomingHttpHeaders[] = [];
  let backend: Server;
  let gw: RunningGateway;
  beforeAll(async () => {
    // A stateless Streamable HTTP server that remembers the headers of every request it gets.
    backend = createServer((req, res) => {
      seen.push(req.headers);
      const mcp = new McpServer({ name: "remote", version: "1" });
      mcp.registerTool("hello", { description: "hi" }, async () => ({ content: [{ type: "text", text: "hi" }] }));
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on("close", () => void transport.close());
      void mcp.connect(transport).then(() => transport.handleRequest(req, res));
    });
    await new Promise<void>((r) => backend.listen(0, "127.0.0.1", () => r()));
    process.env.TEST_UPSTREAM_TOKEN = "upstream-secret";
    gw = await gateway({
      auth: { mode: "apiKey", apiKeys: [{ name: "client", sha256: createHash("sha256").update(CLIENT_KEY).digest("hex"), roles: ["any"] }] },
      servers: [
        {
          name: "remote",
          transport: "http",
          url: `http://127.0.0.1:${(backend.address() as AddressInfo).port}/mcp`,
          credentials: { headers: { authorization: "Bearer ${TEST_UPSTREAM_TOKEN}", "x-unset": "${TEST_UNSET_VARIABLE}" } },
          access: [{ roles: ["any"], tools: ["*"] }],
        },
      ],
    });
  });
  afterAll(async () => {
    await gw?.close();
    backend?.closeAllConnections();
    backend?.close();
    delete process.env.TEST_UPSTREAM_TOKEN;
  });

  it("sends the resolved header on every request, leaves out one whose variable is unset, and never the client's token", async () => {
    const session = await openSession(gw.url, [bearer(CLIENT_KEY)]);
    const answer = await send("POST", gw.url, rpc(2, "tools/call", { name: "remote__hello", arguments: {} }), [bearer(CLIENT_KEY), ["mcp-session-id", session]]);
    expect(answer.message!.result).toMatchObject({ content: [{ text: "hi" }] });
    expect(seen.length).toBeGreaterThan(0);
    for (const headers of seen) {
      expect(headers.authorization).toBe("Bearer upstream-secret");
      expect(headers["x-unset"]).toBeUndefined();
      expect(JSON.stringify(headers).includes(CLIENT_KEY)).toBe(false);
    }
  });
});
