import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes } from "../lib/policy.js";
import { ECR_REPOSITORY } from "../lib/types.js";

/** ECR repositories scan every pushed image and never let a tag move. */
export const mcpEcrRepositoryHardened: ResourceValidationPolicy = {
  name: "mcp-ecr-repository-hardened",
  description: "ECR repositories must scan images on push and have immutable tags.",
  enforcementLevel: "mandatory",
  validateResource: forTypes([ECR_REPOSITORY], (args, report) => {
    const what = `ECR repository \`${String(args.props.name ?? args.name)}\``;
    const scanning = args.props.imageScanningConfiguration as { scanOnPush?: boolean } | undefined;
    if (scanning?.scanOnPush !== true) report(`${what} must scan images on push: set \`imageScanningConfiguration: { scanOnPush: true }\`.`);
    if (args.props.imageTagMutability !== "IMMUTABLE") report(`${what} must have immutable tags: set \`imageTagMutability: "IMMUTABLE"\`.`);
  }),
};
