/**
 * Live sessions of this replica: lookup by sealed id (rebuilding sessions sealed by another replica), renewal of
 * ids in use, idle expiry, the `maxSessions` bound of the table, and the memory of sessions ended here.
 *
 * The table is a cache: any session can be rebuilt from a valid token, so a full table evicts its least recently
 * used idle session (its soft state goes; the session does not) rather than refusing valid sessions. A session
 * that ended (DELETE, idle expiry) is remembered by its `sid` until every token it was ever given has expired,
 * so an id is never valid again once its session ended. Ids are renewed while in use: a lookup whose token has
 * less than half of `idleTimeoutMs` left yields a fresh token (`renewed`), which the front sends back as
 * `Mcp-Session-Id`, so idle expiry holds across replicas for clients that adopt it, and a replica holding the
 * session live keeps serving it for clients that keep the first id.
 */
import { Session } from "./session.js";
import type { SharedState } from "../store/shared-state.js";
import { newSid, type SealedSession, type SessionSealer, type SessionSeed } from "./token.js";

/** Tokens a session keeps for lookups without a MAC check. */
const TOKENS_PER_SESSION = 3;

/** Ended sessions remembered at once; when full, new sessions are refused until old memories expire. */
export const MAX_ENDED = 200_000;

/** Why a session left this replica's memory; only `deleted` ends it (its id is refused from then on). */
export type CloseReason = "deleted" | "expired" | "evicted" | "shutdown";

export interface SessionStoreOptions {
  sealer: SessionSealer;
  idleTimeoutMs: number;
  maxSessions: number;
  onClose: (session: Session, why: CloseReason) => void;
  onCountChange?: (count: number) => void;
  /** @default Date.now */
  now?: () => number;
  /** State shared with other replicas (ended sessions). @default none: this replica only */
  shared?: SharedState;
  /** The shared store failed (logged by the caller). */
  onSharedError?: (error: Error) => void;
}

/** A successful lookup: the session, and a renewed token to hand the client when the one it sent runs low. */
export interface Found {
  session: Session;
  renewed: string | undefined;
}

/**
 * What a token names: the session; `undefined` (404: unknown, altered, expired or ended); `"full"` (503: no room for
 * a rebuilt session now); `"unavailable"` (503: the shared store cannot say whether it ended).
 */
export type Lookup = Found | undefined | "full" | "unavailable";

/** Why a new session cannot be made now. */
export type Refusal = "full" | "ended-full";

