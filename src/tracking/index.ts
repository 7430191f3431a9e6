/**
 * The tracking of one gateway instance, assembled: one engine per tracked kind (voids,
 * stop-issuance requests), the requests that start records, the webhook inbox, delivery from
 * the event log, subscriptions, and the pollers that drive them. Every instance runs it;
 * leases in the store split the work between instances.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { SupplierName } from "../vocabulary/suppliers.js";
import type { VoidOrderData } from "../../datasources/model.js";
import type { WebhookHint } from "../../datasources/ports.js";
import type { SupplierRegistry } from "../../datasources/registry.js";
import type { Logger } from "../logger.js";
import type { PubSub } from "../pubsub/index.js";
import { LaterWrites } from "../reliability/after-send.js";
import type { Store } from "../store/index.js";
import type { InboxRow } from "../store/inbox-store.js";
import type { RecordKey, TrackedEvent } from "../store/tracked-model.js";
import type { KindName } from "../vocabulary/kinds.js";
import { CancelSubmission } from "./cancel-submission.js";
import { Tracker } from "./engine.js";
import { EventFeed } from "./feed.js";
import { InboxProcessor } from "./inbox-processor.js";
import { TRACKED_KINDS, type AnyKind } from "./kinds/index.js";
import type { StopReport } from "./kinds/stop.js";
import { Poller } from "./poller.js";
import type { PollPolicy } from "./schedule.js";
import { StopRequests } from "./stop-requests.js";
import { storeLoaders, type StoreLoaders } from "./loaders.js";
import { Subscriptions } from "./subscriptions.js";
import { VoidSubmission } from "./void-submission.js";
import { Watchers } from "./watchers.js";

/** How often housekeeping runs: expired idempotency keys and void quotes go, stop requests left as marks are tracked. */
const HOUSEKEEPING_MS = 60_000;
/** Idempotency keys are kept at least this long. */
const IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000;
/** Void quotes are kept this long: an offer older than that has long expired at the supplier. */
const QUOTE_TTL_MS = 24 * 60 * 60_000;
/** Processed webhooks deleted per statement, and statements per housekeeping run at most (the store's one connection is not held long). */
const WEBHOOK_EXPIRY_BATCH = 1000;
const WEBHOOK_EXPIRY_BATCHES = 20;
/** Processed webhooks are kept this long by default (WEBHOOK_RETENTION_HOURS). */
const WEBHOOK_RETENTION_MS = 7 * 24 * 60 * 60_000;
/** Records leased per scheduled run, and webhooks claimed per inbox run. */
const BATCH = 200;

/** What one instance's tracking needs; the timings come from configuration (docs/configuration.md). */
export interface TrackingOptions {
  store: Store;
  registry: SupplierRegistry;
  pubsub: PubSub;
  log: Logger;
  /** The kinds to track (the tracked-kinds list, or a test's). @default TRACKED_KINDS */
  kinds?: readonly AnyKind[];
  /** Each kind's checks of open records, by kind name: first interval, longest, while watched (its `<PREFIX>_POLL_*` rows). */
  policies: Readonly<Record<string, PollPolicy>>;
  /** When a stop request's outcome can be known, by supplier (STOP_CHECK_DELAY_MS, else the supplier's documented delay). */
  stopCheckDelayMs: (supplier: SupplierName) => number;
  /** How long a supplier may take to show a void it accepted (its documented delay). @default none */
  acceptanceVisibleMs?: (supplier: SupplierName) => number;
  /**
   * This instance is the store's only one (the embedded store: its DATA_DIR lock keeps others
   * out): at start it takes back the inbox claims and leases a killed predecessor left, instead
   * of waiting them out (60 s, LEASE_MS). @default false
   */
  soleInstance?: boolean;
  /** How often the pollers look for due work (SCHEDULER_TICK_MS). */
  tickMs: number;
  /** How long a lease lasts; a crashed instance's work is taken over after this (LEASE_MS). */
  leaseMs: number;
  /** While anyone subscribes here, the event log is read at least this often (EVENT_CATCHUP_MS). */
  catchUpMs: number;
  /** Subscriptions one tenant may have open on this instance (MAX_SUBSCRIPTIONS_PER_TENANT). */
  maxSubscriptionsPerTenant: number;
  /** How long a processed webhook is kept in the inbox (WEBHOOK_RETENTION_HOURS). @default 7 days */
  webhookRetentionMs?: number;
  /** Each committed event (metrics). */
  onRecorded?: (kind: KindName) => void;
  /** Each read of the event log: events read, seconds (metrics). */
  onLogRead?: (events: number, seconds: number) => void;
}

