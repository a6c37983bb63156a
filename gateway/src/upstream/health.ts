/**
 * Active health checks of one endpoint, as the server's `healthCheck` says: every `intervalMs`, the check of its
 * kind (MCP `ping`, or `server/discover` for 2026-07-28 backends) within `timeoutMs`; `failureThreshold`
 * consecutive failures open the endpoint's circuit. The kinds are a registry: a new kind of backend registers its
 * check with {@link registerHealthCheck}.
 */
import type { Backend } from "./backend.js";
import type { Breaker } from "./breaker.js";

/** Resolves when the backend answered the check; rejects with the reason otherwise. */
export type HealthCheck = (backend: Backend<unknown>, timeoutMs: number) => Promise<void>;

const checks = new Map<string, HealthCheck>([
  // 2026-07-28 removed `ping`: a backend that speaks it is asked `server/discover` instead.
  ["ping", async (backend, timeoutMs) => void (await (backend.modern ? backend.request("server/discover", {}, { label: "server/discover (health check)", timeoutMs }) : backend.request("ping", undefined, { label: "ping (health check)", timeoutMs })))],
  ["server/discover", async (backend, timeoutMs) => void (await backend.request("server/discover", {}, { label: "server/discover (health check)", timeoutMs }))],
  // Passive detection only: an endpoint is healthy when its connection is up.
  ["none", async (backend) => {
    if (backend.state !== "up") throw new Error(`the connection is ${backend.state}`);
  }],
]);

export function registerHealthCheck(kind: string, check: HealthCheck): void {
  checks.set(kind, check);
}

export function healthCheck(kind: string): HealthCheck {
  const check = checks.get(kind);
  if (check === undefined) throw new Error(`no health check of kind "${kind}" (known: ${[...checks.keys()].join(", ")})`);
  return check;
}

export interface HealthSettings {
  kind: string;
  intervalMs: number;
  timeoutMs: number;
  failureThreshold: number;
}

export class HealthChecker {
  private readonly check: HealthCheck;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private running = false;

  constructor(
    private readonly backend: Backend<unknown>,
    private readonly breaker: Breaker,
    private readonly settings: HealthSettings,
  ) {
    this.check = healthCheck(settings.kind);
  }

  /** Resolves true when the endpoint passes one check now (the breaker's half-open probe). */
  async probe(): Promise<boolean> {
    if (this.backend.state !== "up") return false;
    try {
      await this.check(this.backend, this.settings.timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  start(): void {
    if (this.settings.kind === "none" || this.timer !== undefined) return;
    this.timer = setInterval(() => void this.tick(), this.settings.intervalMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    // Only a closed circuit of a connected endpoint is checked: an open one probes on its own timer, and a
    // connection that is down is the backend's restart logic's business.
    if (this.running || this.backend.state !== "up" || this.breaker.state !== "closed") return;
    this.running = true;
    try {
      await this.check(this.backend, this.settings.timeoutMs);
      this.failures = 0;
    } catch (error) {
      this.failures += 1;
      if (this.failures >= this.settings.failureThreshold) {
        this.failures = 0;
        this.breaker.trip(`${this.settings.failureThreshold} failed health checks (${this.settings.kind}), the last: ${(error as Error).message}`);
      }
    } finally {
      this.running = false;
    }
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
