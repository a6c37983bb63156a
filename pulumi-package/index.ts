/**
 * The `mcp-fleet` Pulumi component package's provider: Pulumi runs this file (PulumiPlugin.yaml) when a program of
 * any language uses a component of the package. `componentProviderHost` serves the provider gRPC protocol on
 * 127.0.0.1 (printing its port, as a provider plugin does), infers the schema from the components' TypeScript types
 * (components.ts, args.ts) and constructs them on request.
 */
import { componentProviderHost } from "@pulumi/pulumi/provider/experimental/index.js";
import { Fleet, McpGateway, McpServer, Monitoring } from "./components.js";

export * from "./components.js";

/** The package's name: the first part of every type token (`mcp-fleet:index:Fleet`). */
export const PACKAGE_NAME = "mcp-fleet";

await componentProviderHost({ components: [McpServer, McpGateway, Monitoring, Fleet], name: PACKAGE_NAME, dirname: import.meta.dirname });