/**
 * One instance's tracking: start it after the store is open, stop it before the store closes. `owner`
 * names this instance in leases and inbox claims, so a crashed instance's work is recognised and taken over.
 */
export class Tracking {
  readonly owner = `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  readonly voids: Tracker<VoidOrderData>;
  readonly stops: Tracker<StopReport>;
  readonly feed: EventFeed;
  readonly subscriptions: Subscriptions;
  readonly submissions: VoidSubmission;
  readonly stopRequests: StopRequests;
  readonly cancels: CancelSubmission;
  readonly inbox: InboxProcessor;
  /** Writes of what a supplier accepted while the store failed, tried again until it takes them. */
  readonly laterWrites: LaterWrites;
  /** Every kind's engine, by kind name, in the list's order. */
  readonly trackers: ReadonlyMap<KindName, Tracker<unknown>>;
  /** The pollers: the inbox's, housekeeping, and one per kind (named after it). */
  readonly pollers: { inbox: Poller; housekeeping: Poller } & Readonly<Record<string, Poller>>;

  constructor(private readonly opts: TrackingOptions) {
    const { store, registry, pubsub, log } = opts;
    const kinds = opts.kinds ?? TRACKED_KINDS;
    this.feed = new EventFeed({ log: store.events, pubsub, logger: log, catchUpMs: opts.catchUpMs, onRead: opts.onLogRead });
    const recorded = (events: TrackedEvent[]) => {
      for (const e of events) opts.onRecorded?.(e.kind);
      this.feed.recorded(events);
    };
    const policyOf = (name: KindName): PollPolicy => {
      const policy = opts.policies[name];
      if (!policy) throw new Error(`no schedule for the tracked kind ${name}`);
      return policy;
    };
    this.trackers = new Map(
      kinds.map((k) => [
        k.name,
        new Tracker<unknown>({ kind: k.create(registry, policyOf(k.name)), records: store.tracked, log, recorded }),
      ]),
    );
    this.voids = this.tracker<VoidOrderData>("void");
    this.stops = this.tracker<StopReport>("stop");
    this.subscriptions = new Subscriptions({
      feed: this.feed,
      log: store.events,
      logger: log,
      maxPerTenant: opts.maxSubscriptionsPerTenant,
      watchers: Object.fromEntries(kinds.map((k) => [k.name, new Watchers(k.name, store.tracked, policyOf(k.name).watchedMs, log)])),
    });
    this.laterWrites = new LaterWrites(log);
    this.submissions = new VoidSubmission(store, registry, this.voids, log, opts.acceptanceVisibleMs, this.laterWrites);
    this.stopRequests = new StopRequests(this.stops, store, registry, opts.stopCheckDelayMs, log);
    this.cancels = new CancelSubmission(store, registry, log);
    this.inbox = new InboxProcessor({
      inbox: store.inbox,
      records: store.tracked,
      unsettled: store.unsettled,
      registry,
      trackers: Object.fromEntries(this.trackers),
      kinds,
      submissions: this.submissions,
      log,
    });
    const drain = (run: () => Promise<number>) => async () => {
      while ((await run()) === BATCH);
    };
    this.pollers = {
      ...Object.fromEntries(
        [...this.trackers].map(([name, tracker]) => [
          name,
          new Poller(
            `${name}s`,
            drain(() => tracker.pollDue(this.owner, BATCH, opts.leaseMs)),
            opts.tickMs,
            log,
          ),
        ]),
      ),
      inbox: new Poller(
        "inbox",
        drain(() => this.inbox.processBatch(this.owner, BATCH)),
        opts.tickMs,
        log,
      ),
      housekeeping: new Poller(
        "housekeeping",
        async () => {
          // Each step runs whatever the others did; the first failure is the run's (logged by the poller).
          const failures: unknown[] = [];
          const step = (run: () => Promise<unknown>) => run().catch((err: unknown) => void failures.push(err));
          await step(() => store.idempotency.expire(IDEMPOTENCY_TTL_MS));
          await step(() => store.quotes.expire(QUOTE_TTL_MS));
          await step(async () => {
            const retentionMs = opts.webhookRetentionMs ?? WEBHOOK_RETENTION_MS;
            for (let i = 0; i < WEBHOOK_EXPIRY_BATCHES; i++)
              if ((await store.inbox.expire(retentionMs, WEBHOOK_EXPIRY_BATCH)) < WEBHOOK_EXPIRY_BATCH) break;
          });
          await step(() => this.stopRequests.resumeLeft());
          if (failures.length) throw failures[0];
        },
        HOUSEKEEPING_MS,
        log,
      ),
    };
  }

  /** The engine of a kind; throws for a kind not in the list. */
  tracker<D>(kind: KindName): Tracker<D> {
    const tracker = this.trackers.get(kind);
    if (!tracker) throw new Error(`${kind} is not a tracked kind here`);
    return tracker as Tracker<D>;
  }

  /** A record's events, oldest first (its `history` field). */
  history<D>(key: RecordKey): Promise<Array<TrackedEvent<D>>> {
    return this.opts.store.events.history<D>(key);
  }

  /** New store loaders for one request: its record, history and order reads batched (./loaders.ts). */
  loaders(): StoreLoaders {
    const { tracked, events } = this.opts.store;
    return storeLoaders({
      getMany: (keys) => tracked.getMany(keys),
      historyMany: (keys) => events.historyMany(keys),
      byOrders: (kind, orders) => tracked.byOrders(kind, orders),
    });
  }

  async start(): Promise<void> {
    if (this.opts.soleInstance) {
      // Nobody else can hold them: a crash probe's acknowledged webhooks waited a minute after a restart.
      const { inbox, tracked } = this.opts.store;
      const [rows, leases] = await Promise.all([inbox.unclaimOthers(this.owner), tracked.releaseOthers(this.owner)]);
      if (rows + leases > 0)
        this.opts.log.info({ webhooks: rows, leases }, "took back the webhooks and leases a previous run of this store left unfinished");
    }
    await this.feed.start();
    for (const p of Object.values(this.pollers)) p.start();
  }

  pause(): void {
    for (const p of Object.values(this.pollers)) p.pause();
  }

  resume(): void {
    for (const p of Object.values(this.pollers)) p.resume();
  }

  /**
   * A webhook an intake stored claimed for this instance (`owner`): processed by this instance's
   * inbox poller, which it wakes, without claiming it from the store again.
   */
  webhookStored(row: InboxRow, hint: WebhookHint): void {
    this.inbox.accept(row, hint);
    this.pollers.inbox.kick();
  }

  /**
   * Stops the pollers and delivery, waits for their runs, and gives this instance's leases back,
   * and the webhooks handed to it and not yet processed.
   */
  async dispose(): Promise<void> {
    this.laterWrites.close();
    await Promise.all(Object.values(this.pollers).map((p) => p.dispose()));
    await this.inbox
      .release()
      .catch((err: unknown) =>
        this.opts.log.warn({ err: String(err) }, "could not give back unprocessed webhooks; they will be reclaimed"),
      );
    await this.feed.close();
    await this.opts.store.tracked
      .releaseAll(this.owner)
      .catch((err: unknown) => this.opts.log.warn({ err: String(err) }, "could not release leases; they will expire"));
  }
}
