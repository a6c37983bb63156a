// A small stdio MCP backend for the live monitoring test: tools that succeed, fail (JSON-RPC error), report a
// tool-level error, or take a while. Exits at once when FIXTURE_DISABLED_FILE exists (a backend that stays down),
// and writes its pid to FIXTURE_PID_FILE so the test can kill it.
import { existsSync, writeFileSync } from "node:fs";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from "@modelcontextprotocol/sdk/types.js";

const disabled = process.env.FIXTURE_DISABLED_FILE;
if (disabled !== undefined && existsSync(disabled)) {
  process.stderr.write("backend disabled\n");
  process.exit(1);
}
if (process.env.FIXTURE_PID_FILE !== undefined) writeFileSync(process.env.FIXTURE_PID_FILE, String(process.pid));

const server = new Server({ name: "monitoring-fixture", version: "1.0.0" }, { capabilities: { tools: {} } });
const tools = [
  { name: "echo", description: "Returns its text", inputSchema: { type: "object", properties: { text: { type: "string" } } } },
  { name: "slow", description: "Answers after `ms` milliseconds", inputSchema: { type: "object", properties: { ms: { type: "number" } } } },
  { name: "fail", description: "Fails with a JSON-RPC error", inputSchema: { type: "object" } },
  { name: "tool_fail", description: "Returns a tool-level error (isError)", inputSchema: { type: "object" } },
];
server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
server.setRequestHandler(CallToolRequestSchema, async (request) => {
  const args = request.params.arguments ?? {};
  switch (request.params.name) {
    case "echo":
      return { content: [{ type: "text", text: String(args.text ?? "") }] };
    case "slow":
      await new Promise((resolve) => setTimeout(resolve, Math.min(Number(args.ms ?? 100), 2000)));
      return { content: [{ type: "text", text: "done" }] };
    case "fail":
      throw new McpError(ErrorCode.InternalError, "failing on purpose");
    case "tool_fail":
      return { isError: true, content: [{ type: "text", text: "tool error on purpose" }] };
    default:
      throw new McpError(ErrorCode.InvalidParams, `unknown tool ${request.params.name}`);
  }
});
await server.connect(new StdioServerTransport());
