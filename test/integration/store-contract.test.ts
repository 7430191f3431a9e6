/** One store contract, run against the embedded PGlite store and against PostgreSQL. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VoidOrderData, VoidStatusName } from "../../datasources/model.js";
import type { Store } from "../../src/store/index.js";
import { DATABASE_URL, pgliteStore, postgresStore, skipReason } from "../helpers/store.js";

const FINAL = new Set(["REFUNDED", "REJECTED", "COMPLETED", "WITHDRAWN"]);
let seq = 0;

function voidData(over: Partial<VoidOrderData> = {}): VoidOrderData {
  seq += 1;
  const status: VoidStatusName = over.status ?? "SUPPLIER_PROCESSING";
  return {
    supplier: "ATRIP",
    voidCode: `202611-${String(seq).padStart(4, "0")}-${Math.random().toString(36).slice(2, 8)}`,
    orderNo: `ORD-${seq}`,
    status,
    supplierStatus: 0,
    isFinal: FINAL.has(status),
    refundMethod: "ORIGINAL_PAYMENT",
    tickets: [],
    fare: { currency: "CNY", originalAmount: "1280.50", estimatedRefund: "1180.50" },
    actualRefund: null,
    serviceFee: null,
    expectedConfirmationDate: "2026-11-22",
    expectedRefundDate: null,
    cancelReason: null,
    message: null,
    voidOfferId: "v_1",
    ...over,
  };
}

const engines: Array<[string, () => Promise<Store>, string | false]> = [
  ["PGlite", pgliteStore, false],
  ["PostgreSQL", () => postgresStore(), DATABASE_URL ? false : skipReason("PostgreSQL store contract", "TEST_DATABASE_URL")],
];

describe.each(engines)("store contract on %s", (_name, open, skip) => {
  let store: Store;
  beforeAll(async () => {
    if (!skip) store = await open();
  });
  afterAll(async () => store?.close());

  it.skipIf(skip)("records a submitted void with its SUBMIT event, once", async () => {
    const d = voidData();
    const first = await store.voids.record("acme", d, "SUBMIT", new Date(), 60_000);
    expect(first?.event).toMatchObject({ status: "SUPPLIER_PROCESSING", previousStatus: null, source: "SUBMIT", voidCode: d.voidCode });
    expect(first?.record).toMatchObject({ tenant: "acme", orderNo: d.orderNo, status: "SUPPLIER_PROCESSING", isFinal: false });
    expect(first?.record.data.fare?.originalAmount).toBe("1280.50");
    expect(first?.record.nextPollAt!.getTime()).toBeGreaterThan(Date.now() + 50_000);
    const again = await store.voids.record("acme", d, "SUBMIT", new Date(), 60_000);
    expect(again?.event).toBeNull();
    expect(await store.voids.history({ tenant: "acme", supplier: "ATRIP", voidCode: d.voidCode })).toHaveLength(1);
  });

  it.skipIf(skip)("another tenant's void stays unknown", async () => {
    const d = voidData();
    await store.voids.record("acme", d, "SUBMIT", new Date(), 60_000);
    expect(await store.voids.record("globex", d, "QUERY", null, 60_000)).toBeNull();
    expect(await store.voids.get({ tenant: "globex", supplier: "ATRIP", voidCode: d.voidCode })).toBeNull();
    expect(await store.voids.byOrder("globex", d.orderNo)).toEqual([]);
    expect(await store.voids.events("globex", { voidCode: d.voidCode }, "0", 10)).toEqual([]);
  });

  it.skipIf(skip)("compare-and-set: racing transitions from one status yield exactly one event", async () => {
    const d = voidData();
    await store.voids.record("acme", d, "SUBMIT", new Date(), 60_000);
    const key = { tenant: "acme", supplier: "ATRIP" as const, voidCode: d.voidCode };
    const next = { ...d, status: "AIRLINE_PROCESSING" as const, supplierStatus: 1 };
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.voids.transition(key, "SUPPLIER_PROCESSING", next, i % 2 ? "POLL" : "WEBHOOK", 60_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const final = { ...d, status: "REFUNDED" as const, supplierStatus: 2, isFinal: true };
    const done = await store.voids.transition(key, "AIRLINE_PROCESSING", final, "POLL", 60_000);
    expect(done?.event).toMatchObject({ status: "REFUNDED", previousStatus: "AIRLINE_PROCESSING", isFinal: true });
    expect(done?.record.nextPollAt).toBeNull();
    expect(await store.voids.transition(key, "REFUNDED", { ...final, status: "REJECTED" }, "POLL", 1)).toBeNull();
    const history = await store.voids.history(key);
    expect(history.map((e) => e.status)).toEqual(["SUPPLIER_PROCESSING", "AIRLINE_PROCESSING", "REFUNDED"]);
    expect(BigInt(history[1].id)).toBeGreaterThan(BigInt(history[0].id));
  });

  it.skipIf(skip)("events filter by tenant, void, order and afterId", async () => {
    const a = voidData();
    const b = voidData({ orderNo: a.orderNo });
    const r1 = await store.voids.record("t-ev", a, "SUBMIT", new Date(), 60_000);
    await store.voids.record("t-ev", b, "SUBMIT", new Date(), 60_000);
    const all = await store.voids.events("t-ev", {}, "0", 100);
    expect(all.map((e) => e.voidCode)).toEqual([a.voidCode, b.voidCode]);
    expect(await store.voids.events("t-ev", { orderNo: a.orderNo }, "0", 100)).toHaveLength(2);
    expect((await store.voids.events("t-ev", { voidCode: b.voidCode }, "0", 100)).map((e) => e.voidCode)).toEqual([b.voidCode]);
    expect((await store.voids.events("t-ev", {}, r1!.event!.id, 100)).map((e) => e.voidCode)).toEqual([b.voidCode]);
    expect(await store.voids.byOrder("t-ev", a.orderNo)).toHaveLength(2);
  });

  it.skipIf(skip)("orders events by number, not by text (9 before 10), across pages", async () => {
    const tenant = `t-order-${Math.random()}`;
    for (let i = 0; i < 25; i++) await store.voids.record(tenant, voidData(), "SUBMIT", new Date(), 60_000);
    const all = await store.voids.events(tenant, {}, "0", 100);
    const ids = all.map((e) => BigInt(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const firstPage = await store.voids.events(tenant, {}, "0", 10);
    const secondPage = await store.voids.events(tenant, {}, firstPage[9].id, 10);
    expect([...firstPage, ...secondPage].map((e) => e.id)).toEqual(all.slice(0, 20).map((e) => e.id));
  });

  it.skipIf(skip)("leases: only due, open records; two owners never share one; an expired lease is taken over", async () => {
    const tenant = `t-lease-${Math.random()}`;
    const due = [voidData(), voidData(), voidData(), voidData()];
    for (const d of due) await store.voids.record(tenant, d, "SUBMIT", new Date(), 0);
    await store.voids.record(tenant, voidData(), "SUBMIT", new Date(), 3_600_000);
    await store.voids.record(tenant, voidData({ status: "REFUNDED", supplierStatus: 2 }), "SUBMIT", new Date(), 0);
    const [x, y] = await Promise.all([store.voids.leaseDue("owner-x", 100, 60_000), store.voids.leaseDue("owner-y", 100, 60_000)]);
    const mine = (list: typeof x) => list.filter((r) => r.tenant === tenant).map((r) => r.voidCode);
    const got = [...mine(x), ...mine(y)];
    expect(got.sort()).toEqual(due.map((d) => d.voidCode).sort());
    expect(new Set(got).size).toBe(got.length);
    // A crashed owner's lease expires and another takes over.
    const extra = voidData();
    await store.voids.record(tenant, extra, "SUBMIT", new Date(), 0);
    const short = mine(await store.voids.leaseDue("crashed", 100, 50));
    expect(short).toContain(extra.voidCode);
    await new Promise((r) => setTimeout(r, 120));
    expect(mine(await store.voids.leaseDue("survivor", 100, 60_000))).toContain(extra.voidCode);
    // Released with a later poll: not due any more.
    const key = { tenant, supplier: "ATRIP" as const, voidCode: extra.voidCode };
    await store.voids.releaseMany("survivor", [{ key, nextPollInMs: 3_600_000, pollAttempt: 3, report: null }]);
    expect((await store.voids.get(key))?.pollAttempt).toBe(3);
    expect(mine(await store.voids.leaseDue("z", 100, 60_000))).not.toContain(extra.voidCode);
    await store.voids.releaseAll("owner-x");
  });

  it.skipIf(skip)("a poll run's leases come back in one statement: only the owner's, the report only if the status still matches", async () => {
    const tenant = `t-rel-${Math.random()}`;
    const [same, moved, other] = [voidData(), voidData(), voidData()];
    for (const d of [same, moved, other]) await store.voids.record(tenant, d, "SUBMIT", new Date(), 0);
    const leased = (await store.voids.leaseDue("runner", 1000, 60_000)).filter((r) => r.tenant === tenant);
    expect(leased).toHaveLength(3);
    const key = (d: VoidOrderData) => ({ tenant, supplier: "ATRIP" as const, voidCode: d.voidCode });
    // While the run polled, a webhook moved one void on (which also drops the lease).
    await store.voids.transition(key(moved), "SUPPLIER_PROCESSING", { ...moved, status: "AIRLINE_PROCESSING", supplierStatus: 1 }, "WEBHOOK", 60_000);
    await store.voids.releaseMany("someone-else", [{ key: key(other), nextPollInMs: 3_600_000, pollAttempt: 9, report: null }]);
    await store.voids.releaseMany("runner", [
      { key: key(same), nextPollInMs: 3_600_000, pollAttempt: 1, report: { ...same, message: "still with the airline" } },
      { key: key(moved), nextPollInMs: 3_600_000, pollAttempt: 1, report: { ...moved, message: "stale" } },
    ]);
    const s = await store.voids.get(key(same));
    expect(s).toMatchObject({ pollAttempt: 1, status: "SUPPLIER_PROCESSING" });
    expect(s!.data.message).toBe("still with the airline");
    expect(s!.nextPollAt!.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
    const m = await store.voids.get(key(moved));
    expect(m).toMatchObject({ status: "AIRLINE_PROCESSING", pollAttempt: 0 });
    expect(m!.data.message).toBeNull();
    expect((await store.voids.get(key(other)))?.pollAttempt).toBe(0);
    // Not leased by "someone-else", so still held by the runner and not due for anyone else.
    expect((await store.voids.leaseDue("z", 1000, 60_000)).map((r) => r.voidCode)).not.toContain(other.voidCode);
  });

  it.skipIf(skip)("transitionMany: one statement for many voids; results in input order, null where the status had moved on", async () => {
    const tenant = `t-tm-${Math.random()}`;
    const ds = [voidData(), voidData(), voidData()];
    for (const d of ds) await store.voids.record(tenant, d, "SUBMIT", new Date(), 60_000);
    const key = (d: VoidOrderData) => ({ tenant, supplier: "ATRIP" as const, voidCode: d.voidCode });
    await store.voids.transition(key(ds[1]), "SUPPLIER_PROCESSING", { ...ds[1], status: "AIRLINE_PROCESSING" }, "POLL", 60_000);
    const results = await store.voids.transitionMany(
      ds.map((d, i) => ({
        key: key(d),
        from: "SUPPLIER_PROCESSING" as const,
        data: { ...d, status: i === 2 ? ("REFUNDED" as const) : ("AIRLINE_PROCESSING" as const), isFinal: i === 2, message: `m${i}` },
        source: "WEBHOOK" as const,
        nextPollInMs: 60_000,
      })),
    );
    expect(results[1]).toBeNull();
    expect(results[0]?.event).toMatchObject({ voidCode: ds[0].voidCode, previousStatus: "SUPPLIER_PROCESSING", status: "AIRLINE_PROCESSING", source: "WEBHOOK", message: "m0", isFinal: false });
    expect(results[2]?.event).toMatchObject({ voidCode: ds[2].voidCode, status: "REFUNDED", isFinal: true });
    expect(results[2]?.record).toMatchObject({ status: "REFUNDED", isFinal: true, nextPollAt: null });
    expect(BigInt(results[2]!.event.id)).toBeGreaterThan(BigInt(results[0]!.event.id));
    expect((await store.voids.history(key(ds[0]))).map((e) => e.status)).toEqual(["SUPPLIER_PROCESSING", "AIRLINE_PROCESSING"]);
    expect((await store.voids.history(key(ds[1]))).map((e) => e.source)).toEqual(["SUBMIT", "POLL"]);
    expect(await store.voids.transitionMany([])).toEqual([]);
  });

  it.skipIf(skip)("byCodes finds every tenant's record of a batch's voids, by supplier and code", async () => {
    const d = voidData();
    await store.voids.record(`t-bc-${Math.random()}`, d, "SUBMIT", new Date(), 60_000);
    const found = await store.voids.byCodes([
      { supplier: "ATRIP", voidCode: d.voidCode },
      { supplier: "ALITRIP", voidCode: d.voidCode },
      { supplier: "ATRIP", voidCode: "no-such-void" },
    ]);
    expect([...found.keys()]).toEqual([`ATRIP:${d.voidCode}`]);
    expect(found.get(`ATRIP:${d.voidCode}`)?.[0]).toMatchObject({ orderNo: d.orderNo, status: "SUPPLIER_PROCESSING" });
  });

  it.skipIf(skip)("pollSoon makes open voids due now and leaves final ones alone", async () => {
    const tenant = `t-ps-${Math.random()}`;
    const open = voidData();
    const done = voidData({ status: "REFUNDED", supplierStatus: 2 });
    for (const d of [open, done]) await store.voids.record(tenant, d, "SUBMIT", new Date(), 3_600_000);
    const key = (d: VoidOrderData) => ({ tenant, supplier: "ATRIP" as const, voidCode: d.voidCode });
    await store.voids.pollSoon([key(open), key(done)]);
    expect((await store.voids.get(key(open)))!.nextPollAt!.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
    expect((await store.voids.get(key(done)))!.nextPollAt).toBeNull();
    expect((await store.voids.leaseDue("ps", 1000, 60_000)).map((r) => r.voidCode)).toContain(open.voidCode);
  });

  it.skipIf(skip)("watch pulls the next poll forward and marks the void watched", async () => {
    const d = voidData();
    await store.voids.record("t-w", d, "SUBMIT", new Date(), 3_600_000);
    const key = { tenant: "t-w", supplier: "ATRIP" as const, voidCode: d.voidCode };
    expect((await store.voids.get(key))?.watchedUntil).toBeNull();
    await store.voids.watch("t-w", [d.voidCode], [], 30_000, 1_000);
    const r = await store.voids.get(key);
    expect(r!.nextPollAt!.getTime()).toBeLessThan(Date.now() + 5_000);
    expect(r!.watchedUntil!.getTime()).toBeGreaterThan(Date.now() + 20_000);
  });

  it.skipIf(skip)("stop requests: one per order, resolved once", async () => {
    const key = { tenant: "acme", supplier: "ATRIP" as const, orderNo: `STOP-${Math.random()}` };
    const s = await store.stops.insert(key, "trying", 0);
    expect(s).toMatchObject({ state: "PENDING", message: "trying", resolvedAt: null });
    expect((await store.stops.insert(key, "again", 0)).message).toBe("trying");
    const leased = await store.stops.leaseDue("o", 100, 60_000);
    expect(leased.map((x) => x.orderNo)).toContain(key.orderNo);
    const [a, b] = await Promise.all([store.stops.resolve(key, "STOPPED", "-3"), store.stops.resolve(key, "ISSUED", "2")]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect((await store.stops.get(key))?.resolvedAt).toBeInstanceOf(Date);
    expect(await store.stops.pendingByOrder("ATRIP", key.orderNo)).toEqual([]);
  });

  it.skipIf(skip)("webhook inbox: concurrent inserts are written together, each with its own id", async () => {
    const tag = Math.random().toString(36).slice(2);
    const ids = await Promise.all(Array.from({ length: 60 }, (_, i) => store.inbox.insert("ATRIP", "order.batch", { tag, i })));
    expect(new Set(ids).size).toBe(60);
    const claimed = await store.inbox.claim(`batch-${tag}`, 10_000, 60_000);
    const byId = new Map(claimed.map((r) => [r.id, r.payload as { tag: string; i: number }]));
    ids.forEach((id, i) => expect(byId.get(id)).toEqual({ tag, i }));
    await store.inbox.finishMany(ids.map((id) => ({ id, state: "IGNORED" as const, note: null })));
    expect((await store.inbox.countByState()).IGNORED).toBeGreaterThanOrEqual(60);
  });

  it.skipIf(skip)("webhook inbox: durable rows, claimed once, reclaimed after a crash", async () => {
    const id = await store.inbox.insert("ATRIP", "order.void", { type: "order.void", data: { voidCode: "X" } });
    const [c1, c2] = await Promise.all([store.inbox.claim("i1", 100, 60_000), store.inbox.claim("i2", 100, 60_000)]);
    const claimed = [...c1, ...c2].filter((r) => r.id === id);
    expect(claimed).toHaveLength(1);
    expect(claimed[0].payload).toEqual({ type: "order.void", data: { voidCode: "X" } });
    await new Promise((r) => setTimeout(r, 60));
    const again = await store.inbox.claim("i3", 100, 50);
    expect(again.map((r) => r.id)).toContain(id);
    await store.inbox.finishMany([{ id, state: "PROCESSED", note: null }]);
    expect((await store.inbox.claim("i4", 100, 1)).map((r) => r.id)).not.toContain(id);
    expect((await store.inbox.countByState()).PROCESSED).toBeGreaterThanOrEqual(1);
  });

  it.skipIf(skip)("webhook inbox: a row put back waits out its backoff, which grows with its attempts", async () => {
    const id = await store.inbox.insert("ATRIP", "order.void", { type: "order.void", data: { voidCode: "R" } });
    const mine = async (owner: string) => (await store.inbox.claim(owner, 1000, 60_000)).filter((r) => r.id === id);
    const backoff = { baseMs: 300, maxMs: 600 };
    expect(await mine("r1")).toHaveLength(1);
    await store.inbox.finishMany([{ id, state: "RECEIVED", note: "supplier down" }], backoff);
    expect(await mine("r2")).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 400));
    const second = await mine("r3");
    expect(second.map((r) => r.attempts)).toEqual([2]);
    // Attempt 2 waits 2 × 300 ms (capped at 600).
    await store.inbox.finishMany([{ id, state: "RECEIVED", note: "supplier down" }], backoff);
    await new Promise((r) => setTimeout(r, 400));
    expect(await mine("r4")).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(await mine("r5")).toHaveLength(1);
    await store.inbox.finishMany([{ id, state: "FAILED", note: "gave up" }]);
  });
});
