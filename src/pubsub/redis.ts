/**
 * Redis pub/sub (ioredis) for scale-out: one connection publishes, one subscribes; a Redis
 * channel is subscribed while at least one local listener wants it. Payloads travel as JSON.
 * ioredis reconnects and re-subscribes by itself after a Redis restart; events published
 * while Redis was away are not replayed by Redis, which is why subscribers resume from the
 * event log with afterEventId. A SUBSCRIBE Redis could not take (away at start-up, or at that
 * moment) does not fail the caller — a wake-up is only a hint, and delivery's catch-up reads
 * heal its loss — and is sent again each time the connection is ready.
 *
 * Written on ioredis directly rather than @graphql-yoga/redis-event-target: its
 * addEventListener does not expose when Redis acknowledged the SUBSCRIBE, and gap-free replay
 * (src/tracking/subscriptions.ts) must know the channel is live before it reads the log.
 */
import { Redis } from "ioredis";
import type { Listener, PubSub } from "./types.js";

/** A connection that keeps failing (ioredis retries every few seconds) is reported once in this long. */
const REPORT_EVERY_MS = 60_000;
/**
 * Each ready connection is sent a PING this often; one that has not answered it within
 * HEARTBEAT_TIMEOUT_MS is taken for dead: its socket is destroyed, and ioredis reconnects (and
 * the subscriber subscribes again). A connection whose server or network went silent without
 * closing it is otherwise never noticed: no error, no close, every instance not ready for good
 * (black-box probe).
 */
const HEARTBEAT_MS = 10_000;
const HEARTBEAT_TIMEOUT_MS = 5_000;

/** What the pub/sub tells its owner of its connections: down (with the error), or up again after being down. */
export type ConnectionNews = { up: false; err: unknown } | { up: true };

