/**
 * One shared `subscriptions/listen` per 2026-07-28 backend (basic/patterns/subscriptions.mdx): the list changes the
 * registry needs (whatever the backend offers) and `notifications/resources/updated` for every URI some client
 * watches (2025 `resources/subscribe`, 2026 `resourceSubscriptions`). A change of the URI set opens a new listen
 * with the new filter and closes the old one once the new one is acknowledged, so no update is missed in between.
 * A listen the backend ends (its answer, `notifications/cancelled`, a dropped stream) is reopened with backoff.
 */
import type { JsonRpcNotification } from "../jsonrpc.js";
import type { Logger } from "../observability/logger.js";
import { META } from "../protocol/modern.js";

/** What the listen needs of its backend connection. */
export interface ListenIo {
  /** Sends a long-lived request (no timeout): its id, and its answer. */
  open(params: Record<string, unknown>): { id: number; answer: Promise<unknown> };
  /** Ends a long-lived request (closes its stream, or `notifications/cancelled`). */
  close(id: number): void;
}

export interface ListenFilter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

const REOPEN_DELAY_MS = { first: 500, max: 30_000 };
/** URI changes within this window share one reopen. */
const BATCH_MS = 5;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

export class SharedListen {
  private readonly uris = new Set<string>();
  /** The listen that serves now, and one replacing it (until its acknowledgement). */
  private current: number | undefined;
  private next: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private delayMs = REOPEN_DELAY_MS.first;
  /** No connection (or stopped): nothing is open, watched URIs are kept for the next connection. */
  private stopped = true;
  private capabilities: Record<string, unknown> = {};

  constructor(
    private readonly io: ListenIo,
    private readonly logger: Logger,
  ) {}

  /** The filter the backend is asked for: its own list changes, and the watched URIs it can report on. */
  filter(): ListenFilter | undefined {
    const caps = this.capabilities as { tools?: { listChanged?: boolean }; prompts?: { listChanged?: boolean }; resources?: { listChanged?: boolean; subscribe?: boolean } };
    const filter: ListenFilter = {};
    if (caps.tools?.listChanged === true) filter.toolsListChanged = true;
    if (caps.prompts?.listChanged === true) filter.promptsListChanged = true;
    if (caps.resources?.listChanged === true) filter.resourcesListChanged = true;
    if (caps.resources?.subscribe === true && this.uris.size > 0) filter.resourceSubscriptions = [...this.uris];
    return Object.keys(filter).length === 0 ? undefined : filter;
  }

  /** The URIs watched now. */
  get watched(): ReadonlySet<string> {
    return this.uris;
  }

  /** A connection is up, with these capabilities: the listen opens on it. */
  connected(capabilities: Record<string, unknown>): void {
    this.capabilities = capabilities;
    this.stopped = false;
    this.delayMs = REOPEN_DELAY_MS.first;
    this.open();
  }

  /** A client's interest in a URI starts or ends (the first and the last one; counting is the caller's). */
  watch(uri: string, on: boolean): void {
    if (on ? this.uris.has(uri) : !this.uris.has(uri)) return;
    if (on) this.uris.add(uri);
    else this.uris.delete(uri);
    if (this.timer === undefined && !this.stopped) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.open();
      }, BATCH_MS);
      this.timer.unref();
    }
  }

  private open(): void {
    if (this.stopped) return;
    const filter = this.filter();
    if (this.next !== undefined) this.io.close(this.next);
    this.next = undefined;
    if (filter === undefined) {
      if (this.current !== undefined) this.io.close(this.current);
      this.current = undefined;
      return;
    }
    const { id, answer } = this.io.open({ notifications: filter });
    if (this.current === undefined) this.current = id;
    else this.next = id;
    const ended = (why: string): void => {
      if (this.stopped || (id !== this.current && id !== this.next)) return;
      if (id === this.next) this.next = undefined;
      else this.current = undefined;
      this.logger.debug({ why }, "subscriptions/listen to the backend ended; reopening");
      this.reopenLater();
    };
    answer.then(
      () => ended("the backend closed it"),
      (error: unknown) => ended((error as Error).message),
    );
  }

  private reopenLater(): void {
    if (this.timer !== undefined || this.stopped) return;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, REOPEN_DELAY_MS.max);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.open();
    }, delay);
    this.timer.unref();
  }

  /**
   * A notification from the backend, as it goes on: `undefined` when it is this listen's own bookkeeping (the
   * acknowledgement, the backend ending it), handled here; a change notification of a listen without its
   * subscription id (the gateway's, meaningless to its clients); anything else as is.
   */
  takes(message: JsonRpcNotification): JsonRpcNotification | undefined {
    const params = message.params;
    if (message.method === "notifications/cancelled") {
      const id = params?.requestId;
      if (id === undefined || (id !== this.current && id !== this.next)) return message;
      if (id === this.next) this.next = undefined;
      else this.current = undefined;
      this.reopenLater();
      return undefined;
    }
    const meta = isObject(params?._meta) ? params._meta : undefined;
    const id = meta?.[META.subscriptionId];
    if (message.method !== "notifications/subscriptions/acknowledged") {
      if (id === undefined) return message;
      const { [META.subscriptionId]: _id, ...rest } = meta!;
      const { _meta: _dropped, ...bare } = params!;
      return { jsonrpc: "2.0", method: message.method, params: Object.keys(rest).length === 0 ? bare : { ...bare, _meta: rest } };
    }
    if (id === this.next && this.next !== undefined) {
      // The replacement serves from now on.
      if (this.current !== undefined) this.io.close(this.current);
      this.current = this.next;
      this.next = undefined;
    }
    if (id === this.current) this.delayMs = REOPEN_DELAY_MS.first;
    return undefined;
  }

  /** The connection ended (its listens with it); watched URIs stay for the next one. */
  disconnected(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.current = this.next = undefined;
  }
}
