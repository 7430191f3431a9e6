/**
 * Reading the event log in commit order, on both engines: every committed event is "new"
 * in exactly one read, pages hand over without gap, a replay covers exactly what a cursor
 * covers — and on PostgreSQL, an event whose id was taken first but committed last is not
 * skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { MemoryPubSub } from "../../src/pubsub/memory.js";
import type { Sql } from "../../src/store/db.js";
import type { VoidOrderData } from "../../datasources/model.js";
import { EventLog } from "../../src/store/event-log.js";
import type { Store } from "../../src/store/index.js";
import type { TrackedEvent, Transition } from "../../src/store/tracked-model.js";
import { IN_COMMIT_ORDER } from "../../src/store/tracked-store.js";
import { EventFeed } from "../../src/tracking/feed.js";
import { Subscriptions } from "../../src/tracking/subscriptions.js";
import { newVoid, voidData, voidKey } from "../helpers/records.js";
import { DATABASE_URL, pgliteStore, postgresStore, skipReason } from "../helpers/store.js";

const engines: Array<[string, () => Promise<Store>, string | false]> = [
  ["PGlite", pgliteStore, false],
  ["PostgreSQL", () => postgresStore(), DATABASE_URL ? false : skipReason("PostgreSQL event log", "TEST_DATABASE_URL")],
];

/** Appends one bare event, as a writer would, on `sql` (the database or an open transaction). */
async function append(sql: Sql, tenant: string, ref: string): Promise<string> {
  const rows = await sql.query<{ id: string }>(
    `INSERT INTO tracked_events (kind, tenant, supplier, ref, order_no, status, is_final, source, data)
     VALUES ('void', $1, 'ATRIP', $2, 'O', 'SUPPLIER_PROCESSING', false, 'SUBMIT', '{}'::jsonb) RETURNING id::text AS id`,
    [tenant, ref],
  );
  return rows[0].id;
}

/** Appends one event in a transaction left open: its id is taken, its commit waits for `commit()`. */
async function openAppend(store: Store, tenant: string, ref: string): Promise<{ id: string; commit: () => Promise<void> }> {
  let mayCommit!: () => void;
  const waiting = new Promise<void>((r) => (mayCommit = r));
  let appended!: (id: string) => void;
  const id = new Promise<string>((r) => (appended = r));
  const done = store.db.tx(async (sql) => {
    appended(await append(sql, tenant, ref));
    await waiting;
  });
  return {
    id: await id,
    commit: async () => {
      mayCommit();
      await done;
    },
  };
}

