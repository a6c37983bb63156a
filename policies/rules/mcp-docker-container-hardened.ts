import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes } from "../lib/policy.js";
import { DOCKER_CONTAINER } from "../lib/types.js";

interface DockerContainer {
  name?: string;
  readOnly?: boolean;
  privileged?: boolean;
  user?: string;
  capabilities?: { adds?: string[]; drops?: string[] };
}

/** Docker containers (the `dev` target): read-only root filesystem, all capabilities dropped, not privileged, not root. */
export const mcpDockerContainerHardened: ResourceValidationPolicy = {
  name: "mcp-docker-container-hardened",
  description: "Docker containers must be read-only, drop all capabilities, and run unprivileged as a non-root user.",
  enforcementLevel: "mandatory",
  validateResource: forTypes([DOCKER_CONTAINER], (args, report) => {
    const c = args.props as DockerContainer;
    const what = `Docker container \`${c.name ?? args.name}\``;
    if (c.readOnly !== true) report(`${what} must set \`readOnly: true\`. Mount a tmpfs where it needs to write.`);
    if (!(c.capabilities?.drops ?? []).includes("ALL")) report(`${what} must drop all capabilities: set \`capabilities: { drops: ["ALL"] }\`.`);
    if (c.privileged === true) report(`${what} must not be privileged. Remove \`privileged: true\`.`);
    const user = (c.user ?? "").split(":", 1)[0];
    if (user === "" || user === "root" || user === "0") report(`${what} must run as a non-root user: set \`user\` (e.g. "10001:10001").`);
  }),
};
