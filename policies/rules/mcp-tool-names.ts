import { DEFAULT_SEPARATOR, EXPOSED_NAME_PATTERN } from "@mcp-fleet/gateway/config";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { gatewayConfigsOf } from "../lib/gateway-config.js";
import { describe, K8S } from "../lib/k8s.js";
import { configOf, forTypes } from "../lib/policy.js";

export interface ToolNamesConfig {
  /** Longest `<server><separator>` prefix, so every tool keeps room of its own. @default 32 */
  maxPrefixLength: number;
}

/**
 * Every tool name the gateway will expose matches its `EXPOSED_NAME_PATTERN` (`^[a-zA-Z0-9_-]{1,64}$`) and is unique. Tool lists are only known at
 * runtime, so this checks what the rendered gateway config fixes statically: the prefix (`<server><separator>`) leaves
 * room for tool names, and each literal name in a server's `tools.allow` list, once prefixed, is valid and unique.
 * Globs in `allow` are checked for characters no tool name can have.
 */
export const mcpToolNames: ResourceValidationPolicy = {
  name: "mcp-tool-names",
  description: `Tool names the gateway exposes must match ${EXPOSED_NAME_PATTERN.source} and be unique.`,
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { maxPrefixLength: { type: "integer", default: 32, description: "Longest `<server><separator>` prefix." } },
  },
  validateResource: forTypes([K8S.ConfigMap], (args, report) => {
    const { maxPrefixLength } = configOf<ToolNamesConfig>(args, { maxPrefixLength: 32 });
    const configs = gatewayConfigsOf(args.props.data);
    if (configs.length === 0) {
      args.notApplicable("The ConfigMap holds no gateway config.");
      return;
    }
    for (const { key, config } of configs) {
      const where = `Gateway config \`${key}\` in ${describe(args.type, args.props, args.name)}`;
      const separator = config.naming?.separator ?? DEFAULT_SEPARATOR;
      const passthrough = config.naming?.passthrough === true;
      const exposedBy = new Map<string, string>();
      for (const server of config.servers) {
        const name = server.name ?? "";
        const prefix = passthrough ? "" : `${name}${separator}`;
        if (prefix.length > maxPrefixLength) {
          report(`${where}: server \`${name}\` prefixes its tools with \`${prefix}\` (${prefix.length} characters, more than ${maxPrefixLength}). Shorten the server name.`);
        }
        for (const pattern of server.tools?.allow ?? []) {
          if (/[*?]/.test(pattern)) {
            const literal = pattern.replace(/[*?]/g, "");
            // Every character a glob matches literally must be one a tool name may have.
            if (![...literal].every((c) => EXPOSED_NAME_PATTERN.test(c))) {
              report(`${where}: server \`${name}\` allows \`${pattern}\`, which no valid tool name matches. Use only letters, digits, '_', '-' and the globs '*' and '?'.`);
            }
            continue;
          }
          const exposed = `${prefix}${pattern}`;
          if (!EXPOSED_NAME_PATTERN.test(exposed)) {
            report(`${where}: tool \`${exposed}\` (${exposed.length} characters) does not match ${EXPOSED_NAME_PATTERN.source}. Shorten the tool or server name.`);
          }
          const owner = exposedBy.get(exposed);
          if (owner !== undefined && owner !== name) {
            report(`${where}: tool \`${exposed}\` is exposed by both server \`${owner}\` and server \`${name}\`. Rename a server or drop the tool from one \`tools.allow\`.`);
          }
          exposedBy.set(exposed, name);
        }
      }
    }
  }),
};
