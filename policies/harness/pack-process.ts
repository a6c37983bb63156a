/**
 * The pack run the way the Pulumi CLI runs it: `@pulumi/pulumi`'s policy host (`cmd/run-policy-pack`) loads the
 * pack directory in a child process, the pack's gRPC analyzer prints its port, and the engine speaks the analyzer
 * protocol to it: `GetAnalyzerInfo`, `Configure` (with the pack config resolved against the policies the analyzer
 * reports), then `Analyze` per resource and `AnalyzeStack` once.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import type { EnforcementLevel } from "@pulumi/policy";
import type * as AnalyzerPb from "@pulumi/pulumi/proto/analyzer_pb.js";
import type * as Grpc from "@grpc/grpc-js";
import { PACK_DIR, resolvePackConfig, type PolicyShape } from "./config.js";
import { analyzergrpc, analyzeRequest, analyzeStackRequest, configureRequest, emptypb, urnOf, violationsOf } from "./proto.js";
import type { Analyzer, PackConfig, ResourceRecord, Violation } from "./types.js";

const require = createRequire(import.meta.url);
const fromPulumi = createRequire(require.resolve("@pulumi/pulumi/proto/analyzer_grpc_pb.js"));
const grpc: typeof Grpc = fromPulumi("@grpc/grpc-js");
const RUN_POLICY_PACK = require.resolve("@pulumi/pulumi/cmd/run-policy-pack/index.js");
const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "disabled", "remediate"];

export interface PackProcessOptions {
  /** @default the `policies/` directory */
  packDir?: string;
  /** Pack config, as in `--policy-pack-config`. @default {} */
  config?: PackConfig;
  /** How long the pack may take to print its port. @default 30000 */
  startTimeoutMs?: number;
}

export interface AnalyzerInfoSummary {
  name: string;
  version: string;
  policies: Array<{ name: string; enforcementLevel: EnforcementLevel }>;
}

export interface PackProcess extends Analyzer {
  info: AnalyzerInfoSummary;
  pid: number;
}

type Unary<Req, Res> = (request: Req, callback: (error: Error | null, response: Res) => void) => unknown;
function rpc<Req, Res>(method: Unary<Req, Res>, request: Req): Promise<Res> {
  return new Promise((resolve, reject) => method(request, (error, response) => (error ? reject(error) : resolve(response))));
}

function waitForPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`The policy pack did not start: ${why}\n${stderr.trim()}`));
    };
    const timer = setTimeout(() => fail(`no port printed within ${timeoutMs} ms`), timeoutMs);
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^(\d+)\s*$/m.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once("exit", (code) => fail(`it exited with code ${String(code)}`));
  });
}

/** Starts the pack in a child process and configures it. Call `close()` to stop it. */
export async function startPackProcess(options: PackProcessOptions = {}): Promise<PackProcess> {
  const packDir = options.packDir ?? PACK_DIR;
  const child = spawn(process.execPath, [RUN_POLICY_PACK, "127.0.0.1:0", packDir], { cwd: packDir, stdio: ["ignore", "pipe", "pipe"] });
  const killChild = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  process.once("exit", killChild);
  let client: InstanceType<typeof analyzergrpc.AnalyzerClient> | undefined;
  try {
    const port = await waitForPort(child, options.startTimeoutMs ?? 30_000);
    const c = new analyzergrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    client = c;
    const info = await rpc<never, AnalyzerPb.AnalyzerInfo>(c.getAnalyzerInfo.bind(c) as never, new emptypb.Empty() as never);
    const policies: PolicyShape[] = info.getPoliciesList().map((p) => {
      const schema = p.getConfigschema();
      return {
        name: p.getName(),
        enforcementLevel: LEVELS[p.getEnforcementlevel()] ?? "advisory",
        configSchema: schema ? { properties: (schema.getProperties()?.toJavaScript() ?? {}) as never } : undefined,
      };
    });
    await rpc(c.configure.bind(c), configureRequest(resolvePackConfig(policies, options.config ?? {})));
    return {
      pid: child.pid!,
      info: { name: info.getName(), version: info.getVersion(), policies: policies.map((p) => ({ name: p.name, enforcementLevel: p.enforcementLevel! })) },
      async analyze(resource: ResourceRecord): Promise<Violation[]> {
        return violationsOf(await rpc(c.analyze.bind(c), analyzeRequest(resource)), urnOf(resource));
      },
      async analyzeStack(resources: readonly ResourceRecord[]): Promise<Violation[]> {
        return violationsOf(await rpc(c.analyzeStack.bind(c), analyzeStackRequest(resources)));
      },
      async close() {
        c.close();
        killChild();
        process.removeListener("exit", killChild);
      },
    };
  } catch (error) {
    client?.close();
    killChild();
    process.removeListener("exit", killChild);
    throw error;
  }
}
