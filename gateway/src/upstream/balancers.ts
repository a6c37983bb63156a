/**
 * Balancing strategies: how a call picks one of the endpoints that may serve it (connected, circuit closed, not
 * draining, on the call's side of a canary split).
 * - `least-outstanding` (default): power of two choices: two endpoints at random, the one with fewer requests in
 *   flight (a slow or stuck endpoint gets fewer calls, without the herd a global minimum would cause).
 * - `round-robin`: each in turn.
 * - `weighted`: at random in proportion to each endpoint's `weight` (0: only when no other can serve).
 */
import type { BackendConfig } from "../config.js";
import type { Balancer } from "./endpoints.js";

export const leastOutstanding: Balancer = {
  pick(candidates) {
    const n = candidates.length;
    if (n === 1) return candidates[0]!;
    const a = candidates[Math.floor(Math.random() * n)]!;
    let b = candidates[Math.floor(Math.random() * (n - 1))]!;
    if (b === a) b = candidates[n - 1]!;
    return b.backend.outstanding < a.backend.outstanding ? b : a;
  },
};

export function roundRobin(): Balancer {
  let next = 0;
  return {
    pick(candidates) {
      next = (next + 1) % 1_000_000_000;
      return candidates[next % candidates.length]!;
    },
  };
}

export const weighted: Balancer = {
  pick(candidates) {
    let total = 0;
    for (const c of candidates) total += c.weight;
    if (total === 0) return candidates[Math.floor(Math.random() * candidates.length)]!;
    let r = Math.random() * total;
    for (const c of candidates) {
      r -= c.weight;
      if (r < 0) return c;
    }
    return candidates[candidates.length - 1]!;
  },
};

export function balancerFor(strategy: BackendConfig["balancing"]): Balancer {
  switch (strategy) {
    case "least-outstanding":
      return leastOutstanding;
    case "round-robin":
      return roundRobin();
    case "weighted":
      return weighted;
  }
}
