/** Renders a plan for people (a resource tree with counts) and for machines (JSON). Inputs are already masked. */
import type { RegisteredResource } from "./run-under-mocks.js";

export interface PlanJson {
  stack: string;
  total: number;
  counts: Record<string, number>;
  /** Config keys planned with a placeholder value (secrets the CLI cannot decrypt here). */
  placeholders: string[];
  outputs: Record<string, unknown>;
  resources: { type: string; name: string; urn: string; parent: string | null; inputs: Record<string, unknown>; secretPaths: string[] }[];
}

/** Resource count by type, sorted by type. */
export function countByType(resources: readonly RegisteredResource[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

export function planJson(stack: string, resources: readonly RegisteredResource[], outputs: Record<string, unknown>, placeholders: string[]): PlanJson {
  return {
    stack,
    total: resources.length,
    counts: countByType(resources),
    placeholders,
    outputs,
    resources: resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, parent: r.parent ?? null, inputs: r.inputs, secretPaths: r.secretPaths })),
  };
}

/** The resource tree (children sorted by type then name) followed by counts per type. */
export function planTree(stack: string, resources: readonly RegisteredResource[], placeholders: string[]): string {
  const children = new Map<string, RegisteredResource[]>();
  const roots: RegisteredResource[] = [];
  const urns = new Set(resources.map((r) => r.urn));
  for (const r of resources) {
    if (r.parent === undefined || !urns.has(r.parent)) roots.push(r);
    else children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  }
  const order = (a: RegisteredResource, b: RegisteredResource) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name);
  const lines: string[] = [`Stack ${stack}: ${resources.length} resources`];
  if (placeholders.length > 0) lines.push(`(planned with placeholder values for secret config: ${placeholders.join(", ")})`);
  const walk = (r: RegisteredResource, indent: string, last: boolean, top: boolean) => {
    lines.push(top ? `${r.type}  ${r.name}` : `${indent}${last ? "└─ " : "├─ "}${r.type}  ${r.name}`);
    const kids = [...(children.get(r.urn) ?? [])].sort(order);
    kids.forEach((k, i) => walk(k, top ? "" : `${indent}${last ? "   " : "│  "}`, i === kids.length - 1, false));
  };
  roots.sort(order).forEach((r) => walk(r, "", true, true));
  lines.push("", "Resources by type:");
  const counts = countByType(resources);
  const width = Math.max(...Object.values(counts).map((n) => String(n).length));
  for (const [type, n] of Object.entries(counts)) lines.push(`  ${String(n).padStart(width)}  ${type}`);
  return `${lines.join("\n")}\n`;
}
