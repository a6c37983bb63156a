import type { ResourceValidationPolicy } from "@pulumi/policy";
import { gatewayConfigsOf } from "../lib/gateway-config.js";
import { describe, K8S } from "../lib/k8s.js";
import { configOf, forTypes } from "../lib/policy.js";
import { DEFAULT_SECRET_PATTERN, SECRET_HEADERS, looksSecret } from "../lib/secret-names.js";
import { eachContainer, WORKLOAD_TYPES } from "../lib/workload.js";

export interface SecretEnvConfig {
  /** Regular expression (case-insensitive) of environment variable names that hold secrets. */
  pattern: string;
}

/**
 * Environment variables whose names look secret come from secret references (`valueFrom.secretKeyRef`), never from
 * a plain value in the manifest. A gateway config in a ConfigMap (the gateway's, or a stdio server's adapter) must
 * not carry secret-looking `env` or `headers` either: ConfigMaps are plain text; the server spec's `secrets` put
 * them in a Secret. Docker containers have no secret references: their secret `envs` are Pulumi secrets, which an
 * analyzer receives unwrapped and cannot tell from plain values, so they are not judged.
 */
export const mcpSecretEnvFromSecretRef: ResourceValidationPolicy = {
  name: "mcp-secret-env-from-secret-ref",
  description: "Environment variables that look secret must come from secret references.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { pattern: { type: "string", default: DEFAULT_SECRET_PATTERN, description: "Regex of secret-looking variable names (case-insensitive)." } },
  },
  validateResource: forTypes([...WORKLOAD_TYPES, K8S.ConfigMap], (args, report) => {
    const { pattern } = configOf<SecretEnvConfig>(args, { pattern: DEFAULT_SECRET_PATTERN });
    if (args.type === K8S.ConfigMap) {
      const what = describe(args.type, args.props, args.name);
      for (const { key, config } of gatewayConfigsOf(args.props.data)) {
        for (const server of config.servers) {
          for (const [field, values] of [["env", server.env], ["headers", server.headers]] as const) {
            for (const name of Object.keys(values ?? {})) {
              if (!looksSecret(name, pattern) && !(field === "headers" && SECRET_HEADERS.test(name))) continue;
              report(
                `Gateway config \`${key}\` in ${what}: server \`${String(server.name)}\` sets ${field === "env" ? "env" : "header"} \`${name}\` in plain text; it looks secret. Declare it in the server spec's \`secrets\` so it comes from a Secret.`,
              );
            }
          }
        }
      }
      return;
    }
    eachContainer(args, (container, label) => {
      for (const env of container.env ?? []) {
        if (!looksSecret(env.name, pattern)) continue;
        if (env.valueFrom?.secretKeyRef === undefined || env.valueFrom?.secretKeyRef === null) {
          report(`${label} sets \`${env.name}\` ${env.value !== undefined ? "as a plain value" : "from a non-secret source"}; it looks secret. Take it from a Secret (\`valueFrom.secretKeyRef\`).`);
        }
      }
    });
  }),
};
