/**
 * Runs a Pulumi program under `pulumi.runtime.setMocks` and returns every resource it registered, with its inputs.
 * No Pulumi CLI, no provider, no cloud: what `mcp-fleet plan` prints, what the tests assert on and what the policy
 * pack checks offline (`mcp-fleet check`).
 *
 * Secret values never leave this module: inputs are read from the wire form the SDK sends to the (mock) engine,
 * where a secret is still marked, and every secret is replaced by {@link SECRET_MASK}.
 */
import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings.js";
import * as stackRuntime from "@pulumi/pulumi/runtime/stack.js";
import * as rpc from "@pulumi/pulumi/runtime/rpc.js";

/** What a secret value is replaced with in recorded inputs. */
export const SECRET_MASK = "[secret]";

/** What an unknown value (a preview's not-yet-computed output) is shown as. */
export const UNKNOWN_MASK = "[unknown]";

export interface RegisteredResource {
  /** Resource type token, e.g. `kubernetes:apps/v1:Deployment`. */
  type: string;
  /** Logical (Pulumi) name. */
  name: string;
  urn: string;
  /** URN of the parent; undefined for the stack itself. */
  parent?: string;
  /** true for custom (provider) resources, false for components and the stack. */
  custom: boolean;
  /** Inputs as sent to the engine, secrets masked. */
  inputs: Record<string, unknown>;
  /** Dotted paths of the inputs that were secret (`stringData.MCP_FLEET_SESSION_SECRET`). */
  secretPaths: string[];
}

export interface RunUnderMocksOptions {
  /** The program: creates resources, may return stack outputs. */
  program: () => unknown;
  /** @default "mcp-fleet" */
  project?: string;
  /** @default "dev" */
  stack?: string;
  /** Stack config, `<namespace>:<key>` to string value (objects JSON-encoded, as the CLI does). @default {} */
  config?: Record<string, string>;
  /** Keys of `config` that are secrets. @default [] */
  secretKeys?: string[];
  /** Run as a preview (unknown outputs stay unknown). @default false */
  preview?: boolean;
}

export interface RunResult {
  resources: RegisteredResource[];
  /** The stack's outputs, secrets masked. */
  outputs: Record<string, unknown>;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `program` under mocks. Runs are serialized (Pulumi's runtime state is global to the process). Throws when the
 * program throws, or when two resources would get the same URN (what the engine would reject).
 */
export function runUnderMocks(options: RunUnderMocksOptions): Promise<RunResult> {
  const run = queue.then(() => runOnce(options));
  queue = run.catch(() => undefined);
  return run;
}

async function runOnce(options: RunUnderMocksOptions): Promise<RunResult> {
  const project = options.project ?? "mcp-fleet";
  const stack = options.stack ?? "dev";
  const resources: RegisteredResource[] = [];
  await pulumi.runtime.setMocks(
    {
      // Outputs: AWS resources get their inputs and the ARN every policy document refers to; other providers'
      // resources echo their inputs; Kubernetes objects return none (the program never reads them, and echoing
      // thousands of manifests back through the SDK costs a fifth of a large plan).
      newResource: (args) => ({
        id: `${args.name}-id`,
        state: args.type.startsWith("aws:")
          ? { ...args.inputs, arn: `arn:aws:mock:::${args.type.split(":")[1]}/${args.name}` }
          : args.type.startsWith("kubernetes:")
            ? {}
            : args.inputs,
      }),
      call: (args) => args.inputs,
    },
    project,
    stack,
    options.preview ?? false,
  );
  pulumi.runtime.setAllConfig(options.config ?? {}, options.secretKeys ?? []);
  const monitor = settings.getMonitor() as unknown as {
    registerResource: (req: RegisterRequest, cb: unknown) => unknown;
  };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    const secretPaths: string[] = [];
    const urn = newUrn(project, stack, req.getParent(), req.getType(), req.getName());
    resources.push({
      type: req.getType(),
      name: req.getName(),
      urn,
      ...(req.getParent() !== "" ? { parent: req.getParent() } : {}),
      custom: req.getCustom(),
      inputs: mask(req.getObject().toJavaScript(), "", secretPaths) as Record<string, unknown>,
      secretPaths,
    });
    return original(req, cb);
  };

  // Stack traces are taken for every resource and promise; with source maps on (tsx) that dominates the run.
  const sourceMaps = process.sourceMapsEnabled;
  const limit = Error.stackTraceLimit;
  process.setSourceMapsEnabled(false);
  Error.stackTraceLimit = 0;
  let outputs: Record<string, unknown>;
  try {
    // A program error is caught inside the stack and rethrown after the RPCs drain: a rejected Stack resource
    // would surface as an unhandled rejection besides the error itself.
    let programError: unknown;
    const raw = await stackRuntime.runInPulumiStack(async () => {
      try {
        return (await options.program()) as Record<string, unknown> | undefined;
      } catch (error) {
        programError = error ?? new Error("the program threw undefined");
        return {};
      }
    });
    await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    if (programError !== undefined) throw programError;
    outputs = mask(await rpc.serializeProperties("outputs", raw ?? {}), "", []) as Record<string, unknown>;
  } finally {
    process.setSourceMapsEnabled(sourceMaps);
    Error.stackTraceLimit = limit;
  }
  const seen = new Set<string>();
  for (const r of resources) {
    if (seen.has(r.urn)) throw new Error(`Two resources have the URN ${r.urn}: give each a unique name (derive child names from the component's name).`);
    seen.add(r.urn);
  }
  return { resources, outputs };
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): { toJavaScript(): unknown };
}

function newUrn(project: string, stack: string, parent: string, type: string, name: string): string {
  let parentType = "";
  if (parent !== "") {
    // As the mock monitor does: the parent's own type (last segment of its qualified type).
    const qualified = parent.split("::")[2] ?? "";
    parentType = `${qualified.split("$").pop()}$`;
  }
  return `urn:pulumi:${stack}::${project}::${parentType}${type}::${name}`;
}

/** Copies a wire-form value, replacing secrets with the mask and unwrapping the SDK's special objects. */
function mask(value: unknown, path: string, secretPaths: string[]): unknown {
  if (value === rpc.unknownValue) return UNKNOWN_MASK;
  if (Array.isArray(value)) return value.map((v, i) => mask(v, `${path}[${i}]`, secretPaths));
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  const sig = obj[rpc.specialSigKey];
  if (sig === rpc.specialSecretSig) {
    secretPaths.push(path);
    return SECRET_MASK;
  }
  if (sig === rpc.specialResourceSig) return { urn: obj.urn, ...(obj.id !== undefined ? { id: obj.id } : {}) };
  if (sig === rpc.specialOutputValueSig) {
    if (obj.secret === true) {
      secretPaths.push(path);
      return SECRET_MASK;
    }
    return "value" in obj ? mask(obj.value, path, secretPaths) : undefined;
  }
  if (sig !== undefined) return `[${String(sig) === rpc.specialAssetSig ? "asset" : "archive"}]`;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = mask(v, path === "" ? k : `${path}.${k}`, secretPaths);
  return out;
}
