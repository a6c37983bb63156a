import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, kindOf, type ObjectMeta } from "../lib/k8s.js";
import { configOf } from "../lib/policy.js";
import { DOCKER_CONTAINER } from "../lib/types.js";

export interface ResourceNamesConfig {
  /** The fleet's name prefix: names start with `<prefix>-`. @default "mcp" */
  prefix: string;
  /** Kinds whose names need not carry the prefix (DNS-1123 still applies). @default ["Namespace"] */
  exemptKinds: string[];
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A DNS-1123 label close to `name`, for the fix. */
function suggest(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "");
}

/** A Kubernetes object type (`kubernetes:<group>/<version>:<Kind>`), not a provider or a Helm/YAML wrapper. */
const isKubernetesObject = (type: string) => /^kubernetes:[^:]+\/v[0-9][a-z0-9]*:[A-Z]/.test(type) && !type.startsWith("kubernetes:yaml/") && !type.startsWith("kubernetes:helm.sh/") && !type.startsWith("kubernetes:kustomize/");

/**
 * Kubernetes objects and Docker containers have DNS-1123 names that start with the fleet prefix (`mcp-`), so they
 * sort together, never collide with other teams' objects, and are valid Service and DNS names.
 */
export const mcpResourceNames: ResourceValidationPolicy = {
  name: "mcp-resource-names",
  description: "Resource names must be DNS-1123 labels that start with the fleet prefix.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      prefix: { type: "string", default: "mcp", description: "Fleet name prefix (names start with `<prefix>-`)." },
      exemptKinds: { type: "array", items: { type: "string" }, default: ["Namespace"], description: "Kinds exempt from the prefix." },
    },
  },
  validateResource: (args, report) => {
    const docker = args.type === DOCKER_CONTAINER;
    if (!docker && !isKubernetesObject(args.type)) {
      args.notApplicable("Policy only applies to Kubernetes objects and Docker containers");
      return;
    }
    const { prefix, exemptKinds } = configOf<ResourceNamesConfig>(args, { prefix: "mcp", exemptKinds: ["Namespace"] });
    const name = docker ? String(args.props.name ?? args.name) : ((args.props.metadata as ObjectMeta | undefined)?.name ?? args.name);
    const what = docker ? `Docker container \`${name}\`` : describe(args.type, args.props, args.name);
    if (!DNS1123_LABEL.test(name)) {
      const fixed = suggest(name);
      report(`${what} name must be a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters). Rename it${fixed !== "" ? `, e.g. \`${fixed.startsWith(`${prefix}-`) ? fixed : suggest(`${prefix}-${fixed}`)}\`` : ""}.`);
      return;
    }
    if (!docker && exemptKinds.includes(kindOf(args.type))) return;
    if (!name.startsWith(`${prefix}-`)) report(`${what} name must start with the fleet prefix \`${prefix}-\`. Rename it \`${suggest(`${prefix}-${name}`)}\`.`);
  },
};
