/**
 * Subscription streams, for every kind alike. A stream registers with this instance's feed
 * (src/tracking/feed.ts), which delivers every later event from the event log; with
 * `afterEventId` it first replays, from the log, the events after that id which the feed's
 * cursor already covered — exactly the ones that will not arrive live — holding live events
 * back meanwhile, starting with any smaller id that committed after that one (the log's
 * `stragglers`: events from before appends took ids in commit order). An instance whose feed has
 * not yet read up to the resume point (a wake-up on its way, Redis away) would hand over live
 * what the client already had, the resume point included: those are dropped (the log's
 * `alreadyDelivered`). No gap, no dedupe table, no duplicate.
 * Subscribing to one record or one order also marks it watched, so it is checked at least every
 * VOID_POLL_WATCHED_MS.
 *
 * Every way of leaving (the client's `complete`, a socket closed with any code, a server-side
 * close, a failed stream) ends in the iterator's `return()`, which releases the feed
 * registration, the watch mark and the count at once.
 *
 * A tenant may have `maxPerTenant` streams open on an instance (MAX_SUBSCRIPTIONS_PER_TENANT);
 * one more is refused with TOO_MANY_SUBSCRIPTIONS (hardening issue, item 7).
 */
import { GatewayError } from "../vocabulary/errors.js";
import type { Logger } from "../logger.js";
import { AsyncQueue } from "../pubsub/queue.js";
import type { TrackedEvent } from "../store/tracked-model.js";
import type { KindName } from "../vocabulary/kinds.js";
import type { EventFeed } from "./feed.js";
import type { LogReader } from "./ports.js";
import type { Watchers } from "./watchers.js";

/** What a subscription asks for: one kind, one tenant, optionally one record or one order, optionally a replay. */
export interface StreamRequest {
  kind: KindName;
  tenant: string;
  /** Only this record (a voidCode; a stop's orderNo). */
  ref?: string;
  /** Only this order's records. */
  orderNo?: string;
  /** Replay the events recorded after this one first (digits: an event id). */
  afterEventId?: string;
  /**
   * The `Last-Event-ID` of a reconnecting EventSource, when later than `afterEventId`: the stream
   * resumes after it instead. One beyond the log is dropped (`onLastEventIdDropped` is told), and
   * the stream resumes after `afterEventId` or starts live: refused, the EventSource would
   * reconnect with it every few seconds, forever (spec probe).
   */
  lastEventId?: string;
  onLastEventIdDropped?: () => void;
}

/** Where streams get their events: the feed (live), the log (replay), and the watch marks of each kind. */
export interface SubscriptionDeps {
  feed: EventFeed;
  log: LogReader;
  watchers: Partial<Record<KindName, Watchers>>;
  logger: Logger;
  /** Streams one tenant may have open at once on this instance. @default no limit */
  maxPerTenant?: number;
}

/** Events replayed per read; the next page is read once the client has taken most of this one. */
const REPLAY_PAGE = 500;

/** Opens subscription streams for the resolvers (voidStatusChanged, ticketIssuanceStopChanged). */
export class Subscriptions {
  /** Open subscription streams on this instance (metrics, tests). */
  active = 0;
  private readonly byTenant = new Map<string, number>();

  constructor(private readonly deps: SubscriptionDeps) {}

  /** The most streams one tenant has open on this instance (metrics: how near the cap). */
  get busiestTenant(): number {
    let max = 0;
    for (const n of this.byTenant.values()) if (n > max) max = n;
    return max;
  }

  /** Records and orders watched for this instance's subscribers (metrics, tests). */
  get watched(): number {
    return Object.values(this.deps.watchers).reduce((n, w) => n + (w?.size ?? 0), 0);
  }

