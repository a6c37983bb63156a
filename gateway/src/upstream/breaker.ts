/**
 * The circuit breaker of one endpoint: closed (calls flow), open (no call goes there; a timer runs), half-open
 * (one probe decides: it closes the circuit, or opens it again for twice as long, up to `maxOpenMs`).
 *
 * It opens on `failureThreshold` consecutive failed calls (timeouts, lost connections: passive outlier
 * detection) or when the active health check says so ({@link Breaker.trip}). The probe is the endpoint's health
 * check, sent by the breaker itself, so no client call is risked on an endpoint that may still be broken.
 */
import type { CIRCUIT_STATES } from "../observability/metrics-contract.js";

export type CircuitState = keyof typeof CIRCUIT_STATES;

export interface BreakerSettings {
  enabled: boolean;
  failureThreshold: number;
  openMs: number;
  maxOpenMs: number;
}

export class Breaker {
  state: CircuitState = "closed";
  /** When an open circuit next probes (ms since the epoch). */
  retryAt = 0;
  /** Why it opened last. */
  cause = "";
  private failures = 0;
  private openForMs: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly settings: BreakerSettings,
    /** The half-open probe: resolves true when the endpoint answered. */
    private readonly probe: () => Promise<boolean>,
    private readonly onChange: (breaker: Breaker) => void,
  ) {
    this.openForMs = settings.openMs;
  }

  /** May a call go to this endpoint now? */
  get allows(): boolean {
    return this.state === "closed";
  }

  /** A call was answered (even with the backend's own error). */
  success(): void {
    if (this.failures !== 0) this.failures = 0;
  }

  /** A call timed out or its connection was lost. */
  failure(cause: string): void {
    if (!this.settings.enabled || this.state !== "closed") return;
    this.failures += 1;
    if (this.failures >= this.settings.failureThreshold) this.trip(`${this.failures} consecutive failed calls, the last: ${cause}`);
  }

  /** Opens the circuit now (a failed health check, or too many failed calls). */
  trip(cause: string): void {
    if (!this.settings.enabled || this.stopped) return;
    this.clearTimer();
    this.cause = cause;
    this.failures = 0;
    this.retryAt = Date.now() + this.openForMs;
    this.timer = setTimeout(() => this.halfOpen(), this.openForMs);
    this.timer.unref();
    this.set("open");
  }

  /** The endpoint reconnected (a fresh handshake): an open circuit probes now instead of waiting. */
  reconnected(): void {
    if (this.state === "open") this.halfOpen();
  }

  private halfOpen(): void {
    this.clearTimer();
    if (this.stopped) return;
    this.set("half_open");
    this.probe().then(
      (ok) => this.probed(ok),
      () => this.probed(false),
    );
  }

  private probed(ok: boolean): void {
    if (this.stopped || this.state !== "half_open") return;
    if (ok) {
      this.openForMs = this.settings.openMs;
      this.failures = 0;
      this.set("closed");
      return;
    }
    this.openForMs = Math.min(this.openForMs * 2, this.settings.maxOpenMs);
    this.trip(this.cause);
  }

  private set(state: CircuitState): void {
    if (this.state === state) return;
    this.state = state;
    this.onChange(this);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }
}
