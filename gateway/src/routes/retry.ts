/**
 * When a failed call may be sent again, and how many retries a server may get.
 *
 * A call that provably never reached a backend (not connected, connection refused, every circuit open, refused by
 * a draining adapter) may go to another endpoint whatever it is. A call that reached one and failed there without
 * an answer (the connection was lost mid-call) is sent again only when it is safe to repeat: reads, prompts,
 * completions, and tools annotated `readOnlyHint` or `idempotentHint`. An answer of the backend (even an error) and
 * a timeout are never retried, and no retry goes past the call's deadline (its `timeoutMs` from the first attempt).
 * Retries need another endpoint to go to: a server with one endpoint is not retried.
 *
 * The budget bounds the extra load retries add: each call deposits `budgetRatio` of a token, each retry takes one
 * (up to `budgetBurst` saved), so retries stay near `budgetRatio` of the calls however many fail.
 */
import { ErrorCode, RpcError } from "../jsonrpc.js";
import { NotSentError } from "../upstream/backend.js";

/** Methods whose repetition changes nothing. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(["resources/read", "prompts/get", "completion/complete", "resources/templates/list", "resources/list", "tools/list", "prompts/list"]);

/** A retry needs this much of the deadline left, else the caller gets the failure now. */
export const MIN_RETRY_MS = 50;

/** Is this failure worth another attempt, for a call that is (`safe`) or is not safe to repeat? */
export function retryable(error: unknown, safe: boolean): boolean {
  if (error instanceof NotSentError) return true;
  return safe && error instanceof RpcError && error.code === ErrorCode.BackendUnavailable && error.message.includes(" failed during ");
}

export class RetryBudget {
  private tokens: number;

  constructor(
    private readonly ratio: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  /** A call was made. */
  deposit(): void {
    if (this.tokens < this.burst) this.tokens = Math.min(this.burst, this.tokens + this.ratio);
  }

  /** Takes one retry from the budget; false when it is spent. */
  withdraw(): boolean {
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
