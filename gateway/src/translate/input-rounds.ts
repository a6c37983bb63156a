/**
 * A 2026-07-28 caller of a 2025 backend that asks for input mid-call (sampling, elicitation, roots: a
 * server-to-client request). The caller cannot take requests (2026-07-28 has none), so the backend's requests become
 * an `input_required` result and the backend call waits, held by this replica ("parked"):
 *
 * 1. The requests the backend sends within {@link INPUT_WINDOW_MS} of the first one become one round:
 *    `inputRequests` under keys of the gateway (`elicitation-1`, ...), and a `requestState` sealed by the gateway
 *    (request-state.ts). A request for a capability the caller did not declare is refused to the backend; when
 *    that leaves nothing to ask, the caller gets `-32021` naming the capabilities and the backend call is cancelled.
 * 2. The caller's retry (same method and target, `inputResponses`, the `requestState`) reaches any replica. On this
 *    one: each answer goes to the backend request it belongs to, and the retry waits for what the backend does next
 *    (its result, or another round). Keys it did not answer are asked again. Its progress goes on the retry's stream.
 * 3. On another replica: the retry gets a retryable error naming the replica that holds the call (HTTP 503; a
 *    balancer with affinity on the `requestState`, or a plain retry, reaches it). The backend call lives in one
 *    replica's connection (a stdio process, an upstream session), so it cannot move; the gateway does not forward
 *    between replicas.
 *
 * A token that is altered, expired, another caller's, for another request or an earlier round is refused
 * (`-32602`). A call nobody resumes within {@link PARKED_TTL_MS} is cancelled upstream.
 *
 * Keys: a 2025 request has none, so the gateway names them (`elicitation-1`, `sampling-2`, ...), unless the backend
 * names its request with `_meta["dev.mcp-fleet/input-key"]` (a gateway extension, for servers whose 2026-07-28
 * callers expect stable keys).
 */
import type { ClientCall } from "../context.js";
import { callerKey } from "../context.js";
import type { Forwarder } from "../downstream/forwarder.js";
import { ErrorCode, RpcError, isRequest, type JsonRpcMessage } from "../jsonrpc.js";
import type { Logger } from "../observability/logger.js";
import { CAPABILITY_OF_REQUEST, declares, missingCapabilities } from "../protocol/modern.js";
import { Session } from "../session/session.js";
import type { GatewayBackend } from "../upstream/pool.js";
import { callerDigest, type RequestStateSeal } from "./request-state.js";

/** Requests of the backend this close together are asked in one round. */
export const INPUT_WINDOW_MS = 20;
/** A parked call nobody resumes for this long is cancelled. */
export const PARKED_TTL_MS = 10 * 60_000;
/** Calls parked at once on one replica. */
export const MAX_PARKED = 10_000;
/** `_meta` key by which a 2025 backend names the key of its request in `inputRequests`. */
export const INPUT_KEY_META = "dev.mcp-fleet/input-key";
const INPUT_KEY = /^[A-Za-z0-9_.-]{1,64}$/;

type Outcome = { result: unknown } | { error: unknown };

interface Waiting {
  call: ClientCall;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
}

/** A backend request on its way to the caller: the Forwarder's id for it (answers go there), and what it asks. */
interface Question {
  clientId: string | number;
  method: string;
  params: Record<string, unknown> | undefined;
  /** The key the backend named (`dev.mcp-fleet/input-key`). */
  key?: string;
}

class Parked {
  /** Set when the call first waits for input (a fresh call that never asks costs no id). */
  id: string | undefined;
  /** Digest of the caller's key, computed when first needed. */
  caller: string | undefined;
  round = 0;
  private seq = 0;
  current: Waiting | undefined;
  /** Asked of the caller, by key, not answered yet. */
  readonly asked = new Map<string, Question>();
  /** Arrived since the last round. */
  incoming: Question[] = [];
  /** Refused (capability not declared) since the last round. */
  refused: { question: Question; capability: string }[] = [];
  outcome: Outcome | undefined;
  /** Answers the first request carried without a `requestState`, by key (used for requests whose key matches). */
  presupplied: Record<string, unknown> | undefined;
  window: NodeJS.Timeout | undefined;
  expiry: NodeJS.Timeout | undefined;
  relay!: ClientCall;

  constructor(
    readonly backend: GatewayBackend,
    readonly method: string,
    readonly target: string,
    readonly label: string,
  ) {}