  async stream<D>(asked: StreamRequest): Promise<AsyncIterableIterator<TrackedEvent<D>>> {
    const r = await this.resumeAt(asked);
    const open = this.byTenant.get(r.tenant) ?? 0;
    if (this.deps.maxPerTenant !== undefined && open >= this.deps.maxPerTenant) {
      throw new GatewayError("TOO_MANY_SUBSCRIPTIONS", `This tenant already has ${open} subscriptions open here, the most allowed`, {
        limit: this.deps.maxPerTenant,
        retryable: true,
        hint: "Close subscriptions you no longer need; one subscription without arguments follows all of your records.",
      });
    }
    // Counted before anything is awaited, so a burst of subscribes cannot pass the cap together.
    this.byTenant.set(r.tenant, open + 1);
    const leave = () => {
      const n = (this.byTenant.get(r.tenant) ?? 1) - 1;
      if (n) this.byTenant.set(r.tenant, n);
      else this.byTenant.delete(r.tenant);
    };
    const matches = (e: TrackedEvent) => (r.ref === undefined || e.ref === r.ref) && (r.orderNo === undefined || e.orderNo === r.orderNo);
    let holding = r.afterEventId !== undefined;
    const held: Array<TrackedEvent<D>> = [];
    /** Live events the resuming client already had (read before holding ends); each arrives once. */
    let had: Set<string> | undefined;
    const fresh = (e: TrackedEvent) => !had?.delete(e.id);
    let release = () => undefined as void;
    const queue = new AsyncQueue<TrackedEvent<D>>(() => release());
    const sink = {
      push: (e: TrackedEvent) => {
        if (!matches(e)) return;
        if (holding) held.push(e as TrackedEvent<D>);
        else if (fresh(e)) queue.push(e as TrackedEvent<D>);
      },
    };
    const target = r.ref !== undefined ? { ref: r.ref } : r.orderNo !== undefined ? { orderNo: r.orderNo } : {};
    let registration: Awaited<ReturnType<EventFeed["add"]>>;
    try {
      registration = await this.deps.feed.add({ kind: r.kind, tenant: r.tenant, ...target }, sink);
    } catch (err) {
      leave();
      throw err;
    }
    const unwatch =
      r.ref !== undefined || r.orderNo !== undefined
        ? (this.deps.watchers[r.kind]?.add(r.tenant, target) ?? (() => undefined))
        : () => undefined;
    this.active += 1;
    let released = false;
    release = () => {
      if (released) return;
      released = true;
      registration.remove();
      unwatch();
      this.active -= 1;
      leave();
    };
    if (r.afterEventId !== undefined) {
      const { cursor } = registration;
      // Side by side: the replay reads what the cursor covers, `alreadyDelivered` what it does not.
      const known = this.deps.log
        .alreadyDelivered(r.kind, r.tenant, { ref: r.ref, orderNo: r.orderNo }, r.afterEventId, cursor)
        .then((ids) => {
          if (ids.size) had = ids;
        });
      Promise.all([known, this.replay(r, cursor, queue)])
        .then(() => {
          holding = false;
          for (const e of held.splice(0)) if (fresh(e)) queue.push(e);
        })
        .catch((err: unknown) => {
          this.deps.logger.error({ err: String(err), kind: r.kind }, "replaying events failed");
          queue.fail(
            new GatewayError("SERVICE_UNAVAILABLE", "The missed events could not be read from the gateway's store; the stream was ended", {
              retryable: true,
              hint: "Subscribe again with the same afterEventId shortly.",
            }),
          );
        });
    }
    return queue;
  }

  /**
   * Where the stream resumes, by one read of the tenant's last event id. A `Last-Event-ID` within
   * the log wins; one beyond it is dropped (`onLastEventIdDropped`). An afterEventId beyond every
   * event recorded for the tenant is not from this gateway's log (another deployment's, a store
   * that was reset): resuming after it would silently skip the ids below it that are still to
   * come, so it is refused before anything is counted. The tenant's own last id, not the log's:
   * the answer says nothing of other tenants' events (the log's last id would be an exact count
   * of everyone's changes).
   */
  private async resumeAt(r: StreamRequest): Promise<StreamRequest> {
    if (r.lastEventId === undefined && r.afterEventId === undefined) return r;
    const last = BigInt(await this.lastIdOf(r.tenant));
    if (r.lastEventId !== undefined) {
      if (BigInt(r.lastEventId) <= last) return { ...r, afterEventId: r.lastEventId };
      this.deps.logger.info({ kind: r.kind }, "a Last-Event-ID beyond the event log was dropped");
      r.onLastEventIdDropped?.();
    }
    if (r.afterEventId !== undefined && BigInt(r.afterEventId) > last)
      throw new GatewayError("BAD_USER_INPUT", `afterEventId: ${r.afterEventId} is beyond the last event this gateway recorded for you`, {
        field: "afterEventId",
        hint: "It is not an id from this gateway's log: subscribe without afterEventId, and read the current state with voidOrders or ticketIssuanceStop.",
      });
    return { ...r, lastEventId: undefined };
  }

  /** The tenant's last event id; SERVICE_UNAVAILABLE when the store cannot be read. */
  private async lastIdOf(tenant: string): Promise<string> {
    return this.deps.log.lastId(tenant).catch((err: unknown) => {
      this.deps.logger.error({ err: String(err) }, "reading the event log's end failed");
      throw new GatewayError("SERVICE_UNAVAILABLE", "The gateway's store could not be read to resume after afterEventId", {
        retryable: true,
        hint: "Subscribe again with the same afterEventId shortly.",
      });
    });
  }

  /** The events after afterEventId up to the cursor, page by page at the client's pace. */
  private async replay<D>(r: StreamRequest, cursor: string, queue: AsyncQueue<TrackedEvent<D>>): Promise<void> {
    const filter = { ref: r.ref, orderNo: r.orderNo };
    let after = r.afterEventId as string;
    // Smaller ids committed after the resume point first (on PostgreSQL, only an older gateway's
    // appends without the lock, during a rolling upgrade: src/store/tracked-store.ts), then the larger ones.
    for (const e of await this.deps.log.stragglers<D>(r.kind, r.tenant, filter, after, cursor)) queue.push(e);
    for (;;) {
      await queue.whenBelow(REPLAY_PAGE);
      if (queue.closed) return;
      const page = await this.deps.log.replay<D>(r.kind, r.tenant, filter, after, cursor, REPLAY_PAGE);
      for (const e of page) queue.push(e);
      if (page.length < REPLAY_PAGE) return;
      after = page[page.length - 1].id;
    }
  }
}
