/**
 * The pack evaluated in this process through `@pulumi/policy`'s own analyzer dispatch (`makeAnalyzeRpcFun`,
 * `makeAnalyzeStackRpcFun` from its server module): the same enforcement-level handling, message format and
 * not-applicable logic as the gRPC server the Pulumi CLI talks to, without starting that server (which never exits).
 *
 * The SDK keeps the pack config the CLI sends (`Configure`) in a module variable this process cannot set, so the
 * resolved config is applied the way it would land: each policy's level on the policy, its properties behind
 * `args.getConfig()`.
 */
import { createRequire } from "node:module";
import type { Policy, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { resolvePackConfig } from "./config.js";
import { analyzeRequest, analyzeStackRequest, urnOf, violationsOf } from "./proto.js";
import type { Analyzer, PackConfig, ResourceRecord, Violation } from "./types.js";

type RpcFun = (call: { request: unknown }, callback: (error: unknown, response: unknown) => void) => Promise<void>;
interface PolicyServer {
  makeAnalyzeRpcFun(name: string, version: string, level: string, policies: Policy[]): RpcFun;
  makeAnalyzeStackRpcFun(name: string, version: string, level: string, policies: Policy[]): RpcFun;
}
const server: PolicyServer = createRequire(import.meta.url)("@pulumi/policy/server.js");

export interface InProcessOptions {
  /** Pack config, as in `--policy-pack-config`. @default {} */
  config?: PackConfig;
  /** Where the config came from, for error messages. @default "policy pack config" */
  configSource?: string;
  /** @default "mcp-fleet" */
  packName?: string;
  /** @default "0.1.0" */
  packVersion?: string;
}

function withConfig<F extends (args: never, report: never) => unknown>(fn: F, properties: Record<string, unknown>): F {
  const wrapped = ((args: ResourceValidationArgs | StackValidationArgs, report: unknown) =>
    fn({ ...args, getConfig: () => ({ ...properties }) } as never, report as never)) as unknown as F;
  const type = (fn as unknown as { __pulumiType?: string }).__pulumiType;
  if (type !== undefined) (wrapped as unknown as { __pulumiType: string }).__pulumiType = type;
  return wrapped;
}

/** The policies with the resolved config applied (levels on the policies, properties behind `getConfig`). */
export function configuredPolicies(policies: readonly Policy[], config: PackConfig = {}, source?: string): Policy[] {
  const resolved = resolvePackConfig(policies, config, source);
  return policies.map((policy) => {
    const { enforcementLevel, properties } = resolved.get(policy.name)!;
    const p = { ...policy, enforcementLevel } as Policy & { validateResource?: unknown; validateStack?: unknown };
    if (typeof p.validateResource === "function") p.validateResource = withConfig(p.validateResource as never, properties);
    if (Array.isArray(p.validateResource)) p.validateResource = p.validateResource.map((fn) => withConfig(fn as never, properties));
    if (typeof p.validateStack === "function") p.validateStack = withConfig(p.validateStack as never, properties);
    return p;
  });
}

function call(fun: RpcFun, request: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    void fun({ request }, (error, response) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(response)));
  });
}

export function createInProcessAnalyzer(policies: readonly Policy[], options: InProcessOptions = {}): Analyzer {
  const configured = configuredPolicies(policies, options.config, options.configSource);
  const name = options.packName ?? "mcp-fleet";
  const version = options.packVersion ?? "0.1.0";
  const analyzeFun = server.makeAnalyzeRpcFun(name, version, "advisory", configured);
  const stackFun = server.makeAnalyzeStackRpcFun(name, version, "advisory", configured);
  return {
    async analyze(resource: ResourceRecord): Promise<Violation[]> {
      return violationsOf((await call(analyzeFun, analyzeRequest(resource))) as never, urnOf(resource));
    },
    async analyzeStack(resources: readonly ResourceRecord[]): Promise<Violation[]> {
      return violationsOf((await call(stackFun, analyzeStackRequest(resources))) as never);
    },
    async close() {},
  };
}
