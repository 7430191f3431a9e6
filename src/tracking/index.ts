/**
 * The tracking engine of one gateway instance: the void and stop trackers, the webhook inbox
 * processor and the three pollers that drive them. Every instance runs it; leases in the
 * store split the work between instances.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { SupplierRegistry } from "../../datasources/registry.js";
import type { Logger } from "../logger.js";
import type { PubSub } from "../pubsub/index.js";
import type { Store } from "../store/index.js";
import { InboxProcessor } from "./inbox-processor.js";
import { Poller } from "./poller.js";
import type { PollPolicy } from "./schedule.js";
import { StopTracker } from "./stop-tracker.js";
import { Subscriptions } from "./subscriptions.js";
import { CancelSubmission } from "./cancel-submission.js";
import { VoidSubmission } from "./void-submission.js";
import { VoidTracker } from "./void-tracker.js";

/** Idempotency keys are kept at least this long. */
const IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000;

export interface TrackingOptions {
  store: Store;
  registry: SupplierRegistry;
  pubsub: PubSub;
  log: Logger;
  policy: PollPolicy;
  stopCheckDelayMs: number;
  /** How often the pollers look for due work (SCHEDULER_TICK_MS). */
  tickMs: number;
  /** How long a lease lasts; a crashed instance's work is taken over after this (LEASE_MS). */
  leaseMs: number;
  onPublished?: (kind: "void" | "stop") => void;
}

export class Tracking {
  readonly owner = `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  readonly voids: VoidTracker;
  readonly submissions: VoidSubmission;
  readonly cancels: CancelSubmission;
  readonly stops: StopTracker;
  readonly inbox: InboxProcessor;
  readonly subscriptions: Subscriptions;
  readonly pollers: { voids: Poller; stops: Poller; inbox: Poller; housekeeping: Poller };

  constructor(private readonly opts: TrackingOptions) {
    const { store, registry, pubsub, log, policy } = opts;
    this.voids = new VoidTracker({ store, registry, pubsub, policy, log, onPublished: () => opts.onPublished?.("void") });
    this.submissions = new VoidSubmission(store, registry, this.voids, log);
    this.cancels = new CancelSubmission(store, registry);
    this.stops = new StopTracker({ store, registry, pubsub, policy, log, checkDelayMs: opts.stopCheckDelayMs, onPublished: () => opts.onPublished?.("stop") });
    this.subscriptions = new Subscriptions({ store, pubsub, log, watchedMs: policy.watchedMs });
    const batch = 200;
    this.pollers = {
      voids: new Poller("voids", async () => {
        while ((await this.voids.pollDue(this.owner, batch, opts.leaseMs)) === batch);
      }, opts.tickMs, log),
      stops: new Poller("stops", () => this.stops.checkDue(this.owner, batch, opts.leaseMs), opts.tickMs, log),
      inbox: new Poller("inbox", async () => {
        while ((await this.inbox.processBatch(this.owner, batch)) === batch);
      }, opts.tickMs, log),
      housekeeping: new Poller("housekeeping", () => store.idempotency.expire(IDEMPOTENCY_TTL_MS), 60_000, log),
    };
    this.inbox = new InboxProcessor({
      store,
      registry,
      voids: this.voids,
      stops: this.stops,
      submissions: this.submissions,
      log,
      onStopHint: () => this.pollers.stops.kick(),
    });
  }

  start(): void {
    for (const p of Object.values(this.pollers)) p.start();
  }

  pause(): void {
    for (const p of Object.values(this.pollers)) p.pause();
  }

  resume(): void {
    for (const p of Object.values(this.pollers)) p.resume();
  }

  /** Stops the pollers, waits for their runs, and gives this instance's leases back. */
  async dispose(): Promise<void> {
    await Promise.all(Object.values(this.pollers).map((p) => p.dispose()));
    await Promise.all([this.opts.store.voids.releaseAll(this.owner), this.opts.store.stops.releaseAll(this.owner)]).catch((err: unknown) =>
      this.opts.log.warn({ err: String(err) }, "could not release leases; they will expire"),
    );
  }
}
