/**
 * Live sessions of this replica: lookup by sealed id (rebuilding sessions sealed by another replica), idle expiry,
 * the `maxSessions` bound, and a bounded memory of ids closed here (so a deleted or expired id answers 404).
 */
import { Session } from "./session.js";
import type { SessionSealer, SessionSeed } from "./token.js";

const TOMBSTONES = 10_000;

export interface SessionStoreOptions {
  sealer: SessionSealer;
  idleTimeoutMs: number;
  maxSessions: number;
  onClose: (session: Session, why: "deleted" | "expired" | "shutdown") => void;
  onCountChange?: (count: number) => void;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly tombstones = new Set<string>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: SessionStoreOptions) {
    const every = Math.max(250, Math.min(60_000, Math.floor(options.idleTimeoutMs / 4)));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  get full(): boolean {
    return this.sessions.size >= this.options.maxSessions;
  }

  all(): IterableIterator<Session> {
    return this.sessions.values();
  }

  /** A new session (caller checked `full`). */
  create(seed: SessionSeed): Session {
    const session = new Session(this.options.sealer.seal(seed), seed);
    this.add(session);
    return session;
  }

  private add(session: Session): void {
    this.sessions.set(session.id!, session);
    this.options.onCountChange?.(this.sessions.size);
  }

  /** The live session for `id`; rebuilt from the id when another replica sealed it; `undefined` means 404. */
  get(id: string): Session | undefined {
    const live = this.sessions.get(id);
    if (live !== undefined) {
      live.touch();
      return live;
    }
    if (this.tombstones.has(id) || this.full) return undefined;
    const seed = this.options.sealer.unseal(id);
    if (seed === undefined) return undefined;
    const session = new Session(id, seed);
    this.add(session);
    return session;
  }

  close(session: Session, why: "deleted" | "expired" | "shutdown"): void {
    if (session.closed || session.id === undefined) return;
    session.closed = true;
    this.sessions.delete(session.id);
    this.tombstones.add(session.id);
    if (this.tombstones.size > TOMBSTONES) this.tombstones.delete(this.tombstones.values().next().value as string);
    this.options.onCountChange?.(this.sessions.size);
    this.options.onClose(session, why);
  }

  private sweep(): void {
    const cutoff = Date.now() - this.options.idleTimeoutMs;
    for (const session of this.sessions.values()) {
      // A session with an open stream or a call in flight is not idle.
      if (session.lastSeen < cutoff && session.stream === undefined && session.calls.size === 0) this.close(session, "expired");
    }
  }

  closeAll(): void {
    clearInterval(this.sweeper);
    for (const session of [...this.sessions.values()]) this.close(session, "shutdown");
  }
}