/** Another writer's append under way: the append lock taken on a connection of its own, its commit waiting for `commit()`. */
async function holdAppendLock(store: Store): Promise<{ commit: () => Promise<void> }> {
  let mayCommit!: () => void;
  const waiting = new Promise<void>((r) => (mayCommit = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const done = store.db.tx(async (sql) => {
    await sql.query(`SELECT 1 WHERE ${IN_COMMIT_ORDER}`);
    locked();
    await waiting;
  });
  await isLocked;
  return {
    commit: async () => {
      mayCommit();
      await done;
    },
  };
}

/** A void's move from the status it was created with to `to`. */
const change = (tenant: string, d: VoidOrderData, to: VoidOrderData["status"]): Transition<VoidOrderData> => ({
  key: voidKey(tenant, d),
  from: d.status,
  status: to,
  isFinal: false,
  data: { ...d, status: to },
  source: "POLL",
  message: null,
  nextCheckInMs: 60_000,
});

/** Every event new since `cursor`, reading page by page; returns their refs and the cursor after. */
async function drain(
  store: Store,
  cursor: string,
  pageSize = 1000,
): Promise<{ refs: string[]; ids: string[]; cursor: string; pages: number }> {
  const refs: string[] = [];
  const ids: string[] = [];
  let pages = 0;
  for (;;) {
    const page = await store.events.since(cursor, pageSize);
    pages += 1;
    cursor = page.cursor;
    refs.push(...page.events.map((e) => e.ref));
    ids.push(...page.events.map((e) => e.id));
    if (page.events.length < pageSize) return { refs, ids, cursor, pages };
  }
}

describe.each(engines)("event log on %s", (_name, open, skip) => {
  let store: Store;
  beforeAll(async () => {
    if (!skip) store = await open();
  });
  afterAll(async () => store?.close());

  it.skipIf(skip)("each committed event is new in exactly one read, with the record's report and times", async () => {
    const cursor = await store.events.head();
    const tenant = `t-${Math.random()}`;
    const d = voidData();
    await store.tracked.insert(newVoid(tenant, d));
    const first = await drain(store, cursor);
    const mine = (await store.events.since(cursor, 1000)).events.filter((e) => e.tenant === tenant);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ kind: "void", ref: d.voidCode, orderNo: d.orderNo, status: "SUPPLIER_PROCESSING", source: "SUBMIT" });
    expect(mine[0].startedAt).toBeInstanceOf(Date);
    expect(first.refs).toContain(d.voidCode);
    const again = await drain(store, first.cursor);
    expect(again.refs).not.toContain(d.voidCode);
  });

  it.skipIf(skip)("a large read comes in pages that together hold every event once, in id order", async () => {
    const tenant = `t-page-${Math.random()}`;
    const cursor = await store.events.head();
    for (let i = 0; i < 25; i++) await append(store.db, tenant, `P-${i}`);
    const paged = await drain(store, cursor, 10);
    const mine = paged.refs.filter((r) => r.startsWith("P-"));
    expect(mine).toEqual(Array.from({ length: 25 }, (_, i) => `P-${i}`));
    expect(paged.pages).toBeGreaterThanOrEqual(3);
    const ids = paged.ids.map(BigInt);
    expect([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(ids);
    expect((await drain(store, paged.cursor)).refs.filter((r) => r.startsWith("P-"))).toEqual([]);
  });

  it.skipIf(skip)("a replay up to a cursor holds what the cursor covers, and nothing after it", async () => {
    const tenant = `t-replay-${Math.random()}`;
    const before = await append(store.db, tenant, "R-0");
    await append(store.db, tenant, "R-1");
    await append(store.db, tenant, "R-2");
    const cursor = await store.events.head();
    await append(store.db, tenant, "R-3");
    const replay = await store.events.replay("void", tenant, {}, before, cursor, 100);
    expect(replay.map((e) => e.ref)).toEqual(["R-1", "R-2"]);
    expect(replay.every((e) => e.replayed)).toBe(true);
    expect((await drain(store, cursor)).refs).toContain("R-3");
    expect((await store.events.replay("void", tenant, { ref: "R-2" }, "0", await store.events.head(), 100)).map((e) => e.ref)).toEqual([
      "R-2",
    ]);
  });

  it.skipIf(skip)("rejects a cursor that is not one", async () => {
    await expect(store.events.since("12; DROP TABLE tracked", 10)).rejects.toThrow(/cursor/);
  });

  it.skipIf(skip || _name !== "PostgreSQL")("an event whose id was taken first but committed last is delivered, once", async () => {
    const tenant = `t-order-${Math.random()}`;
    let cursor = await store.events.head();
    // Writer 1 takes the smaller id and stays open; writer 2 takes the next id and commits.
    const slow = await openAppend(store, tenant, "SLOW");
    const fastId = await append(store.db, tenant, "FAST");
    expect(BigInt(slow.id)).toBeLessThan(BigInt(fastId));

    const first = await drain(store, cursor);
    expect(first.refs.filter((r) => r === "FAST" || r === "SLOW")).toEqual(["FAST"]);
    cursor = first.cursor;
    // Meanwhile a replay up to this cursor must not claim the slow event either.
    expect((await store.events.replay("void", tenant, {}, "0", cursor, 100)).map((e) => e.ref)).toEqual(["FAST"]);

    await slow.commit();
    const second = await drain(store, cursor);
    expect(second.refs.filter((r) => r === "FAST" || r === "SLOW")).toEqual(["SLOW"]);
    expect((await drain(store, second.cursor)).refs.filter((r) => r === "FAST" || r === "SLOW")).toEqual([]);
  });

  it.skipIf(skip || _name !== "PostgreSQL")(
    "a subscriber gets the later-committed smaller id too, after the other, once each",
    async () => {
      const tenant = `t-sub-${Math.random()}`;
      const feed = new EventFeed({ log: store.events, pubsub: new MemoryPubSub(), logger: createLogger("silent"), catchUpMs: 50 });
      await feed.start();
      const subs = new Subscriptions({ feed, log: store.events, logger: createLogger("silent"), watchers: {} });
      const stream = await subs.stream<unknown>({ kind: "void", tenant });
      const slow = await openAppend(store, tenant, "SLOW");
      await append(store.db, tenant, "FAST");
      const first = (await stream.next()).value as TrackedEvent;
      expect(first.ref).toBe("FAST");
      await slow.commit();
      const second = (await stream.next()).value as TrackedEvent;
      expect(second.ref).toBe("SLOW");
      expect(BigInt(second.id)).toBeLessThan(BigInt(first.id));
      const third = await Promise.race([stream.next(), new Promise((r) => setTimeout(() => r("nothing"), 200))]);
      expect(third).toBe("nothing");
      await stream.return!();
      await feed.close();
    },
  );

  it.skipIf(skip || _name !== "PostgreSQL")(
    "a subscriber resuming after the larger id, committed first, is replayed the smaller one that committed after it",
    async () => {
      const tenant = `t-resume-${Math.random()}`;
      await append(store.db, tenant, "BEFORE");
      const slow = await openAppend(store, tenant, "SLOW");
      // The client received FAST and dropped; SLOW, with the smaller id, committed after that.
      const fastId = await append(store.db, tenant, "FAST");
      await slow.commit();
      await append(store.db, tenant, "AFTER");
      const cursor = await store.events.head();
      expect((await store.events.stragglers("void", tenant, {}, fastId, cursor)).map((e) => e.ref)).toEqual(["SLOW"]);
      expect((await store.events.stragglers("void", tenant, { ref: "OTHER" }, fastId, cursor)).map((e) => e.ref)).toEqual([]);
      expect((await store.events.stragglers("void", "another-tenant", {}, fastId, cursor)).map((e) => e.ref)).toEqual([]);

      const feed = new EventFeed({ log: store.events, pubsub: new MemoryPubSub(), logger: createLogger("silent"), catchUpMs: 50 });
      await feed.start();
      const subs = new Subscriptions({ feed, log: store.events, logger: createLogger("silent"), watchers: {} });
      const stream = await subs.stream<unknown>({ kind: "void", tenant, afterEventId: fastId });
      const got = [(await stream.next()).value, (await stream.next()).value].map((e: TrackedEvent) => e.ref);
      expect(got).toEqual(["SLOW", "AFTER"]);
      const third = await Promise.race([stream.next(), new Promise((r) => setTimeout(() => r("nothing"), 200))]);
      expect(third).toBe("nothing");
      await stream.return!();
      await feed.close();
    },
  );

  it.skipIf(skip)(
    "what a cursor behind the resume point would hand over live that the client already had: the resume point and what came before it",
    async () => {
      const tenant = `t-had-${Math.random()}`;
      const cursor = await store.events.head();
      const before = await append(store.db, tenant, "BEFORE");
      const point = await append(store.db, tenant, "POINT");
      const after = await append(store.db, tenant, "AFTER");
      const had = await store.events.alreadyDelivered("void", tenant, {}, point, cursor);
      expect([...had].sort()).toEqual([before, point].sort());
      expect(had.has(after)).toBe(false);
      expect([...(await store.events.alreadyDelivered("void", tenant, { ref: "POINT" }, point, cursor))]).toEqual([point]);
      // A cursor past them: nothing of them arrives live, so nothing to drop.
      expect((await store.events.alreadyDelivered("void", tenant, {}, point, await store.events.head())).size).toBe(0);
      // A resume point not written yet: every committed event up to it counts as had.
      expect((await store.events.alreadyDelivered("void", tenant, {}, "999999999999", cursor)).size).toBe(3);
      expect((await store.events.alreadyDelivered("void", "another-tenant", {}, point, cursor)).size).toBe(0);
    },
  );

  it.skipIf(skip || _name !== "PostgreSQL")("a smaller id committed after the resume point is not among what the client had", async () => {
    const tenant = `t-had-slow-${Math.random()}`;
    const cursor = await store.events.head();
    const early = await append(store.db, tenant, "EARLY");
    const slow = await openAppend(store, tenant, "SLOW");
    const fastId = await append(store.db, tenant, "FAST");
    await slow.commit();
    const had = await store.events.alreadyDelivered("void", tenant, {}, fastId, cursor);
    expect([...had].sort()).toEqual([early, fastId].sort());
  });

  it.skipIf(skip || _name !== "PostgreSQL")(
    "an append waits for an append under way on another connection to commit, so ids are taken in commit order",
    async () => {
      const tenant = `t-lock-${Math.random()}`;
      // Another writer's append, its lock taken and its commit held back.
      const other = await holdAppendLock(store);
      let done = false;
      const mine = store.tracked.insert(newVoid(tenant, voidData())).then((r) => ((done = true), r));
      await new Promise((r) => setTimeout(r, 300));
      expect(done).toBe(false);
      await other.commit();
      expect((await mine)?.event).toBeTruthy();
      // Other schemas' appends do not wait on this one's lock.
      const elsewhere = await postgresStore();
      try {
        const again = store.db.tx(async (sql) => {
          await sql.query(`SELECT 1 WHERE ${IN_COMMIT_ORDER}`);
          expect((await elsewhere.tracked.insert(newVoid(tenant, voidData())))?.event).toBeTruthy();
        });
        await again;
      } finally {
        await elsewhere.close();
      }
    },
  );

  it.skipIf(skip || _name !== "PostgreSQL")(
    "two batches of changes waiting for the lock, one holding a record of the other: both finish, no deadlock",
    async () => {
      const tenant = `t-batch-${Math.random()}`;
      const [r1, r2] = [voidData(), voidData()];
      for (const d of [r1, r2]) await store.tracked.insert(newVoid(tenant, d));
      const move = (d: VoidOrderData, to: VoidOrderData["status"]) => change(tenant, d, to);
      // Another writer holds the lock while both batches start.
      const other = await holdAppendLock(store);
      const both = store.tracked.transitionMany([move(r1, "AIRLINE_PROCESSING"), move(r2, "AIRLINE_PROCESSING")]);
      await new Promise((r) => setTimeout(r, 200));
      const one = store.tracked.transitionMany([move(r2, "AIRLINE_REFUNDING")]);
      await new Promise((r) => setTimeout(r, 200));
      await other.commit();
      const [a, b] = await Promise.all([both, one]);
      // The batch that took the lock first moved both records; the other found r2 moved and lost its compare-and-set.
      expect(a.map((x) => x?.event.status)).toEqual(["AIRLINE_PROCESSING", "AIRLINE_PROCESSING"]);
      expect(b).toEqual([null]);
    },
  );

  it.skipIf(skip || _name !== "PostgreSQL")(
    "an older gateway's append without the lock that commits after a later one is a straggler of it: replayed, not lost",
    async () => {
      const tenant = `t-upgrade-${Math.random()}`;
      const cursor = await store.events.head();
      // The older gateway takes its id and has not committed yet; this one appends under the lock and commits.
      const old = await openAppend(store, tenant, "OLD");
      const point = (await store.tracked.insert(newVoid(tenant, voidData())))!.event!.id;
      expect(BigInt(old.id)).toBeLessThan(BigInt(point));
      await old.commit();
      expect((await store.events.stragglers("void", tenant, {}, point, await store.events.head())).map((e) => e.ref)).toEqual(["OLD"]);
      expect((await store.events.alreadyDelivered("void", tenant, {}, point, cursor)).has(old.id)).toBe(false);
    },
  );

  it.skipIf(skip || _name !== "PostgreSQL")(
    "two instances appending at once: events commit in id order, so a resume after any of them repeats none and misses none",
    async () => {
      const tenant = `t-two-${Math.random()}`;
      const second = await postgresStore((store as Store & { schema: string }).schema);
      const feed = new EventFeed({ log: store.events, pubsub: new MemoryPubSub(), logger: createLogger("silent"), catchUpMs: 20 });
      await feed.start();
      const subs = new Subscriptions({ feed, log: store.events, logger: createLogger("silent"), watchers: {} });
      try {
        const live = await subs.stream<unknown>({ kind: "void", tenant });
        const records = Array.from({ length: 30 }, () => voidData());
        const count = records.length * 2;
        // Each store's pool has 5 connections: up to ten appends in flight at once, as from two
        // instances; first each record's insert, then a change of each.
        const by = (i: number) => (i % 2 ? second : store).tracked;
        await Promise.all(records.map((d, i) => by(i).insert(newVoid(tenant, d))));
        const moved = await Promise.all(records.map((d, i) => by(i).transitionMany([change(tenant, d, "AIRLINE_PROCESSING")])));
        expect(moved.every(([m]) => m !== null)).toBe(true);
        const ids: bigint[] = [];
        for (let i = 0; i < count; i++) ids.push(BigInt(((await live.next()).value as TrackedEvent).id));
        await live.return!();
        // Delivered in commit order, which is id order.
        expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : 1)));
        for (const at of [0, count / 2, count - 2]) {
          const after = String(ids[at]);
          expect(await store.events.stragglers("void", tenant, {}, after, await store.events.head())).toEqual([]);
          const resumed = await subs.stream<unknown>({ kind: "void", tenant, afterEventId: after });
          const got: bigint[] = [];
          for (let i = at + 1; i < count; i++) got.push(BigInt(((await resumed.next()).value as TrackedEvent).id));
          expect(got).toEqual(ids.slice(at + 1));
          expect(await Promise.race([resumed.next(), new Promise((r) => setTimeout(() => r("nothing"), 200))])).toBe("nothing");
          await resumed.return!();
        }
      } finally {
        await feed.close();
        await second.db.close();
      }
    },
  );

  it.skipIf(skip)("a resume point with nothing committed after it out of order has no stragglers", async () => {
    const tenant = `t-straight-${Math.random()}`;
    await append(store.db, tenant, "S-0");
    const last = await append(store.db, tenant, "S-1");
    expect(await store.events.stragglers("void", tenant, {}, last, await store.events.head())).toEqual([]);
    expect(await store.events.stragglers("void", tenant, {}, "999999999999", await store.events.head())).toEqual([]);
  });
});

