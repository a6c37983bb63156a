/** What the analyzers (in-process and pack process) take and give. */
import type { EnforcementLevel } from "@pulumi/policy";

/** One registered resource, as a stack run under mocks records it. */
export interface ResourceRecord {
  /** Pulumi type token, e.g. `kubernetes:apps/v1:Deployment`. */
  type: string;
  /** Pulumi resource name. */
  name: string;
  /** @default a URN built from type and name */
  urn?: string;
  /** URN of the parent resource. */
  parent?: string;
  /** Resource inputs (for Kubernetes resources: the manifest). */
  inputs: Record<string, unknown>;
}

/** A policy violation, as `pulumi preview --policy-pack` reports it. */
export interface Violation {
  policyName: string;
  enforcementLevel: EnforcementLevel;
  /** The message as the SDK builds it: the policy description, a newline, then the reported text. */
  message: string;
  /** The reported text alone (the message without the description line). */
  detail: string;
  /** URN of the resource the violation is about (for stack policies: the one they named, if any). */
  urn?: string;
}

/** Evaluates resources against the pack, the way the Pulumi engine drives an analyzer. */
export interface Analyzer {
  /** Resource policies, for one resource (the engine's `Analyze` call). */
  analyze(resource: ResourceRecord): Promise<Violation[]>;
  /** Stack policies, over every resource of the stack (the engine's `AnalyzeStack` call). */
  analyzeStack(resources: readonly ResourceRecord[]): Promise<Violation[]>;
  close(): Promise<void>;
}

/** The pack config format of `pulumi preview --policy-pack-config FILE`. */
export type PackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

export interface ResolvedPolicyConfig {
  enforcementLevel: EnforcementLevel;
  properties: Record<string, unknown>;
}
