import { defineServer } from "./catalog/spec.js";

/** Files for agents, scoped to `servers/data/filesystem/` (relative to the repository root, the working directory). */
export default defineServer({
  name: "filesystem",
  description: "Read, search and edit files inside servers/data/filesystem/ and nowhere else",
  owner: "platform",
  transport: {
    type: "stdio",
    command: "node",
    args: ["node_modules/@modelcontextprotocol/server-filesystem/dist/index.js", "servers/data/filesystem"],
  },
  port: 3103,
});
