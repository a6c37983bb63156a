import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { K8S, objectName, type ObjectMeta } from "../lib/k8s.js";
import { DOCKER_CONTAINER } from "../lib/types.js";

interface Use {
  what: string;
  urn: string;
  /** Who the port belongs to: a server's Services (its own, its headless one, its canary's) share it. */
  owner?: string;
}

/** Reports every port of `scope` used by more than one owner. */
function clashes(uses: Map<string, Map<number, Use[]>>, scopeWord: string, report: (message: string, urn: string) => void): void {
  for (const [scope, ports] of uses) {
    for (const [port, owners] of ports) {
      const byOwner = new Map<string, Use>();
      for (const o of owners) if (!byOwner.has(o.owner ?? o.what)) byOwner.set(o.owner ?? o.what, o);
      const distinct = [...byOwner.values()];
      if (distinct.length < 2) continue;
      const names = distinct.map((o) => o.what);
      const list = `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
      report(`${list} ${scopeWord.replace("%s", scope)} both use port ${port}. Give each server its own port (\`port\` in servers/<name>.ts).`, distinct[1]!.urn);
    }
  }
}

function add(uses: Map<string, Map<number, Use[]>>, scope: string, port: unknown, use: Use): void {
  if (typeof port !== "number") return;
  const ports = uses.get(scope) ?? new Map<number, Use[]>();
  ports.set(port, [...(ports.get(port) ?? []), use]);
  uses.set(scope, ports);
}

function serviceUses(resources: PolicyResource[]): Map<string, Map<number, Use[]>> {
  const uses = new Map<string, Map<number, Use[]>>();
  for (const r of resources.filter((r) => r.type === K8S.Service)) {
    const namespace = (r.props.metadata as ObjectMeta | undefined)?.namespace ?? "default";
    const what = `Service \`${objectName(r.props, r.name)}\``;
    const server = (r.props.metadata as ObjectMeta | undefined)?.labels?.["app.kubernetes.io/name"];
    const ports = (r.props.spec as { ports?: Array<{ name?: string; port?: number }> } | undefined)?.ports ?? [];
    // Every pod may serve metrics on the same port; only the ports clients reach must be unique.
    for (const p of ports) if (p.name !== "metrics") add(uses, namespace, p.port, { what, urn: r.urn, ...(server !== undefined ? { owner: `server ${server}` } : {}) });
  }
  return uses;
}

function dockerUses(resources: PolicyResource[]): { byNetwork: Map<string, Map<number, Use[]>>; onHost: Map<string, Map<number, Use[]>> } {
  const byNetwork = new Map<string, Map<number, Use[]>>();
  const onHost = new Map<string, Map<number, Use[]>>();
  for (const r of resources.filter((r) => r.type === DOCKER_CONTAINER)) {
    const what = `Docker container \`${String(r.props.name ?? r.name)}\``;
    const networks = ((r.props.networksAdvanced as Array<{ name?: string }> | undefined) ?? []).map((n) => String(n.name));
    if (typeof r.props.networkMode === "string" && r.props.networkMode !== "") networks.push(r.props.networkMode);
    for (const p of (r.props.ports as Array<{ internal?: number; external?: number }> | undefined) ?? []) {
      for (const network of networks) add(byNetwork, network, p.internal, { what, urn: r.urn });
      add(onHost, "host", p.external, { what, urn: r.urn });
    }
  }
  return { byNetwork, onHost };
}

/** No two servers on the same port in one namespace, one Docker network, or on the host. */
export const mcpPortUnique: StackValidationPolicy = {
  name: "mcp-port-unique",
  description: "No two servers may use the same port in one namespace or Docker network.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const resources = args.resources;
    const reportAt = (message: string, urn: string) => report(message, urn);
    clashes(serviceUses(resources), "in namespace `%s`", reportAt);
    const { byNetwork, onHost } = dockerUses(resources);
    clashes(byNetwork, "on Docker network `%s`", reportAt);
    clashes(onHost, "on the %s", reportAt);
  },
};