describe.each(engines)("delivery reads on %s before the log has statistics", (_name, open, skip) => {
  let store: Store;
  beforeAll(async () => {
    if (skip) return;
    // A store the planner knows nothing about yet (no ANALYZE: PGlite's upkeep is off here, and
    // a new PostgreSQL schema waits for autovacuum), holding what a busy first minute leaves:
    // 10,000 voids, each with its first event.
    store = _name === "PGlite" ? await pgliteStore({ maintenance: false }) : await open();
    await store.db.query(
      `INSERT INTO tracked (kind, tenant, supplier, ref, order_no, status, is_final, data, started_at, updated_at, next_check_at)
       SELECT 'void', 't', 'ATRIP', 'V' || g, 'O' || g, '0', false, '{}'::jsonb, now(), now(), now() FROM generate_series(1, 10000) g`,
    );
    await store.db.query(
      `INSERT INTO tracked_events (kind, tenant, supplier, ref, order_no, status, is_final, source)
       SELECT 'void', 't', 'ATRIP', 'V' || g, 'O' || g, '0', false, 'SUBMIT' FROM generate_series(1, 10000) g`,
    );
  });
  afterAll(async () => store?.close());

  it.skipIf(skip)(
    "find the new events by the tx index and each record by its key: no walk of the log, no hash of the records",
    async () => {
      const cursor = await store.events.head();
      await append(store.db, "t", "V7");
      // The statement delivery runs, as it runs it, explained with the same parameters.
      let statement: { text: string; params: unknown[] } | undefined;
      const log = new EventLog({
        ...store.db,
        query: <T>(text: string, params: unknown[] = []) => {
          statement = { text, params };
          return store.db.query<T>(text, params);
        },
      });
      const page = await log.since(cursor, 1000);
      expect(page.events.map((e) => e.ref)).toEqual(["V7"]);
      const plan = (await store.db.query<{ "QUERY PLAN": string }>(`EXPLAIN ${statement!.text}`, statement!.params))
        .map((r) => r["QUERY PLAN"])
        .join("\n");
      expect(plan).toMatch(/Index Cond: \(tx >=/);
      expect(plan).not.toContain("tracked_events_pkey");
      expect(plan).not.toContain("Seq Scan");
      expect(plan).not.toContain("Hash");
    },
  );
});
