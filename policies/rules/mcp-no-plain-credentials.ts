import type { ResourceValidationPolicy } from "@pulumi/policy";
import { gatewayConfigsOf } from "../lib/gateway-config.js";
import { describe, K8S } from "../lib/k8s.js";
import { forTypes } from "../lib/policy.js";
import { SECRET_HEADERS } from "../lib/secret-names.js";

/**
 * No API key, password or credential in a gateway's plain config (a ConfigMap, readable by anyone who may read the
 * namespace's ConfigMaps, and in every plan): API-key hashes come from a Secret (`auth.apiKeysFromEnv`), the Redis
 * URL with its password from a Secret (`rateLimits.store.urlFromEnv`), credential headers from templates over the
 * server's secrets (`credentials.headers: { Authorization: "Bearer ${TOKEN}" }`).
 */
export const mcpNoPlainCredentials: ResourceValidationPolicy = {
  name: "mcp-no-plain-credentials",
  description: "API keys, passwords and credentials must not be in a gateway's plain config.",
  enforcementLevel: "mandatory",
  validateResource: forTypes([K8S.ConfigMap], (args, report) => {
    const what = describe(args.type, args.props, args.name);
    for (const { key, config } of gatewayConfigsOf(args.props.data)) {
      const where = `Gateway config \`${key}\` in ${what}`;
      if ((config.auth?.apiKeys ?? []).length > 0) {
        report(`${where} lists API keys in \`auth.apiKeys\`. Keep their hashes in a Secret and name it with \`auth.apiKeysFromEnv\` (the stack's \`apiKeyHashes\` secret does this).`);
      }
      const url = config.rateLimits?.store?.url;
      if (typeof url === "string" && URL.canParse(url) && (new URL(url).password !== "" || new URL(url).username !== "")) {
        report(`${where} has credentials in \`rateLimits.store.url\`. Put the URL in a Secret and name it with \`urlFromEnv\` (the stack's \`redisUrl\` secret does this).`);
      }
      for (const server of config.servers) {
        for (const [name, value] of Object.entries(server.credentials?.headers ?? {})) {
          if (SECRET_HEADERS.test(name) && !/\$\{[A-Za-z_][A-Za-z0-9_]*\}/.test(value)) {
            report(`${where}: server \`${String(server.name)}\` sends \`credentials.headers.${name}\` as a plain value. Reference a secret instead: "Bearer \${NAME}" with NAME in the spec's \`secrets\`.`);
          }
        }
      }
    }
  }),
};