interface TokenEntry {
  session: Session;
  expiresAt: number;
  /** Last lookup with this token (ms since the epoch). */
  usedAt: number;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  /** Every live token issued or accepted here, for lookups without a MAC. */
  private readonly tokens = new Map<string, TokenEntry>();
  /** Ended sessions: sid -> when the last of their tokens expires. */
  private readonly ended = new Map<string, number>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly options: SessionStoreOptions) {
    this.now = options.now ?? Date.now;
    const every = Math.max(250, Math.min(60_000, Math.floor(options.idleTimeoutMs / 4)));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  all(): IterableIterator<Session> {
    return this.sessions.values();
  }

  /** Whether a new session (or a rebuilt one) can be held now; evicts the least recently used idle session when full. */
  admit(): Refusal | undefined {
    if (this.ended.size >= MAX_ENDED) {
      this.forgetExpired();
      if (this.ended.size >= MAX_ENDED) return "ended-full";
    }
    if (this.sessions.size < this.options.maxSessions) return undefined;
    let oldest: Session | undefined;
    for (const session of this.sessions.values()) {
      if (session.stream === undefined && session.calls.size === 0 && (oldest === undefined || session.lastSeen < oldest.lastSeen)) oldest = session;
    }
    if (oldest === undefined) return "full";
    this.drop(oldest, "evicted");
    return undefined;
  }

  /** A new session (the caller checked {@link admit}). */
  create(seed: SessionSeed): Session {
    const session = new Session(newSid(), seed);
    this.issue(session);
    this.add(session);
    return session;
  }

  private issue(session: Session): string {
    const expiresAt = this.now() + this.options.idleTimeoutMs;
    const token = this.options.sealer.seal(session.seed, session.id!, expiresAt);
    session.token = token;
    session.tokenExpiresAt = expiresAt;
    this.remember(session, token, expiresAt);
    return token;
  }

  /** Keeps a token for lookups without a MAC; a session keeps a few: the newest, and the ones used most recently. */
  private remember(session: Session, token: string, expiresAt: number): void {
    this.tokens.set(token, { session, expiresAt, usedAt: this.now() });
    session.tokens.add(token);
    if (session.tokens.size <= TOKENS_PER_SESSION) return;
    let stalest: string | undefined;
    let stalestAt = Infinity;
    for (const old of session.tokens) {
      const usedAt = this.tokens.get(old)?.usedAt ?? 0;
      if (old !== token && usedAt < stalestAt) {
        stalest = old;
        stalestAt = usedAt;
      }
    }
    if (stalest === undefined) return;
    session.tokens.delete(stalest);
    this.tokens.delete(stalest);
  }

  private add(session: Session): void {
    this.sessions.set(session.id!, session);
    this.options.onCountChange?.(this.sessions.size);
  }

  /**
   * The session a token names: a live one, or one rebuilt from the token (see {@link Lookup}). `owner`: the
   * identity presenting it (`Principal.ref`); another identity's session is not found (404), like a missing one.
   */
  lookup(token: string, owner?: string): Lookup | Promise<Lookup> {
    const now = this.now();
    const known = this.tokens.get(token);
    if (known !== undefined) {
      const session = known.session;
      if (session.closed || session.seed.owner !== owner) return undefined;
      session.lastSeen = now;
      known.usedAt = now;
      return { session, renewed: this.renewal(session, known.expiresAt, now) };
    }
    const sealed = this.options.sealer.unseal(token, now);
    if (sealed === undefined || sealed.seed.owner !== owner || this.ended.has(sealed.sid)) return undefined;
    const shared = this.options.shared;
    if (shared?.shared === true && !this.sessions.has(sealed.sid)) {
      // Not live here: another replica may have ended it.
      return shared.sessionEnded(sealed.sid).then(
        (ended) => (ended ? undefined : this.adopt(sealed, token)),
        (error: unknown) => {
          this.options.onSharedError?.(error as Error);
          return shared.onUnavailable === "open" ? this.adopt(sealed, token) : "unavailable";
        },
      );
    }
    return this.adopt(sealed, token);
  }

  /** The session of a valid token: the live one, or rebuilt from the token. */
  private adopt(sealed: SealedSession, token: string): Found | undefined | "full" {
    if (this.ended.has(sealed.sid)) return undefined;
    const now = this.now();
    let session = this.sessions.get(sealed.sid);
    if (session === undefined) {
      if (this.admit() !== undefined) return "full";
      session = new Session(sealed.sid, sealed.seed);
      session.token = token;
      session.tokenExpiresAt = sealed.expiresAt;
      this.add(session);
    }
    this.remember(session, token, sealed.expiresAt);
    session.lastSeen = now;
    return { session, renewed: this.renewal(session, sealed.expiresAt, now) };
  }

  /** A fresh token when the one presented has less than half its life left (and no fresher one was issued). */
  private renewal(session: Session, expiresAt: number, now: number): string | undefined {
    if (expiresAt - now > this.options.idleTimeoutMs / 2) return undefined;
    if (session.tokenExpiresAt - now > this.options.idleTimeoutMs / 2) return session.token;
    return this.issue(session);
  }

  /**
   * Ends a session (DELETE): it is closed here, its id is never accepted again here, and with a shared store no
   * other replica accepts it either.
   */
  end(session: Session): void {
    if (session.closed || session.id === undefined) return;
    // Every token of this session expires at most idleTimeoutMs from now (tokens are issued with that life).
    const ttlMs = this.options.idleTimeoutMs;
    this.ended.set(session.id, this.now() + ttlMs);
    this.drop(session, "deleted");
    this.options.shared?.endSession(session.id, ttlMs).catch((error: unknown) => this.options.onSharedError?.(error as Error));
  }

  /** A session another replica ended: closed here too, and remembered like a local end. */
  endedElsewhere(sid: string, ttlMs: number): void {
    this.ended.set(sid, this.now() + ttlMs);
    const session = this.sessions.get(sid);
    if (session !== undefined) this.drop(session, "deleted");
  }

  private drop(session: Session, why: CloseReason): void {
    session.closed = true;
    this.sessions.delete(session.id!);
    for (const token of session.tokens) this.tokens.delete(token);
    session.tokens.clear();
    this.options.onCountChange?.(this.sessions.size);
    this.options.onClose(session, why);
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [sid, until] of this.ended) if (until <= now) this.ended.delete(sid);
  }

  private sweep(): void {
    const now = this.now();
    const cutoff = now - this.options.idleTimeoutMs;
    for (const session of this.sessions.values()) {
      // A session with an open stream or a call in flight is not idle.
      // Idle here is not ended: the session may be in use on another replica (its renewed tokens say so). It leaves
      // this replica's memory; its tokens' own expiry ends it everywhere.
      if (session.lastSeen < cutoff && session.stream === undefined && session.calls.size === 0) this.drop(session, "expired");
    }
    this.forgetExpired();
  }

  closeAll(): void {
    clearInterval(this.sweeper);
    // Not ended: the sessions go on with other replicas.
    for (const session of [...this.sessions.values()]) this.drop(session, "shutdown");
  }
}
