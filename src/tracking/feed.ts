/**
 * Delivery from the event log (issue 11, docs/architecture.md "Delivery"). Each instance reads
 * the log in commit order (src/store/event-log.ts) and hands every event to its own
 * interested subscribers — indexed by kind and tenant, kind, tenant and reference, kind,
 * tenant and order — so one read serves all of an instance's subscribers and an event costs
 * work only for those who asked for it.
 *
 * The pub/sub carries only wake-ups: a commit anywhere publishes one (naming its tenants), and
 * an instance with subscribers of those tenants reads the log at once. A wake-up that is lost
 * — Redis away, a process killed between commit and publish — costs latency, not events: while
 * anyone listens, a catch-up read runs every `catchUpMs`. Reading is idempotent, so a wake-up
 * that arrives twice (Redis back after an outage) delivers nothing twice.
 *
 * The log cursor only exists while someone listens here; the first subscriber takes the
 * log's current end as its start. A subscriber registers with the cursor as it stands at
 * that moment — synchronously, and the cursor moves only in the same synchronous step that
 * dispatches the events it moves over — so what the cursor covers never reaches it live and
 * what it does not cover always does: a replay up to that cursor then hands over without gap
 * or duplicate (src/tracking/subscriptions.ts).
 */
import { randomBytes } from "node:crypto";
import type { Logger } from "../logger.js";
import type { PubSub } from "../pubsub/index.js";
import type { TrackedEvent } from "../store/tracked-model.js";
import type { KindName } from "../vocabulary/kinds.js";
import { deliverySpan, untracedImmediate } from "../telemetry/spans.js";
import type { LogReader } from "./ports.js";

/** The pub/sub topic of wake-ups. */
const WAKE_TOPIC = "tracking.recorded";

/** Who an event is for: a kind and tenant, and at most one of a reference or an order. */
export interface FeedTarget {
  kind: KindName;
  tenant: string;
  ref?: string;
  orderNo?: string;
}

/** A listener of the feed: a subscription stream, which queues what it is pushed. */
export interface FeedSink {
  push(event: TrackedEvent): void;
}

/** The feed's sources: the event log it reads, the pub/sub that wakes it, and how often it reads without a wake-up. */
export interface FeedOptions {
  log: LogReader;
  pubsub: PubSub;
  logger: Logger;
  /** While anyone listens, a read runs at least this often (EVENT_CATCHUP_MS). */
  catchUpMs: number;
  /** Events per read statement. @default 1000 */
  pageSize?: number;
  /** Each read: events read, seconds taken (metrics). */
  onRead?: (events: number, seconds: number) => void;
}

interface WakeMessage {
  /** The instance that recorded the events (it woke itself already). */
  o: string;
  /** Their tenants. */
  t: string[];
}

const keyOf = (kind: KindName, tenant: string, part?: "r" | "o", value?: string) =>
  part === undefined ? `${kind}\u0000${tenant}` : `${kind}\u0000${tenant}\u0000${part}\u0000${value}`;

function targetKey(t: FeedTarget): string {
  if (t.ref !== undefined) return keyOf(t.kind, t.tenant, "r", t.ref);
  if (t.orderNo !== undefined) return keyOf(t.kind, t.tenant, "o", t.orderNo);
  return keyOf(t.kind, t.tenant);
}

/**
 * Delivery from the event log to this instance's subscribers (issue 11): one read serves every listener,
 * a pub/sub message only wakes the reader, and a lost one costs at most `catchUpMs` of delay, never an event.
 * The cursor is held only while someone listens.
 */
export class EventFeed {
  /** Tells this instance's wake-ups from others'. */
  readonly origin = randomBytes(6).toString("hex");
  private cursor?: string;
  private opening?: Promise<void>;
  private reading?: Promise<void>;
  private again = false;
  private scheduled = false;
  private readonly sinks = new Map<string, Set<FeedSink>>();
  private readonly tenants = new Map<string, number>();
  private count = 0;
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private readonly unpublished = new Set<string>();
  private publishing = false;
  private failing = { read: false, publish: false };

  constructor(private readonly opts: FeedOptions) {}

  /** Subscribers registered on this instance. */
  get listeners(): number {
    return this.count;
  }

  /** Listens for wake-ups and starts the catch-up timer. */
  async start(): Promise<void> {
    this.unsubscribe = await this.opts.pubsub.subscribe(WAKE_TOPIC, (m) => this.onWake(m as WakeMessage));
    this.timer = setInterval(() => {
      if (this.count) this.wake();
    }, this.opts.catchUpMs);
    this.timer.unref();
  }

