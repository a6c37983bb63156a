/**
 * The analyzer protocol's messages, built and read with the generated code `@pulumi/pulumi/proto` ships (the same
 * modules `@pulumi/policy`'s server uses, so `instanceof` checks inside it hold).
 */
import { createRequire } from "node:module";
import type * as AnalyzerPb from "@pulumi/pulumi/proto/analyzer_pb.js";
import type * as AnalyzerGrpcPb from "@pulumi/pulumi/proto/analyzer_grpc_pb.js";
import type { EnforcementLevel } from "@pulumi/policy";
import type { ResourceRecord, ResolvedPolicyConfig, Violation } from "./types.js";

const require = createRequire(import.meta.url);
export const analyzerpb: typeof AnalyzerPb = require("@pulumi/pulumi/proto/analyzer_pb.js");
export const analyzergrpc: typeof AnalyzerGrpcPb = require("@pulumi/pulumi/proto/analyzer_grpc_pb.js");
const fromPulumi = createRequire(require.resolve("@pulumi/pulumi/proto/analyzer_pb.js"));
const structpb: { Struct: { fromJavaScript(value: Record<string, unknown>): unknown } } = fromPulumi("google-protobuf/google/protobuf/struct_pb.js");
export const emptypb: { Empty: new () => unknown } = fromPulumi("google-protobuf/google/protobuf/empty_pb.js");

const LEVEL_TO_PROTO: Record<EnforcementLevel, number> = { advisory: 0, mandatory: 1, disabled: 2, remediate: 3 };
const PROTO_TO_LEVEL: Record<number, EnforcementLevel> = { 0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate" };

/** The URN the engine would give a top-level resource of this stack. */
export function urnOf(resource: ResourceRecord, stack = "check", project = "mcp-fleet"): string {
  return resource.urn ?? `urn:pulumi:${stack}::${project}::${resource.type}::${resource.name}`;
}

/** Drops `undefined` (which a protobuf Struct cannot hold) the way JSON does. */
function plain(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

function options(resource: ResourceRecord): AnalyzerPb.AnalyzerResourceOptions {
  const opts = new analyzerpb.AnalyzerResourceOptions();
  if (resource.parent) opts.setParent(resource.parent);
  return opts;
}

export function analyzeRequest(resource: ResourceRecord): AnalyzerPb.AnalyzeRequest {
  const request = new analyzerpb.AnalyzeRequest();
  request.setType(resource.type);
  request.setName(resource.name);
  request.setUrn(urnOf(resource));
  request.setProperties(structpb.Struct.fromJavaScript(plain(resource.inputs)) as never);
  request.setOptions(options(resource));
  return request;
}

export function analyzeStackRequest(resources: readonly ResourceRecord[]): AnalyzerPb.AnalyzeStackRequest {
  const request = new analyzerpb.AnalyzeStackRequest();
  request.setResourcesList(
    resources.map((resource) => {
      const r = new analyzerpb.AnalyzerResource();
      r.setType(resource.type);
      r.setName(resource.name);
      r.setUrn(urnOf(resource));
      if (resource.parent) r.setParent(resource.parent);
      r.setProperties(structpb.Struct.fromJavaScript(plain(resource.inputs)) as never);
      r.setOptions(options(resource));
      return r;
    }),
  );
  return request;
}

export function configureRequest(config: ReadonlyMap<string, ResolvedPolicyConfig>): AnalyzerPb.ConfigureAnalyzerRequest {
  const request = new analyzerpb.ConfigureAnalyzerRequest();
  const map = request.getPolicyconfigMap();
  for (const [name, { enforcementLevel, properties }] of config) {
    const entry = new analyzerpb.PolicyConfig();
    entry.setEnforcementlevel(LEVEL_TO_PROTO[enforcementLevel] as AnalyzerPb.EnforcementLevel);
    entry.setProperties(structpb.Struct.fromJavaScript(plain(properties)) as never);
    map.set(name, entry);
  }
  return request;
}

/** Reads the violations of an `AnalyzeResponse`. */
export function violationsOf(response: AnalyzerPb.AnalyzeResponse, urn?: string): Violation[] {
  return response.getDiagnosticsList().map((d) => {
    const message = d.getMessage();
    const prefix = `${d.getDescription()}\n`;
    return {
      policyName: d.getPolicyname(),
      enforcementLevel: PROTO_TO_LEVEL[d.getEnforcementlevel()] ?? "advisory",
      message,
      detail: message.startsWith(prefix) ? message.slice(prefix.length) : message,
      urn: d.getUrn() || urn,
    };
  });
}
