import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, K8S } from "../lib/k8s.js";
import { configOf, forTypes } from "../lib/policy.js";
import { DOCKER_CONTAINER } from "../lib/types.js";
import { eachContainer, WORKLOAD_TYPES } from "../lib/workload.js";

export interface PortRangeConfig {
  /** Lowest allowed port. @default 1024 */
  min: number;
  /** Highest allowed port. @default 65535 */
  max: number;
}

interface ServicePort {
  name?: string;
  port?: number;
  targetPort?: number | string;
}

/** Container, Service and Docker ports inside the configured range (unprivileged ports by default). */
export const mcpPortRange: ResourceValidationPolicy = {
  name: "mcp-port-range",
  description: "Container and Service ports must be inside the fleet's port range.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      min: { type: "integer", default: 1024, description: "Lowest allowed port." },
      max: { type: "integer", default: 65535, description: "Highest allowed port." },
    },
  },
  validateResource: forTypes([...WORKLOAD_TYPES, K8S.Service, DOCKER_CONTAINER], (args, report) => {
    const { min, max } = configOf<PortRangeConfig>(args, { min: 1024, max: 65535 });
    const check = (port: unknown, what: string) => {
      if (typeof port === "number" && (port < min || port > max)) report(`${what} is outside ${min}-${max}. Use a port in that range.`);
    };
    const named = (name: string | undefined, port: unknown) => (name ? `port \`${name}\` (${String(port)})` : `port ${String(port)}`);
    if (args.type === K8S.Service) {
      const what = describe(args.type, args.props, args.name);
      for (const p of ((args.props.spec as { ports?: ServicePort[] } | undefined)?.ports ?? [])) {
        check(p.port, `${what} ${named(p.name, p.port)}`);
        check(p.targetPort, `${what} ${named(p.name, p.port)} target port ${String(p.targetPort)}`);
      }
      return;
    }
    if (args.type === DOCKER_CONTAINER) {
      const what = `Docker container \`${String(args.props.name ?? args.name)}\``;
      for (const p of (args.props.ports as Array<{ internal?: number; external?: number }> | undefined) ?? []) {
        check(p.internal, `${what} port ${String(p.internal)}`);
        check(p.external, `${what} host port ${String(p.external)}`);
      }
      return;
    }
    eachContainer(args, (container, label) => {
      for (const p of container.ports ?? []) check(p.containerPort, `${label} ${named(p.name, p.containerPort)}`);
    });
  }),
};
