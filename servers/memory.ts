import { defineServer } from "./catalog/spec.js";

/**
 * A knowledge-graph memory for agents. Its data lives in `servers/data/memory/memory.json` (gitignored).
 * server-memory resolves a relative MEMORY_FILE_PATH against its own `dist/` folder, not the working directory,
 * hence the four `..`: from `node_modules/@modelcontextprotocol/server-memory/dist/` back to the repository root.
 * That keeps the spec free of machine-specific absolute paths.
 */
export default defineServer({
  name: "memory",
  description: "Knowledge-graph memory: entities, relations and observations that agents keep between sessions",
  owner: "agents",
  transport: {
    type: "stdio",
    command: "node",
    args: ["node_modules/@modelcontextprotocol/server-memory/dist/index.js"],
  },
  env: { MEMORY_FILE_PATH: "../../../../servers/data/memory/memory.json" },
  port: 3102,
  // The team's memory: everyone signed in reads it, engineers change it.
  access: [
    { roles: ["*"], tools: ["read_graph", "search_nodes", "open_nodes"] },
    { roles: ["engineering"], tools: ["*"] },
  ],
});
