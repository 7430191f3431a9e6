/**
 * Subscription streams. `voidEvents` listens to one topic; with `afterEventId` it first
 * replays later events from the log and then continues live, with no gap and no duplicate:
 * it subscribes before reading the log, holds live events back during the replay, and drops
 * any live event the replay already delivered. Subscribing to one void or one order also
 * marks those voids watched, so they are polled at least every VOID_POLL_WATCHED_MS.
 */
import type { Logger } from "../logger.js";
import type { PubSub } from "../pubsub/index.js";
import { AsyncQueue } from "../pubsub/queue.js";
import type { Store } from "../store/index.js";
import type { VoidRecord } from "../store/void-store.js";
import { Watchers } from "./watchers.js";
import { stopTopics, voidEventPayload, voidTopics, type StopView, type VoidEventPayload } from "./topics.js";

export interface SubscriptionDeps {
  store: Store;
  pubsub: PubSub;
  log: Logger;
  /** VOID_POLL_WATCHED_MS */
  watchedMs: number;
}

export interface VoidEventFilter {
  voidCode?: string | null;
  orderNo?: string | null;
  afterEventId?: string | null;
}

const REPLAY_PAGE = 500;

export class Subscriptions {
  /** Open subscriptions on this instance (metrics, tests). */
  active = 0;

  private readonly watchers: Watchers;

  constructor(private readonly deps: SubscriptionDeps) {
    this.watchers = new Watchers(deps.store.voids, deps.watchedMs, deps.log);
  }

  async voidEvents(tenant: string, f: VoidEventFilter): Promise<AsyncIterableIterator<VoidEventPayload>> {
    const voidCode = f.voidCode ?? undefined;
    const orderNo = f.orderNo ?? undefined;
    const topic = voidCode ? voidTopics.code(tenant, voidCode) : orderNo ? voidTopics.order(tenant, orderNo) : voidTopics.tenant(tenant);
    const matches = (p: VoidEventPayload) => (!orderNo || p.event.orderNo === orderNo) && (!voidCode || p.event.voidCode === voidCode);

    const replaying = f.afterEventId !== undefined && f.afterEventId !== null;
    const held: VoidEventPayload[] = [];
    const replayed = new Set<string>();
    let holding = replaying;
    let unsubscribe = () => undefined as void;
    let stopWatching = () => undefined as void;
    const queue = new AsyncQueue<VoidEventPayload>(() => {
      unsubscribe();
      stopWatching();
      this.active -= 1;
    });
    this.active += 1;
    unsubscribe = await this.deps.pubsub.subscribe(topic, (payload) => {
      const p = payload as VoidEventPayload;
      if (!matches(p)) return;
      if (holding) held.push(p);
      else if (!replayed.has(p.event.id)) queue.push(p);
    });
    if (voidCode || orderNo) stopWatching = this.watchers.add(tenant, voidCode ? { voidCode } : { orderNo });
    if (replaying) {
      this.replay(tenant, { voidCode, orderNo }, String(f.afterEventId), queue, replayed)
        .then(() => {
          holding = false;
          held.sort((a, b) => Number(BigInt(a.event.id) - BigInt(b.event.id)));
          for (const p of held.splice(0)) if (!replayed.has(p.event.id)) queue.push(p);
        })
        .catch((err: unknown) => {
          this.deps.log.error({ err: String(err) }, "replaying void events failed");
          queue.fail(new Error("could not replay missed events; try again"));
        });
    }
    return queue;
  }

  async stopChanges(tenant: string, orderNo: string | null | undefined): Promise<AsyncIterableIterator<StopView>> {
    const topic = orderNo ? stopTopics.order(tenant, orderNo) : stopTopics.tenant(tenant);
    let unsubscribe = () => undefined as void;
    const queue = new AsyncQueue<StopView>(() => {
      unsubscribe();
      this.active -= 1;
    });
    this.active += 1;
    unsubscribe = await this.deps.pubsub.subscribe(topic, (p) => queue.push(p as StopView));
    return queue;
  }

  private async replay(
    tenant: string,
    filter: { voidCode?: string; orderNo?: string },
    afterId: string,
    queue: AsyncQueue<VoidEventPayload>,
    replayed: Set<string>,
  ): Promise<void> {
    const records = new Map<string, VoidRecord | null>();
    let cursor = afterId;
    for (;;) {
      const page = await this.deps.store.voids.events(tenant, filter, cursor, REPLAY_PAGE);
      for (const e of page) {
        const k = `${e.supplier}/${e.voidCode}`;
        if (!records.has(k)) records.set(k, await this.deps.store.voids.get({ tenant, supplier: e.supplier, voidCode: e.voidCode }));
        const record = records.get(k);
        if (!record) continue;
        replayed.add(e.id);
        queue.push({ ...voidEventPayload(e, record), replayed: true });
      }
      if (page.length < REPLAY_PAGE) return;
      cursor = page[page.length - 1].id;
    }
  }
}