  /** The key of a request in `inputRequests`: the one its backend named, when valid and free, else a new one. */
  keyFor(question: Question): string {
    this.seq += 1;
    const named = question.key;
    if (named !== undefined && !this.asked.has(named)) return named;
    return `${CAPABILITY_OF_REQUEST[question.method] ?? "input"}-${this.seq}`;
  }
}

export interface InputRoundsDeps {
  forwarder: Forwarder;
  seal: RequestStateSeal;
  /** This replica's id (in every token it seals). */
  replica: string;
  logger: Logger;
  /** New ids for parked calls. */
  newId: () => string;
}

/**
 * The session of every relay: one that may be asked anything (the backend's requests reach the rounds, which check
 * the caller's envelope). It holds no state of a call.
 */
const RELAY_SESSION = new Session(undefined, { protocolVersion: "2026-07-28", capabilities: { sampling: true, elicitation: true, roots: true }, createdAt: 0 });

export class InputRounds {
  private readonly parked = new Map<string, Parked>();

  constructor(private readonly deps: InputRoundsDeps) {}

  /** Calls waiting for input on this replica. */
  get size(): number {
    return this.parked.size;
  }

  /**
   * A fresh call of a 2026-07-28 caller to a 2025 backend: resolves with what answers this request (the result, or
   * an `input_required` round).
   */
  start(
    call: ClientCall,
    backend: GatewayBackend,
    method: string,
    target: string,
    params: Record<string, unknown>,
    options: { label: string; timeoutMs?: number },
    /** What the request already carries as answers (a fresh call: matched by the key the backend names). */
    given?: unknown,
  ): Promise<unknown> {
    const parked = new Parked(backend, method, target, options.label);
    if (typeof given === "object" && given !== null && !Array.isArray(given)) parked.presupplied = given as Record<string, unknown>;
    parked.relay = { ctx: call.ctx, session: RELAY_SESSION, clientId: call.clientId, forward: (message) => this.fromBackend(parked, message) };
    const answer = this.attach(parked, call);
    const callOptions = { label: options.label, context: parked.relay, onProgress: (n: JsonRpcMessage) => parked.current?.call.forward(n) } as Parameters<GatewayBackend["request"]>[2];
    if (options.timeoutMs !== undefined) callOptions.timeoutMs = options.timeoutMs;
    backend.request(method, params, callOptions).then(
      (result) => this.settle(parked, { result }),
      (error: unknown) => this.settle(parked, { error }),
    );
    return answer;
  }

  /** A retry carrying our `requestState`: resolves with what answers it. */
  resume(call: ClientCall, method: string, target: string, requestState: unknown, inputResponses: unknown): Promise<unknown> {
    const opened = this.deps.seal.open(requestState);
    if ("problem" in opened) {
      return refuse(opened.problem === "expired" ? "requestState has expired; send the request again without requestState and inputResponses" : "requestState is not one this gateway issued, or it was altered");
    }
    const claims = opened.claims;
    if (claims.caller !== callerDigest(callerKey(call.ctx.caller))) return refuse("requestState was issued to another caller");
    if (claims.method !== method || claims.target !== target) {
      return refuse(`requestState belongs to ${claims.method} ${JSON.stringify(claims.target)}, not to this ${method} ${JSON.stringify(target)}`);
    }
    if (claims.replica !== this.deps.replica) {
      return Promise.reject(
        new RpcError(
          ErrorCode.InternalError,
          `This call waits for its input on gateway replica "${claims.replica}", not on this one ("${this.deps.replica}"); send the same retry again (it must reach that replica: give your load balancer affinity on requestState, or retry), or start over without requestState`,
          { retryable: true, replica: claims.replica },
        ),
      );
    }
    const parked = this.parked.get(claims.call);
    if (parked === undefined) return refuse("the call this requestState belongs to is no longer waiting (it ended, expired or was cancelled); send the request again without requestState");
    if (claims.round !== parked.round) return refuse("requestState is from an earlier round of this call; retry with the requestState of the latest input_required result");
    if (parked.current !== undefined) return refuse("this call is already being resumed by another request");
    if (inputResponses !== undefined && (typeof inputResponses !== "object" || inputResponses === null || Array.isArray(inputResponses))) {
      return refuse("inputResponses must be an object: the client's result for each key of inputRequests");
    }
    const responses = (inputResponses ?? {}) as Record<string, unknown>;
    for (const key of parked.asked.keys()) {
      const answer = responses[key];
      if (answer !== undefined && (typeof answer !== "object" || answer === null || Array.isArray(answer))) {
        return refuse(`inputResponses.${key} must be an object (the client's result for that request)`);
      }
    }
    const result = this.attach(parked, call);
    for (const [key, question] of parked.asked) {
      const answer = responses[key];
      if (answer === undefined) continue;
      parked.asked.delete(key);
      this.deps.forwarder.onClientResponse(parked.relay.session, { jsonrpc: "2.0", id: question.clientId, result: answer });
    }
    // Keys left unanswered are asked again at once; otherwise the backend goes on.
    if (parked.outcome === undefined && parked.asked.size > 0) this.flush(parked);
    return result;
  }

