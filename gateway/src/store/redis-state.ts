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

/**
 * One rate-limit decision, atomically: every bucket (a hash of tokens `t` and time `a`, on Redis's clock) refilled,
 * then one token taken from each, or none when any has less than one. Returns {1} or {0, index, wait ms}.
 */
const TAKE_TOKENS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local levels = {}
local wait, which = 0, 0
for i = 1, #KEYS do
  local rate, burst = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local b = redis.call('HMGET', KEYS[i], 't', 'a')
  local tokens = tonumber(b[1])
  if tokens == nil then tokens = burst else tokens = math.min(burst, tokens + math.max(0, now - tonumber(b[2])) * rate) end
  levels[i] = tokens
  if tokens < 1 then
    local w = math.ceil((1 - tokens) / rate)
    if w > wait then wait, which = w, i end
  end
end
if wait > 0 then return {0, which - 1, wait} end
for i = 1, #KEYS do
  local rate, burst = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  redis.call('HSET', KEYS[i], 't', tostring(levels[i] - 1), 'a', now)
  redis.call('PEXPIRE', KEYS[i], math.ceil(burst / rate) + 1000)
end
return {1}
`;

type TakeTokens = (numKeys: number, ...args: (string | number)[]) => Promise<number[]>;

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
    this.client.defineCommand("mcpFleetTakeTokens", { lua: TAKE_TOKENS });
  }

  async takeTokens(buckets: readonly { key: string; perMs: number; burst: number }[]): Promise<undefined | { index: number; retryMs: number }> {
    const take = (this.client as unknown as { mcpFleetTakeTokens: TakeTokens }).mcpFleetTakeTokens.bind(this.client);
    const keys = buckets.map((b) => `${this.options.keyPrefix}rate:${b.key}`);
    const args = buckets.flatMap((b) => [String(b.perMs), String(b.burst)]);
    const answer = await this.run("taking rate-limit tokens", () => take(keys.length, ...keys, ...args));
    return answer[0] === 1 ? undefined : { index: Number(answer[1]), retryMs: Number(answer[2]) };
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
