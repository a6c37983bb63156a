import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, forTypes } from "../lib/policy.js";
import { DOCKER_CONTAINER } from "../lib/types.js";
import { eachContainer, WORKLOAD_TYPES } from "../lib/workload.js";

export interface SecretEnvConfig {
  /** Regular expression (case-insensitive) of environment variable names that hold secrets. */
  pattern: string;
}

/** Names that look secret: a `_`-separated word such as TOKEN, SECRET, PASSWORD, KEY, CREDENTIALS. */
export const DEFAULT_SECRET_PATTERN = "(^|_)(TOKEN|SECRET|PASSWORD|PASSWD|PASS|PWD|KEY|APIKEY|CREDENTIALS?|PRIVATE|AUTH)(_|$)";

/**
 * Environment variables whose names look secret come from secret references (`valueFrom.secretKeyRef`), never from
 * a plain value in the manifest. Docker containers have no secret references: a secret-looking name in plain
 * `envs` is a violation there too (mount the secret as a file instead).
 */
export const mcpSecretEnvFromSecretRef: ResourceValidationPolicy = {
  name: "mcp-secret-env-from-secret-ref",
  description: "Environment variables that look secret must come from secret references.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { pattern: { type: "string", default: DEFAULT_SECRET_PATTERN, description: "Regex of secret-looking variable names (case-insensitive)." } },
  },
  validateResource: forTypes([...WORKLOAD_TYPES, DOCKER_CONTAINER], (args, report) => {
    const secretLooking = new RegExp(configOf<SecretEnvConfig>(args, { pattern: DEFAULT_SECRET_PATTERN }).pattern, "i");
    if (args.type === DOCKER_CONTAINER) {
      for (const entry of (args.props.envs as string[] | undefined) ?? []) {
        const name = entry.split("=", 1)[0]!;
        if (secretLooking.test(name)) {
          report(`Docker container \`${String(args.props.name ?? args.name)}\` sets \`${name}\` in plain \`envs\`; it looks secret. Mount it from a secret file instead.`);
        }
      }
      return;
    }
    eachContainer(args, (container, label) => {
      for (const env of container.env ?? []) {
        if (!secretLooking.test(env.name)) continue;
        if (env.valueFrom?.secretKeyRef === undefined || env.valueFrom?.secretKeyRef === null) {
          report(`${label} sets \`${env.name}\` ${env.value !== undefined ? "as a plain value" : "from a non-secret source"}; it looks secret. Take it from a Secret (\`valueFrom.secretKeyRef\`).`);
        }
      }
    });
  }),
};