  /** Stops listening and waits for a read in progress. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.unsubscribe?.();
    await this.reading;
  }

  /**
   * Registers a sink for a target. Resolves with the cursor it starts after — events that
   * cursor covers never reach the sink, every later one does — and its removal, which takes
   * effect at once.
   */
  async add(target: FeedTarget, sink: FeedSink): Promise<{ cursor: string; remove: () => void }> {
    while (this.cursor === undefined) await (this.opening ??= this.open());
    // From here to the return, nothing awaits: the registration and the cursor go together.
    const key = targetKey(target);
    let set = this.sinks.get(key);
    if (!set) this.sinks.set(key, (set = new Set()));
    set.add(sink);
    this.count += 1;
    this.tenants.set(target.tenant, (this.tenants.get(target.tenant) ?? 0) + 1);
    let removed = false;
    const remove = () => {
      if (removed) return;
      removed = true;
      set.delete(sink);
      if (set.size === 0 && this.sinks.get(key) === set) this.sinks.delete(key);
      this.count -= 1;
      const left = (this.tenants.get(target.tenant) ?? 1) - 1;
      if (left) this.tenants.set(target.tenant, left);
      else this.tenants.delete(target.tenant);
      if (this.count === 0 && !this.reading) this.cursor = undefined;
    };
    return { cursor: this.cursor, remove };
  }

  /**
   * Events this instance just committed: wakes its own reader at once and tells the other
   * instances (one wake-up per turn of the event loop, whatever the number of commits).
   */
  recorded(events: TrackedEvent[]): void {
    if (events.some((e) => this.tenants.has(e.tenant))) this.wake();
    for (const e of events) this.unpublished.add(e.tenant);
    if (this.publishing || !this.unpublished.size) return;
    this.publishing = true;
    setImmediate(() => {
      const message: WakeMessage = { o: this.origin, t: [...this.unpublished] };
      this.unpublished.clear();
      this.publishing = false;
      this.opts.pubsub.publish(WAKE_TOPIC, message).then(
        () => this.recovered("publish", "publishing wake-ups works again"),
        (err: unknown) => this.failed("publish", err, "could not publish a wake-up; other instances deliver from their catch-up reads"),
      );
    });
  }

  /** Reads the log soon (now, or after the read in progress). */
  wake(): void {
    if (this.cursor === undefined) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    // One read serves every commit since the last: it joins no commit's trace.
    untracedImmediate(() => {
      this.scheduled = false;
      this.reading ??= this.read().finally(() => {
        this.reading = undefined;
        if (this.count === 0) this.cursor = undefined;
        else if (this.again) {
          // Woken after the read's last page: read once more.
          this.again = false;
          this.wake();
        }
      });
    });
  }

  private onWake(m: WakeMessage): void {
    if (!m || m.o === this.origin || !Array.isArray(m.t)) return;
    if (m.t.some((t) => this.tenants.has(t))) this.wake();
  }

  private async open(): Promise<void> {
    try {
      const head = await this.opts.log.head();
      this.cursor ??= head;
    } finally {
      this.opening = undefined;
    }
  }

  private async read(): Promise<void> {
    const pageSize = this.opts.pageSize ?? 1000;
    const started = performance.now();
    let read = 0;
    try {
      do {
        this.again = false;
        if (this.cursor === undefined) return;
        const page = await this.opts.log.since(this.cursor, pageSize);
        // The cursor and the dispatch move together (see add()).
        this.cursor = page.cursor;
        for (const e of page.events) this.dispatch(e);
        read += page.events.length;
        if (page.events.length >= pageSize) this.again = true;
      } while (this.again && this.count > 0);
      this.recovered("read", "reading the event log works again");
    } catch (err) {
      // Kept cursor: the next wake-up or catch-up read tries again from the same place.
      this.failed("read", err, "could not read the event log; delivery resumes when the store answers");
    } finally {
      this.opts.onRead?.(read, (performance.now() - started) / 1000);
    }
  }

  /** Hands an event to its sinks here; an event logged with a trace context gets an `events.deliver` span when it reached any. */
  private dispatch(e: TrackedEvent): void {
    const startedAt = e.traceContext ? Date.now() : 0;
    let delivered = 0;
    for (const key of [keyOf(e.kind, e.tenant), keyOf(e.kind, e.tenant, "r", e.ref), keyOf(e.kind, e.tenant, "o", e.orderNo)]) {
      const set = this.sinks.get(key);
      if (!set) continue;
      for (const sink of set) sink.push(e);
      delivered += set.size;
    }
    if (delivered && e.traceContext) deliverySpan(e, delivered, startedAt);
  }

  /** Logs the first failure of an outage, not every one. */
  private failed(what: "read" | "publish", err: unknown, message: string): void {
    if (this.failing[what]) return;
    this.failing[what] = true;
    this.opts.logger.warn({ err: String(err) }, message);
  }

  private recovered(what: "read" | "publish", message: string): void {
    if (!this.failing[what]) return;
    this.failing[what] = false;
    this.opts.logger.info(message);
  }
}
