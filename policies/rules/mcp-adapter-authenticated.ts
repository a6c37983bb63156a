import type { ResourceValidationPolicy } from "@pulumi/policy";
import { authenticates, gatewayConfigsOf } from "../lib/gateway-config.js";
import { describe, K8S } from "../lib/k8s.js";
import { forTypes } from "../lib/policy.js";

/**
 * A server's adapter (the gateway image fronting one server, `naming.passthrough: true`) in a cluster authenticates
 * its caller: `auth.mode` apiKey (the central gateway's key, its hash from the adapter's Secret). With `auth.mode:
 * none` and `trustedNetwork`, only a NetworkPolicy stands between any pod of the cluster and every tool of the
 * server, with the server's credentials. (The Docker dev stack's adapters stay `trustedNetwork`: it publishes only
 * the gateway, on 127.0.0.1.)
 */
export const mcpAdapterAuthenticated: ResourceValidationPolicy = {
  name: "mcp-adapter-authenticated",
  description: "A server's adapter must authenticate the central gateway.",
  enforcementLevel: "mandatory",
  validateResource: forTypes([K8S.ConfigMap], (args, report) => {
    const what = describe(args.type, args.props, args.name);
    for (const { key, config } of gatewayConfigsOf(args.props.data)) {
      if (config.naming?.passthrough !== true || authenticates(config)) continue;
      const servers = config.servers.map((s) => `\`${String(s.name)}\``).join(", ");
      report(
        `Adapter config \`${key}\` in ${what} does not authenticate its caller (auth.mode ${config.auth?.mode ?? "none"}${config.auth?.trustedNetwork === true ? ", trustedNetwork" : ""}): any pod past its NetworkPolicy calls every tool of ${servers}. Set \`auth: { mode: apiKey, apiKeysFromEnv: MCP_FLEET_API_KEYS }\` with the central gateway's key hash in the adapter's Secret (the Fleet component renders this).`,
      );
    }
  }),
};
