import { defineServer } from "./catalog/spec.js";

/** The MCP reference server that exercises every protocol feature; the fleet's end-to-end test target. */
export default defineServer({
  name: "everything",
  description: "MCP reference server exercising every protocol feature (tools, resources, prompts, sampling, progress)",
  owner: "platform",
  transport: {
    type: "stdio",
    command: "node",
    args: ["node_modules/@modelcontextprotocol/server-everything/dist/index.js", "stdio"],
  },
  port: 3101,
  // Engineers use every feature; support gets the harmless tools.
  access: [
    { roles: ["engineering"], tools: ["*"], resources: ["*"], prompts: ["*"] },
    { roles: ["support"], tools: ["echo", "get-*"], resources: [], prompts: [] },
  ],
});
