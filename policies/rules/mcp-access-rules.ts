import type { ResourceValidationPolicy } from "@pulumi/policy";
import { authenticates, gatewayConfigsOf } from "../lib/gateway-config.js";
import { describe, K8S } from "../lib/k8s.js";
import { forTypes } from "../lib/policy.js";

/**
 * In a gateway that authenticates, every server has access rules. Access is deny by default, so a server without
 * rules is invisible to every caller: either a mistake, or a server that should not be in the fleet.
 */
export const mcpAccessRules: ResourceValidationPolicy = {
  name: "mcp-access-rules",
  description: "Every server behind an authenticating gateway must have access rules.",
  enforcementLevel: "mandatory",
  validateResource: forTypes([K8S.ConfigMap], (args, report) => {
    const what = describe(args.type, args.props, args.name);
    for (const { key, config } of gatewayConfigsOf(args.props.data)) {
      if (!authenticates(config)) continue;
      for (const server of config.servers) {
        if ((server.access ?? []).length > 0) continue;
        report(
          `Gateway config \`${key}\` in ${what}: server \`${String(server.name)}\` has no access rules, so no caller can see or call it. Add \`access\` to servers/${String(server.name)}.ts (e.g. \`access: [{ roles: ["engineering"], tools: ["*"] }]\`).`,
        );
      }
    }
  }),
};
