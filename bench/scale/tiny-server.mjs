/**
 * The smallest stdio MCP server we can write (no SDK: it starts in the time `node` takes): initialize, ping,
 * tools/list (three tools) and tools/call of `echo`. For the scale benchmark's 100 backends.
 */
import { createInterface } from "node:readline";

const tools = ["echo", "add", "now"].map((name) => ({ name, description: `${name} of the tiny server`, inputSchema: { type: "object", properties: { text: { type: "string" } } } }));
const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
createInterface({ input: process.stdin }).on("line", (line) => {
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    return;
  }
  if (message.id === undefined) return;
  const { id, method, params } = message;
  if (method === "initialize") send({ jsonrpc: "2.0", id, result: { protocolVersion: params?.protocolVersion ?? "2025-06-18", capabilities: { tools: {} }, serverInfo: { name: "tiny", version: "1.0.0" } } });
  else if (method === "ping") send({ jsonrpc: "2.0", id, result: {} });
  else if (method === "tools/list") send({ jsonrpc: "2.0", id, result: { tools } });
  else if (method === "tools/call") send({ jsonrpc: "2.0", id, result: { content: [{ type: "text", text: `Echo: ${params?.arguments?.text ?? ""}` }] } });
  else send({ jsonrpc: "2.0", id, error: { code: -32601, message: `Method not found: ${method}` } });
});