  private attach(parked: Parked, call: ClientCall): Promise<unknown> {
    if (parked.expiry !== undefined) clearTimeout(parked.expiry);
    parked.expiry = undefined;
    if (parked.relay !== undefined) parked.relay.waitingForInput = false;
    const answer = new Promise<unknown>((resolve, reject) => (parked.current = { call, resolve, reject }));
    call.cancel = (reason) => this.cancel(parked, call, reason);
    if (parked.outcome !== undefined) this.deliver(parked, parked.outcome);
    else if (parked.incoming.length > 0 || parked.refused.length > 0) this.schedule(parked);
    return answer;
  }

  /** A message of the backend about this call (the Forwarder hands it to the call's relay). */
  private fromBackend(parked: Parked, message: JsonRpcMessage): void {
    if (!isRequest(message)) {
      // Related notifications (logs of the call): on the current request's stream, if one is waiting.
      parked.current?.call.forward(message);
      return;
    }
    const question = questionOf(message.id, message.method, message.params);
    const capability = CAPABILITY_OF_REQUEST[message.method];
    const envelope = parked.relay.ctx.modern;
    if (capability === undefined) {
      this.answerBackend(parked, question, { code: ErrorCode.MethodNotFound, message: `A 2026-07-28 client cannot be asked ${message.method}` });
      return;
    }
    const given = question.key === undefined ? undefined : parked.presupplied?.[question.key];
    if (envelope === undefined || !declares(envelope, capability)) parked.refused.push({ question, capability });
    else if (typeof given === "object" && given !== null && !Array.isArray(given)) {
      // The caller sent this answer with its request already (under the key the backend named): no round needed.
      delete parked.presupplied![question.key!];
      this.deps.forwarder.onClientResponse(parked.relay.session, { jsonrpc: "2.0", id: question.clientId, result: given });
      return;
    } else parked.incoming.push(question);
    if (parked.current !== undefined) this.schedule(parked);
  }

  private schedule(parked: Parked): void {
    if (parked.window !== undefined) return;
    parked.window = setTimeout(() => {
      parked.window = undefined;
      this.flush(parked);
    }, INPUT_WINDOW_MS);
    parked.window.unref();
  }

