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
  // Reading the notes is for everyone signed in; engineers may also write them.
  access: [
    { roles: ["*"], tools: ["read_*", "list_*", "search_files", "get_file_info", "directory_tree", "list_allowed_directories"], resources: ["*"] },
    { roles: ["engineering"], tools: ["*"], resources: ["*"] },
  ],
});
