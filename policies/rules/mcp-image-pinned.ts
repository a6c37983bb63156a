import type { ResourceValidationPolicy } from "@pulumi/policy";
import { pinningProblem } from "../lib/images.js";
import { configOf, forTypes } from "../lib/policy.js";
import { DOCKER_CONTAINER } from "../lib/types.js";
import { eachContainer, WORKLOAD_TYPES } from "../lib/workload.js";

export interface ImagePinnedConfig {
  /** Require `@sha256:` digests, not only version tags. @default false */
  requireDigest: boolean;
}

/** Images pinned: never untagged or `:latest`; by digest where the stack's pack config sets `requireDigest`. */
export const mcpImagePinned: ResourceValidationPolicy = {
  name: "mcp-image-pinned",
  description: "Container images must be pinned to a version tag or a digest.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { requireDigest: { type: "boolean", default: false, description: "Require image digests (@sha256:...)." } },
  },
  validateResource: forTypes([...WORKLOAD_TYPES, DOCKER_CONTAINER], (args, report) => {
    const { requireDigest } = configOf<ImagePinnedConfig>(args, { requireDigest: false });
    if (args.type === DOCKER_CONTAINER) {
      const image = String(args.props.image ?? "");
      const problem = pinningProblem(image, requireDigest);
      if (problem !== undefined) report(`Docker container \`${String(args.props.name ?? args.name)}\` ${problem}`);
      return;
    }
    eachContainer(args, (container, label) => {
      const problem = pinningProblem(container.image ?? "", requireDigest);
      if (problem !== undefined) report(`${label} ${problem}`);
    });
  }),
};
