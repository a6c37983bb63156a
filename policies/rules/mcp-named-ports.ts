import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, K8S, type ObjectMeta } from "../lib/k8s.js";
import { configOf, forTypes } from "../lib/policy.js";
import { roleOf } from "../lib/roles.js";
import { containerLabel, workloadOf, WORKLOAD_TYPES } from "../lib/workload.js";
import { containersOf } from "../lib/k8s.js";

export interface NamedPortsConfig {
  /** Port names the fleet uses. @default ["mcp", "metrics"] */
  names: string[];
}

const DEFAULT_NAMES = ["mcp", "metrics"];

/**
 * Ports carry the fleet's names (`mcp` for MCP traffic, `metrics` for Prometheus), so Services, NetworkPolicies and
 * scrape configs refer to them by name; every MCP server exposes a port named `mcp`.
 */
export const mcpNamedPorts: ResourceValidationPolicy = {
  name: "mcp-named-ports",
  description: "Container and Service ports must be named `mcp` or `metrics`.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { names: { type: "array", items: { type: "string" }, default: DEFAULT_NAMES, description: "Allowed port names." } },
  },
  validateResource: forTypes([...WORKLOAD_TYPES, K8S.Service], (args, report) => {
    const { names } = configOf<NamedPortsConfig>(args, { names: DEFAULT_NAMES });
    const allowed = names.map((n) => `\`${n}\``).join(" or ");
    const problem = (name: string | undefined) => (name === undefined || name === "" ? "must be named" : `is named \`${name}\`; name it`);
    if (args.type === K8S.Service) {
      const what = describe(args.type, args.props, args.name);
      const ports = (args.props.spec as { ports?: Array<{ name?: string; port?: number }> } | undefined)?.ports ?? [];
      for (const p of ports) if (!names.includes(p.name ?? "")) report(`${what} port ${String(p.port)} ${problem(p.name)} ${allowed}.`);
      if (roleOf((args.props.metadata as ObjectMeta | undefined)?.labels) === "server" && !ports.some((p) => p.name === "mcp")) {
        report(`${what} serves an MCP server but has no port named \`mcp\`. Name its MCP port \`mcp\`.`);
      }
      return;
    }
    const workload = workloadOf(args);
    if (workload === undefined) return;
    let hasMcp = false;
    for (const { container, what } of containersOf(workload.spec)) {
      for (const p of container.ports ?? []) {
        if (p.name === "mcp") hasMcp = true;
        if (!names.includes(p.name ?? "")) report(`${containerLabel(workload.what, what, container)} port ${String(p.containerPort)} ${problem(p.name)} ${allowed}.`);
      }
    }
    if (workload.role === "server" && !hasMcp) report(`${workload.what} runs an MCP server but no container port is named \`mcp\`. Name its MCP port \`mcp\`.`);
  }),
};