  /** Ends a round: what the backend asked goes to the caller as `input_required` (or `-32021`). */
  private flush(parked: Parked): void {
    if (parked.window !== undefined) clearTimeout(parked.window);
    parked.window = undefined;
    const waiting = parked.current;
    if (waiting === undefined || parked.outcome !== undefined) return;
    const refused = parked.refused;
    parked.refused = [];
    for (const question of parked.incoming) parked.asked.set(parked.keyFor(question), question);
    parked.incoming = [];
    for (const { question, capability } of refused) {
      this.answerBackend(parked, question, { code: ErrorCode.MethodNotFound, message: `The client does not support ${question.method} (no "${capability}" capability declared for this request)` });
    }
    if (parked.asked.size === 0) {
      if (refused.length === 0) return;
      const names = [...new Set(refused.map((r) => r.capability))];
      const refusal = missingCapabilities(names, `server "${parked.backend.name}" asked for ${[...new Set(refused.map((r) => r.question.method))].join(", ")} during ${parked.label}`);
      parked.current = undefined;
      this.drop(parked);
      parked.backend.cancel(parked.relay, "the client lacks a capability the call needs");
      waiting.reject(new RpcError(refusal.code, refusal.message, refusal.data));
      return;
    }
    if (parked.id === undefined) {
      if (this.parked.size >= MAX_PARKED) {
        parked.current = undefined;
        this.drop(parked);
        parked.backend.cancel(parked.relay, "too many calls wait for input on this replica");
        waiting.reject(new RpcError(ErrorCode.InternalError, `This gateway replica holds ${MAX_PARKED} calls waiting for input, its maximum; retry later`));
        return;
      }
      parked.id = this.deps.newId();
      parked.caller = callerDigest(callerKey(parked.relay.ctx.caller));
      this.parked.set(parked.id, parked);
    }
    parked.round += 1;
    const inputRequests: Record<string, { method: string; params?: Record<string, unknown> }> = {};
    for (const [key, question] of parked.asked) inputRequests[key] = question.params === undefined ? { method: question.method } : { method: question.method, params: question.params };
    const requestState = this.deps.seal.seal({
      replica: this.deps.replica,
      call: parked.id,
      round: parked.round,
      caller: parked.caller!,
      method: parked.method,
      target: parked.target,
      expiresAt: Date.now() + PARKED_TTL_MS,
    });
    parked.current = undefined;
    parked.relay.waitingForInput = true;
    parked.expiry = setTimeout(() => this.expire(parked), PARKED_TTL_MS);
    parked.expiry.unref();
    waiting.resolve({ resultType: "input_required", inputRequests, requestState });
  }

  private answerBackend(parked: Parked, question: Question, error: { code: number; message: string }): void {
    this.deps.forwarder.onClientResponse(parked.relay.session, { jsonrpc: "2.0", id: question.clientId, error });
  }

  /** The backend answered the call. */
  private settle(parked: Parked, outcome: Outcome): void {
    if (parked.outcome !== undefined) return;
    parked.outcome = outcome;
    if (parked.current !== undefined) this.deliver(parked, outcome);
  }

  private deliver(parked: Parked, outcome: Outcome): void {
    const waiting = parked.current!;
    parked.current = undefined;
    this.drop(parked);
    if ("result" in outcome) waiting.resolve(outcome.result);
    else waiting.reject(outcome.error);
  }

  /** The caller of the current round went away (closed its stream) before it was answered: the call ends. */
  private cancel(parked: Parked, call: ClientCall, reason: string | undefined): void {
    if (parked.current?.call !== call) return;
    parked.current = undefined;
    this.drop(parked);
    parked.backend.cancel(parked.relay, reason);
  }

  private expire(parked: Parked): void {
    if (parked.current !== undefined || parked.id === undefined || !this.parked.has(parked.id)) return;
    this.drop(parked);
    this.deps.logger.info({ server: parked.backend.name, call: parked.label }, `nobody resumed a call waiting for input within ${PARKED_TTL_MS / 1000} s; cancelled`);
    parked.backend.cancel(parked.relay, "the client did not provide the input in time");
  }

  private drop(parked: Parked): void {
    if (parked.window !== undefined) clearTimeout(parked.window);
    if (parked.expiry !== undefined) clearTimeout(parked.expiry);
    parked.window = parked.expiry = undefined;
    if (parked.id !== undefined) this.parked.delete(parked.id);
    // Questions the caller will never answer now: the backend hears it (its requests do not hang).
    for (const question of [...parked.asked.values(), ...parked.incoming]) {
      this.answerBackend(parked, question, { code: ErrorCode.InternalError, message: "The call ended before the client answered" });
    }
    parked.asked.clear();
    parked.incoming = [];
  }
}

/** A backend's request as a question for the caller: its key hint taken out of `_meta`. */
function questionOf(clientId: string | number, method: string, params: Record<string, unknown> | undefined): Question {
  const meta = params?._meta as Record<string, unknown> | undefined;
  const key = meta?.[INPUT_KEY_META];
  if (key === undefined) return { clientId, method, params };
  const { [INPUT_KEY_META]: _hint, ...rest } = meta!;
  const { _meta: _dropped, ...bare } = params!;
  const question: Question = { clientId, method, params: Object.keys(rest).length === 0 ? bare : { ...bare, _meta: rest } };
  if (typeof key === "string" && INPUT_KEY.test(key)) question.key = key;
  return question;
}

function refuse(why: string): Promise<never> {
  return Promise.reject(new RpcError(ErrorCode.InvalidParams, `Invalid requestState: ${why}`, { reason: "invalid_request_state" }));
}
