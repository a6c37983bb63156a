/**
 * The steps between a front and the routes, in two stages:
 *
 * - **admission**, once per HTTP request to the MCP endpoint, before its body is read as MCP: who may reach the
 *   endpoint at all (Host/Origin today; authentication sets the caller's identity). A refusal is an HTTP answer.
 * - **per request**, for each JSON-RPC request once its route resolved its subject (the tool, prompt, resource or
 *   task it is about): what this caller may do with that subject (access rules, rate limits). A refusal is the
 *   request's JSON-RPC error.
 *
 * A step may answer asynchronously (a shared store); the chain stays synchronous while every step does.
 */
import type { Caller, ClientCall, Subject } from "../context.js";
import type { H1Request } from "../http/h1/server.js";
import type { JsonRpcRequest, RpcError } from "../jsonrpc.js";

/** An HTTP answer that refuses a request at admission. */
export interface Refusal {
  status: number;
  /** JSON-RPC error code and message of the body (`{"jsonrpc":"2.0","id":null,"error":...}`). */
  code: number;
  message: string;
  headers?: Record<string, string>;
}

export interface AdmissionStep {
  readonly name: string;
  /** `undefined` admits (and may set `caller.principal`); a {@link Refusal} is answered as is. */
  admit(req: H1Request, caller: Caller): Refusal | undefined | Promise<Refusal | undefined>;
}

export interface RequestStep {
  readonly name: string;
  /** `undefined` lets the request through to its route; an error answers it instead. */
  check(call: ClientCall, request: JsonRpcRequest, subject: Subject): RpcError | undefined | Promise<RpcError | undefined>;
}

type Maybe<T> = T | undefined | Promise<T | undefined>;

/** Runs checks in order until one answers; synchronous while every check is. */
function chain<T, S>(steps: readonly S[], run: (step: S) => Maybe<T>, from = 0): Maybe<T> {
  for (let i = from; i < steps.length; i++) {
    const answer = run(steps[i]!);
    if (answer instanceof Promise) return answer.then((a) => (a !== undefined ? a : chain(steps, run, i + 1)));
    if (answer !== undefined) return answer;
  }
  return undefined;
}

export class Steps {
  constructor(
    private readonly admission: readonly AdmissionStep[],
    private readonly perRequest: readonly RequestStep[],
  ) {}

  admit(req: H1Request, caller: Caller): Maybe<Refusal> {
    return chain(this.admission, (step) => step.admit(req, caller));
  }

  check(call: ClientCall, request: JsonRpcRequest, subject: Subject): Maybe<RpcError> {
    return this.perRequest.length === 0 ? undefined : chain(this.perRequest, (step) => step.check(call, request, subject));
  }
}