export class RedisPubSub implements PubSub {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly pending = new Map<string, Promise<unknown>>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    url: string,
    private readonly prefix = "gateway:",
    /** Told of a SUBSCRIBE Redis refused: away (it is sent again once ready), or for good (an ACL without the channel). */
    private readonly onSubscribeError: (channel: string, err: unknown) => void = () => undefined,
    /** Told when a connection fails (once per REPORT_EVERY_MS while it keeps failing) and when it is ready again. */
    private readonly onConnection: (news: ConnectionNews) => void = () => undefined,
    heartbeatMs = HEARTBEAT_MS,
    private readonly heartbeatTimeoutMs = HEARTBEAT_TIMEOUT_MS,
  ) {
    const opts = { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false, keepAlive: HEARTBEAT_MS };
    this.pub = new Redis(url, opts);
    this.sub = new Redis(url, opts);
    // Connection errors also surface through ping() (readiness) and publish(); ioredis keeps retrying.
    for (const connection of [this.pub, this.sub]) {
      connection.on("error", (err: unknown) => this.connectionFailed(err));
      connection.on("ready", () => this.connectionReady());
    }
    // Channels a local listener wants, subscribed again on every (re)connection: ioredis only
    // re-subscribes those Redis once acknowledged.
    this.sub.on("ready", () => {
      for (const channel of this.listeners.keys())
        void this.sub.subscribe(channel).catch((err: unknown) => this.onSubscribeError(channel, err));
    });
    this.sub.on("message", (channel: string, message: string) => {
      const set = this.listeners.get(channel);
      if (!set) return;
      let payload: unknown;
      try {
        payload = JSON.parse(message);
      } catch {
        return;
      }
      for (const l of [...set]) l(payload);
    });
    this.heartbeat = setInterval(() => void this.beat(), heartbeatMs);
    this.heartbeat.unref();
  }

  /** PINGs each ready connection; one that does not answer in time is dropped, and reconnects. */
  private async beat(): Promise<void> {
    await Promise.all(
      (
        [
          ["publisher", this.pub],
          ["subscriber", this.sub],
        ] as const
      ).map(async ([name, c]) => {
        if (c.status !== "ready") return this.stalled(name, c);
        this.connectingSince.delete(c);
        let timer: NodeJS.Timeout | undefined;
        const answered = await Promise.race([
          c.ping().then(
            () => true,
            () => true, // an error is an answer (or a close ioredis handles)
          ),
          new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.heartbeatTimeoutMs))),
        ]);
        clearTimeout(timer);
        if (answered || c.status !== "ready") return;
        this.connectionFailed(
          new Error(`redis ${name} connection did not answer a PING within ${this.heartbeatTimeoutMs} ms: reconnecting`),
        );
        c.stream.destroy();
      }),
    );
  }

  /** Since when each connection has been connected but not ready (its ready check unanswered). */
  private readonly connectingSince = new Map<Redis, number>();

  /**
   * A connection whose socket is up but whose ready check goes unanswered for longer than a
   * PING may take (a hung Redis, a proxy whose backend is down) is dropped and reported, as one
   * that stops answering PINGs is: ioredis would wait on it for ever, and nothing was logged.
   */
  private stalled(name: string, c: Redis): void {
    if (c.status !== "connect") return void this.connectingSince.delete(c);
    const since = this.connectingSince.get(c);
    if (since === undefined) return void this.connectingSince.set(c, Date.now());
    if (Date.now() - since < this.heartbeatTimeoutMs) return;
    this.connectingSince.delete(c);
    this.connectionFailed(new Error(`redis ${name} connection did not become ready within ${this.heartbeatTimeoutMs} ms: reconnecting`));
    c.stream.destroy();
  }

  async publish(topic: string, payload: unknown): Promise<void> {
    await this.pub.publish(this.prefix + topic, JSON.stringify(payload));
  }

  async subscribe(topic: string, listener: Listener): Promise<() => void> {
    const channel = this.prefix + topic;
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      // Redis away: wanted all the same, and subscribed once the connection is ready (above).
      const p = this.sub.subscribe(channel).catch((err: unknown) => this.onSubscribeError(channel, err));
      // Waited for at most as long as a PING may take: a Redis that takes connections and never
      // answers kept the start waiting here for ever, serving requests with no tracking and no
      // graceful shutdown (configuration probe, thirty-second session). Past that, the channel is
      // subscribed once Redis answers; the event log is the truth, read on a timer meanwhile.
      let timer: NodeJS.Timeout | undefined;
      const waited = Promise.race([p, new Promise((resolve) => (timer = setTimeout(resolve, this.heartbeatTimeoutMs)))]);
      this.pending.set(channel, waited);
      try {
        await waited;
      } finally {
        clearTimeout(timer);
        this.pending.delete(channel);
      }
    } else if (this.pending.has(channel)) {
      await this.pending.get(channel);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(channel) === set) {
        this.listeners.delete(channel);
        void this.sub.unsubscribe(channel).catch(() => undefined);
      }
    };
  }

  /** Since when a connection has been failing (undefined while both are fine), and when that was last reported. */
  private downSince?: number;
  private reportedAt = 0;

  private connectionFailed(err: unknown): void {
    const now = Date.now();
    this.downSince ??= now;
    if (now - this.reportedAt < REPORT_EVERY_MS) return;
    this.reportedAt = now;
    this.onConnection({ up: false, err });
  }

  private connectionReady(): void {
    if (this.downSince === undefined) return;
    this.downSince = undefined;
    this.reportedAt = 0;
    this.onConnection({ up: true });
  }

  /**
   * Fails at once while a connection is not up: ioredis would queue the PING until it
   * reconnects, and /readyz would wait for its 2 s timeout (a 1 s probe timed out instead of
   * reading 503).
   */
  async ping(): Promise<void> {
    for (const [name, c] of [
      ["publisher", this.pub],
      ["subscriber", this.sub],
    ] as const)
      if (c.status !== "ready") throw new Error(`redis ${name} connection ${c.status}`);
    await Promise.all([this.pub.ping(), this.sub.ping()]);
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.listeners.clear();
    this.pub.disconnect();
    this.sub.disconnect();
  }
}
