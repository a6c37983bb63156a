/**
 * Shared state in Redis (ioredis). Commands fail fast instead of queueing while Redis is unreachable (no offline
 * queue, a per-command timeout), so a request that needs the store gets an answer within `timeoutMs`, never a hang.
 * Ended sessions: a key per session with the remaining life of its tokens, plus a message on a channel so that
 * replicas holding the session live close it at once.
 */
import { Redis } from "ioredis";
import type { Logger } from "../observability/logger.js";
import { StoreUnavailable, type SharedState } from "./shared-state.js";

export interface RedisStateOptions {
  url: string;
  keyPrefix: string;
  timeoutMs: number;
  onUnavailable: "closed" | "open";
  logger: Logger;
}

export class RedisState implements SharedState {
  readonly shared = true;
  readonly onUnavailable: "closed" | "open";
  private readonly client: Redis;
  private subscriber: Redis | undefined;
  private readonly listeners: Array<(sid: string, ttlMs: number) => void> = [];
  private readonly channel: string;
  /** Resolves once the subscriber listens (first time). */
  private subscribed: Promise<void> = Promise.resolve();

  constructor(private readonly options: RedisStateOptions) {
    this.onUnavailable = options.onUnavailable;
    this.channel = `${options.keyPrefix}sessions-ended`;
    this.client = this.connect("commands");
  }

  private connect(role: string): Redis {
    const client = new Redis(this.options.url, {
      autoResubscribe: false,
      enableOfflineQueue: false,
      commandTimeout: this.options.timeoutMs,
      connectTimeout: Math.max(this.options.timeoutMs, 1000),
      maxRetriesPerRequest: 0,
      retryStrategy: (times) => Math.min(times * 200, 5000),
      lazyConnect: false,
    });
    let reported = false;
    client.on("error", (error: Error) => {
      // Once per outage, not per retry.
      if (!reported) this.options.logger.warn({ role, err: error.message }, "redis unavailable; retrying");
      reported = true;
    });
    client.on("ready", () => {
      if (reported) this.options.logger.info({ role }, "redis available again");
      reported = false;
    });
    return client;
  }

  private key(sid: string): string {
    return `${this.options.keyPrefix}session-ended:${sid}`;
  }

  private async run<T>(what: string, command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new StoreUnavailable(`${what}: ${(error as Error).message}`);
    }
  }

  async endSession(sid: string, ttlMs: number): Promise<void> {
    await this.run("recording an ended session", async () => {
      await this.client.set(this.key(sid), "1", "PX", Math.max(1, Math.ceil(ttlMs)));
      await this.client.publish(this.channel, `${sid} ${Math.ceil(ttlMs)}`);
    });
  }

  async sessionEnded(sid: string): Promise<boolean> {
    return this.run("checking an ended session", async () => (await this.client.exists(this.key(sid))) === 1);
  }

  async ready(): Promise<void> {
    const connections = [this.client, this.subscriber].filter((c): c is Redis => c !== undefined);
    const up = Promise.all([...connections.map((c) => (c.status === "ready" ? Promise.resolve() : new Promise<void>((resolve) => c.once("ready", () => resolve())))), this.subscribed]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([up, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(this.options.timeoutMs, 1000))))]);
    clearTimeout(timer);
  }

  onSessionEnded(listener: (sid: string, ttlMs: number) => void): void {
    this.listeners.push(listener);
    if (this.subscriber !== undefined) return;
    const subscriber = this.connect("subscriber");
    this.subscriber = subscriber;
    // On every (re)connect: commands are not queued while disconnected, so subscribe once the link is ready.
    let subscribed!: () => void;
    this.subscribed = new Promise<void>((resolve) => (subscribed = resolve));
    subscriber.on("ready", () => subscriber.subscribe(this.channel).then(() => subscribed(), () => undefined));
    subscriber.on("message", (channel: string, message: string) => {
      if (channel !== this.channel) return;
      const [sid, ttl] = message.split(" ");
      const ttlMs = Number(ttl);
      if (sid === undefined || sid === "" || !Number.isFinite(ttlMs)) return;
      for (const l of this.listeners) l(sid, ttlMs);
    });
  }

  async close(): Promise<void> {
    this.client.disconnect();
    this.subscriber?.disconnect();
  }
}
