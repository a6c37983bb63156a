import { defineServer } from "./catalog/spec.js";

/** A scratchpad tool for step-by-step reasoning with revisions and branches. */
export default defineServer({
  name: "sequential-thinking",
  description: "Structured step-by-step thinking: numbered thoughts that can be revised and branched",
  owner: "agents",
  transport: {
    type: "stdio",
    command: "node",
    args: ["node_modules/@modelcontextprotocol/server-sequential-thinking/dist/index.js"],
    env: { DISABLE_THOUGHT_LOGGING: "true" },
  },
  port: 3104,
  access: [{ roles: ["*"], tools: ["*"] }],
});
