/** Runs the server over stdio: `node --import tsx servers/hello/src/stdio.ts`. */
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createServer } from "./server.js";

const server = createServer();
await server.connect(new StdioServerTransport());
process.stdin.on("close", () => void server.close());
