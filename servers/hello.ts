import { defineServer } from "./catalog/spec.js";

/** Our own example server (servers/hello/): the template `mcp-fleet new` copies. */
export default defineServer({
  name: "hello",
  description: "Example server of our own: greets people, adds numbers, serves a resource and a prompt",
  owner: "platform",
  transport: {
    type: "stdio",
    command: "node",
    args: ["--import", "tsx", "servers/hello/src/stdio.ts"],
  },
  port: 3105,
  // The example server: anyone signed in.
  access: [{ roles: ["*"], tools: ["*"], resources: ["*"], prompts: ["*"] }],
});
