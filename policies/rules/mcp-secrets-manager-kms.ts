import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes } from "../lib/policy.js";
import { SECRETS_MANAGER_SECRET } from "../lib/types.js";

/** Secrets Manager secrets are encrypted with a customer-managed KMS key, not the account's default key. */
export const mcpSecretsManagerKms: ResourceValidationPolicy = {
  name: "mcp-secrets-manager-kms",
  description: "Secrets Manager secrets must be encrypted with a customer-managed KMS key.",
  enforcementLevel: "mandatory",
  validateResource: forTypes([SECRETS_MANAGER_SECRET], (args, report) => {
    const key = args.props.kmsKeyId;
    if (typeof key !== "string" || key === "" || key === "alias/aws/secretsmanager") {
      report(`Secrets Manager secret \`${String(args.props.name ?? args.name)}\` must be encrypted with a customer-managed KMS key: set \`kmsKeyId\`.`);
    }
  }),
};
