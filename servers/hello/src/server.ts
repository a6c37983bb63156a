/**
 * The hello server: a small MCP server of our own, built with the SDK's `McpServer`. It is also the template
 * `mcp-fleet new` copies: `stdio.ts` and `http.ts` only call {@link createServer}.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";

export const SERVER_INFO = { name: "hello", version: "0.1.0" };

/** Builds a fresh server (one per connection: an `McpServer` serves one transport). */
export function createServer(): McpServer {
  const server = new McpServer(SERVER_INFO, { capabilities: { logging: {} } });

  server.registerTool(
    "greet",
    {
      title: "Greet",
      description: "Greets someone by name.",
      inputSchema: { name: z.string().min(1).describe("Who to greet") },
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    ({ name }) => ({ content: [{ type: "text", text: `Hello, ${name}!` }] }),
  );

  server.registerTool(
    "add",
    {
      title: "Add",
      description: "Adds two numbers.",
      inputSchema: { a: z.number().describe("First addend"), b: z.number().describe("Second addend") },
      outputSchema: { sum: z.number() },
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    ({ a, b }) => ({ content: [{ type: "text", text: String(a + b) }], structuredContent: { sum: a + b } }),
  );

  server.registerResource(
    "about",
    "hello://about",
    { title: "About hello", description: "What this server is", mimeType: "text/plain" },
    (uri) => ({
      contents: [{ uri: uri.href, mimeType: "text/plain", text: "hello: the mcp-fleet example server (greet, add)." }],
    }),
  );

  server.registerPrompt(
    "greeting",
    {
      title: "Greeting",
      description: "Asks the model to write a short greeting.",
      argsSchema: { name: z.string().describe("Who to greet") },
    },
    ({ name }) => ({
      messages: [{ role: "user", content: { type: "text", text: `Write a one-line friendly greeting for ${name}.` } }],
    }),
  );

  return server;
}
