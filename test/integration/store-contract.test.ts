/** One store contract, run against the embedded PGlite store and against PostgreSQL. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VoidOrderData } from "../../datasources/model.js";
import { refusedForGood, StoreUnavailableError } from "../../src/store/errors.js";
import type { Store } from "../../src/store/index.js";
import type { RecordKey, Transition } from "../../src/store/tracked-model.js";
import type { Unsettled } from "../../src/store/unsettled-store.js";
import type { KindName } from "../../src/vocabulary/kinds.js";
import { newVoid, voidData, voidKey } from "../helpers/records.js";
import { DATABASE_URL, pgliteStore, postgresStore, skipReason } from "../helpers/store.js";

const engines: Array<[string, () => Promise<Store>, string | false]> = [
  ["PGlite", pgliteStore, false],
  ["PostgreSQL", () => postgresStore(), DATABASE_URL ? false : skipReason("PostgreSQL store contract", "TEST_DATABASE_URL")],
];

/** A transition of a void to the status `to` reports. */
function move(
  key: RecordKey,
  from: string,
  to: VoidOrderData,
  source: Transition["source"] = "POLL",
  nextCheckInMs = 60_000,
): Transition<VoidOrderData> {
  return { key, from, status: to.status, isFinal: to.isFinal, data: to, source, message: to.message, nextCheckInMs };
}

describe.each(engines)("store contract on %s", (_name, open, skip) => {
  let store: Store;
  beforeAll(async () => {
    if (!skip) store = await open();
  });
  afterAll(async () => store?.close());

  it.skipIf(skip)(
    "an order's mark: one claim at a time, taken over by one request, and each request acts only on its own claim",
    async () => {
      const u = store.unsettled;
      const orderNo = `MARK-${Math.random().toString(36).slice(2)}`;
      const key = ["acme", "ATRIP", "VOID", orderNo] as const;
      const claims = await Promise.all([u.claim(...key, 60_000), u.claim(...key, 60_000)]);
      const won = claims.filter((c) => "claimId" in c);
      expect(won).toHaveLength(1);
      const mine = (won[0] as { claimId: string }).claimId;
      const seen = (claims.find((c) => "earlier" in c) as { earlier: Unsettled }).earlier;
      expect(seen).toMatchObject({ claimId: mine });
      expect(seen.inFlightMs).toBeGreaterThan(55_000); // by the database's clock
      expect(await u.takeOver(seen, 60_000)).toBeNull(); // in flight: nobody takes it over
      // Another request's claim id acts on nothing.
      await u.settle(...key, "someone-else");
      await u.mark(...key, "lost", "someone-else");
      expect(await u.get(...key)).toMatchObject({ claimId: mine });
      // The reply is lost: the claim becomes a mark nobody holds.
      await u.mark(...key, "lost", mine);
      const lost = (await u.get(...key))!;
      expect(lost).toMatchObject({ claimId: null, inFlightMs: 0, heldElsewhere: false });
      const unheld = async () => (await u.unheld("VOID", 10_000)).map((m) => m.orderNo);
      expect(await unheld()).toContain(orderNo);
      // Two requests take it over as they read it: one wins; the other is told nothing.
      const taken = await Promise.all([u.takeOver(lost, 60_000), u.takeOver(lost, 60_000)]);
      expect(taken.filter(Boolean)).toHaveLength(1);
      const holder = taken.find(Boolean)!;
      expect(holder.since.getTime()).toBe(lost.since.getTime());
      // Refused because the supplier holds one made elsewhere (another order): the mark says so, under its own claim only.
      const other = ["acme", "ATRIP", "VOID", `${orderNo}-B`] as const;
      const refused = (await u.claim(...other, 60_000)) as { claimId: string };
      await u.mark(...other, "already submitted", "someone-else", true);
      expect(await u.get(...other)).toMatchObject({ claimId: refused.claimId, heldElsewhere: false });
      await u.mark(...other, "already submitted", refused.claimId, true);
      expect(await u.get(...other)).toMatchObject({ claimId: null, heldElsewhere: true });
      expect(await u.takeOver((await u.get(...other))!, 60_000)).toMatchObject({ heldElsewhere: true, acceptedRef: null });
      // Answered as accepted, naming what the supplier made: the mark keeps it, through a takeover.
      const accepted = ["acme", "ATRIP", "VOID", `${orderNo}-C`] as const;
      const sent = (await u.claim(...accepted, 60_000)) as { claimId: string };
      await u.mark(...accepted, "accepted, unreadable", sent.claimId, false, "202612-0001ABCD");
      const kept = (await u.get(...accepted))!;
      expect(kept).toMatchObject({ claimId: null, acceptedRef: "202612-0001ABCD" });
      expect(await u.takeOver(kept, 60_000)).toMatchObject({ acceptedRef: "202612-0001ABCD" });
      // Written late (the claim's own write failed): onto the order's mark whoever holds it, or as a new one.
      const late = ["acme", "ATRIP", "VOID", `${orderNo}-D`] as const;
      const held = (await u.claim(...late, 60_000)) as { claimId: string };
      await u.noteAccepted(...late, "accepted, written late", "202612-0002ABCD");
      expect(await u.get(...late)).toMatchObject({ claimId: held.claimId, acceptedRef: "202612-0002ABCD" });
      const none = ["acme", "ATRIP", "VOID", `${orderNo}-E`] as const;
      await u.noteAccepted(...none, "accepted, written late", "202612-0003ABCD");
      expect(await u.get(...none)).toMatchObject({ claimId: null, acceptedRef: "202612-0003ABCD" });
      expect(await unheld()).not.toContain(orderNo);
      await u.settleUnheld(...key); // a webhook leaves a held mark alone
      expect(await u.get(...key)).not.toBeNull();
      await u.restore(...key, holder.claimId!);
      expect(await u.get(...key)).toMatchObject({ claimId: null, inFlightMs: 0, since: lost.since });
      // A sender that stopped mid-call: taken over, its time becomes the end of that call.
      await store.db.query(
        "UPDATE unsettled_submissions SET claim_id = 'gone', in_flight_until = now() - interval '1 minute', since = now() - interval '2 minutes' WHERE order_no = $1",
        [orderNo],
      );
      const stopped = (await u.get(...key))!;
      const resumed = (await u.takeOver(stopped, 60_000))!;
      expect(resumed.since.getTime() - stopped.since.getTime()).toBeGreaterThan(50_000);
      // ...while when the call was sent stays: the claim's time, through the lost reply and both takeovers.
      expect(resumed.sentAt).not.toBeNull();
      expect(resumed.sentAt!.getTime()).toBeLessThanOrEqual(lost.since.getTime());
      expect(resumed.sentAt!.getTime()).toBe(seen.sentAt!.getTime());
      // Sent again by its new holder: sent now.
      await u.resent(...key, "someone-else");
      expect((await u.get(...key))!.sentAt!.getTime()).toBe(seen.sentAt!.getTime());
      await u.resent(...key, resumed.claimId!);
      expect((await u.get(...key))!.sentAt!.getTime()).toBeGreaterThan(seen.sentAt!.getTime());
      await u.settle(...key, resumed.claimId!);
      expect(await u.get(...key)).toBeNull();
    },
  );

  it.skipIf(skip)("void quotes: the latest per tenant's order, forgotten on demand, expired by age", async () => {
    const q = store.quotes;
    const orderNo = `Q-${Math.random().toString(36).slice(2)}`;
    expect(await q.latest("acme", "ATRIP", orderNo)).toBeNull();
    await q.record("acme", "ATRIP", orderNo, "v_1", true);
    await q.record("acme", "ATRIP", orderNo, "v_2", false);
    expect(await q.latest("acme", "ATRIP", orderNo)).toMatchObject({ offerId: "v_2", voidable: false });
    expect(await q.latest("globex", "ATRIP", orderNo)).toBeNull();
    await q.record("globex", "ATRIP", orderNo, null, false);
    // Forgotten only if recorded before the time given (a quote made after a check began stays).
    await q.forget("acme", "ATRIP", orderNo, new Date(Date.now() - 60_000));
    expect(await q.latest("acme", "ATRIP", orderNo)).toMatchObject({ offerId: "v_2" });
    await new Promise((r) => setTimeout(r, 5));
    await q.forget("acme", "ATRIP", orderNo, new Date());
    expect(await q.latest("acme", "ATRIP", orderNo)).toBeNull();
    expect(await q.latest("globex", "ATRIP", orderNo)).toMatchObject({ offerId: null, voidable: false });
    await new Promise((r) => setTimeout(r, 20));
    expect(await q.expire(60_000)).toBe(0);
    expect(await q.expire(10)).toBeGreaterThanOrEqual(1);
    expect(await q.latest("globex", "ATRIP", orderNo)).toBeNull();
  });

  it.skipIf(skip)("an order has one owner per supplier account: concurrent claims, one winner; only the owner gives it back", async () => {
    const orderNo = `OWN-${Math.random().toString(36).slice(2)}`;
    const claims = await Promise.all(
      ["acme", "globex", "initech", "acme"].map((tenant) => store.owners.claim("ATRIP", "shared", orderNo, tenant)),
    );
    const winner = claims.find((c) => c.fresh)!.tenant;
    expect(claims.filter((c) => c.fresh)).toHaveLength(1);
    expect(claims.map((c) => c.tenant)).toEqual([winner, winner, winner, winner]);
    expect(await store.owners.holder("ATRIP", "shared", orderNo)).toBe(winner);
    // Another account, another owner.
    expect(await store.owners.claim("ATRIP", "own:zeta", orderNo, "zeta")).toEqual({ tenant: "zeta", fresh: true });
    await store.owners.release("ATRIP", "shared", orderNo, winner === "acme" ? "globex" : "acme");
    expect(await store.owners.holder("ATRIP", "shared", orderNo)).toBe(winner);
    await store.owners.release("ATRIP", "shared", orderNo, winner);
    expect(await store.owners.holder("ATRIP", "shared", orderNo)).toBeNull();
  });

  it.skipIf(skip)("starts tracking a record with its first event, once", async () => {
    const d = voidData();
    const first = await store.tracked.insert(newVoid("acme", d));
    expect(first?.event).toMatchObject({
      kind: "void",
      status: "SUPPLIER_PROCESSING",
      previousStatus: null,
      source: "SUBMIT",
      ref: d.voidCode,
      orderNo: d.orderNo,
    });
    expect(first?.event?.data.fare?.originalAmount).toBe("1280.50");
    expect(first?.record).toMatchObject({
      tenant: "acme",
      orderNo: d.orderNo,
      status: "SUPPLIER_PROCESSING",
      isFinal: false,
      checkAttempt: 0,
    });
    expect(first?.record.startedAt).toBeInstanceOf(Date);
    expect(first?.record.nextCheckAt!.getTime()).toBeGreaterThan(Date.now() + 50_000);
    const again = await store.tracked.insert(newVoid("acme", d));
    expect(again?.event).toBeNull();
    expect(await store.events.history(voidKey("acme", d))).toHaveLength(1);
    const adopted = await store.tracked.insert(newVoid("acme", voidData(), { started: false, source: "QUERY" }));
    expect(adopted?.record.startedAt).toBeNull();
    // A submission whose reply was lost, recorded later: started when it was sent.
    const sentAt = new Date("2026-11-21T08:30:00.123Z");
    const late = await store.tracked.insert(newVoid("acme", voidData(), { started: sentAt, source: "WEBHOOK" }));
    expect(late?.record.startedAt?.toISOString()).toBe(sentAt.toISOString());
    expect(late?.event).toMatchObject({ source: "WEBHOOK" });
  });

  it.skipIf(skip)("a tenant's last event id: the largest of its own events of every kind, never another tenant's", async () => {
    const [t1, t2, none] = ["last-a", "last-b", "last-none"].map((t) => `${t}-${Math.random().toString(36).slice(2)}`);
    const stop = (tenant: string) => {
      const r = newVoid(tenant, voidData());
      return { ...r, key: { ...r.key, kind: "stop" as KindName } };
    };
    const id = async (p: Promise<{ event: { id: string } | null } | null>) => (await p)!.event!.id;
    const aVoid = await id(store.tracked.insert(newVoid(t1, voidData())));
    const aStop = await id(store.tracked.insert(stop(t1)));
    await store.tracked.insert(newVoid(t2, voidData()));
    expect(BigInt(aStop)).toBeGreaterThan(BigInt(aVoid));
    expect(await store.events.lastId(t1)).toBe(aStop);
    // A later void of t1's is its last, even with t1's stop (a kind sorted after) behind it.
    const later = await id(store.tracked.insert(newVoid(t1, voidData())));
    await store.tracked.insert(stop(t2));
    expect(await store.events.lastId(t1)).toBe(later);
    expect(BigInt(await store.events.lastId(t2))).toBeGreaterThan(BigInt(later));
    expect(await store.events.lastId(none)).toBe("0");
  });

  it.skipIf(skip)("batch reads return each key's rows in the order asked, a missing key empty, tenants never crossed", async () => {
    const [a, b] = [voidData(), voidData()];
    await store.tracked.insert(newVoid("acme", a));
    await store.tracked.insert(newVoid("globex", b));
    const keys = [voidKey("globex", b), voidKey("acme", a), voidKey("globex", a), voidKey("acme", a)];
    expect((await store.tracked.getMany(keys)).map((r) => r && [r.tenant, r.ref])).toEqual([
      ["globex", b.voidCode],
      ["acme", a.voidCode],
      null,
      ["acme", a.voidCode],
    ]);
    expect((await store.events.historyMany(keys)).map((h) => h.map((e) => [e.tenant, e.ref, e.status]))).toEqual([
      [["globex", b.voidCode, "SUPPLIER_PROCESSING"]],
      [["acme", a.voidCode, "SUPPLIER_PROCESSING"]],
      [],
      [["acme", a.voidCode, "SUPPLIER_PROCESSING"]],
    ]);
    const orders = [
      { tenant: "acme", orderNo: a.orderNo },
      { tenant: "globex", orderNo: a.orderNo },
      { tenant: "globex", orderNo: b.orderNo },
    ];
    expect((await store.tracked.byOrders("void", orders)).map((rs) => rs.map((r) => r.ref))).toEqual([[a.voidCode], [], [b.voidCode]]);
    expect(await store.tracked.getMany([])).toEqual([]);
  });

  it.skipIf(skip)("a void belongs to one tenant: another tenant's stays unknown", async () => {
    const d = voidData();
    await store.tracked.insert(newVoid("acme", d));
    expect(await store.tracked.insert(newVoid("globex", d, { source: "QUERY", started: false }))).toBeNull();
    expect(await store.tracked.get(voidKey("globex", d))).toBeNull();
    expect(await store.tracked.byOrder("void", "globex", d.orderNo)).toEqual([]);
    expect(await store.events.replay("void", "globex", { ref: d.voidCode }, "0", await store.events.head(), 10)).toEqual([]);
  });

  it.skipIf(skip)("stops of one order may belong to several tenants, each its own", async () => {
    const orderNo = `STOP-${Math.random()}`;
    const stop = (tenant: string) => ({
      key: { kind: "stop" as const, tenant, supplier: "ATRIP" as const, ref: orderNo },
      orderNo,
      status: "PENDING",
      isFinal: false,
      data: { status: "PENDING", message: "trying", supplierOrderStatus: null },
      source: "SUBMIT" as const,
      message: "trying",
      started: true,
      firstCheckInMs: 1000,
      notBeforeInMs: 480_000,
    });
    const a = await store.tracked.insert(stop("acme"));
    const b = await store.tracked.insert(stop("globex"));
    expect(a?.event && b?.event).toBeTruthy();
    // notBefore wins over an earlier first check.
    expect(a!.record.nextCheckAt!.getTime()).toBeGreaterThan(Date.now() + 470_000);
    expect(a!.record.notBefore!.getTime()).toBe(a!.record.nextCheckAt!.getTime());
    expect((await store.tracked.byRefs("stop", [{ supplier: "ATRIP", ref: orderNo }])).get(`ATRIP:${orderNo}`)).toHaveLength(2);
  });

  it.skipIf(skip)("compare-and-set: racing transitions from one status yield exactly one event", async () => {
    const d = voidData();
    await store.tracked.insert(newVoid("acme", d));
    const key = voidKey("acme", d);
    const next = { ...d, status: "AIRLINE_PROCESSING" as const, supplierStatus: 1 };
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.tracked.transitionMany([move(key, "SUPPLIER_PROCESSING", next, i % 2 ? "POLL" : "WEBHOOK")]),
      ),
    );
    expect(results.map((r) => r[0]).filter(Boolean)).toHaveLength(1);
    const final = { ...d, status: "REFUNDED" as const, supplierStatus: 2, isFinal: true };
    const [done] = await store.tracked.transitionMany([move(key, "AIRLINE_PROCESSING", final)]);
    expect(done?.event).toMatchObject({ status: "REFUNDED", previousStatus: "AIRLINE_PROCESSING", isFinal: true });
    expect(done?.record).toMatchObject({ nextCheckAt: null, isFinal: true });
    expect(done?.record.finalAt).toBeInstanceOf(Date);
    const history = await store.events.history(key);
    expect(history.map((e) => e.status)).toEqual(["SUPPLIER_PROCESSING", "AIRLINE_PROCESSING", "REFUNDED"]);
    expect(BigInt(history[1].id)).toBeGreaterThan(BigInt(history[0].id));
    // Each event carries the report recorded with it.
    expect(history.map((e) => (e.data as VoidOrderData).supplierStatus)).toEqual([0, 1, 2]);
  });

  it.skipIf(skip)(
    "transitionMany: one statement for many records; results in input order, null where the status had moved on",
    async () => {
      const tenant = `t-tm-${Math.random()}`;
      const ds = [voidData(), voidData(), voidData()];
      for (const d of ds) await store.tracked.insert(newVoid(tenant, d));
      await store.tracked.transitionMany([move(voidKey(tenant, ds[1]), "SUPPLIER_PROCESSING", { ...ds[1], status: "AIRLINE_PROCESSING" })]);
      const results = await store.tracked.transitionMany(
        ds.map((d, i) =>
          move(
            voidKey(tenant, d),
            "SUPPLIER_PROCESSING",
            { ...d, status: i === 2 ? "REFUNDED" : "AIRLINE_PROCESSING", isFinal: i === 2, message: `m${i}` },
            "WEBHOOK",
          ),
        ),
      );
      expect(results[1]).toBeNull();
      expect(results[0]?.event).toMatchObject({
        ref: ds[0].voidCode,
        previousStatus: "SUPPLIER_PROCESSING",
        status: "AIRLINE_PROCESSING",
        source: "WEBHOOK",
        message: "m0",
        isFinal: false,
      });
      expect(results[2]?.event).toMatchObject({ ref: ds[2].voidCode, status: "REFUNDED", isFinal: true });
      expect(BigInt(results[2]!.event.id)).toBeGreaterThan(BigInt(results[0]!.event.id));
      expect((await store.events.history(voidKey(tenant, ds[1]))).map((e) => e.source)).toEqual(["SUBMIT", "POLL"]);
      expect(await store.tracked.transitionMany([])).toEqual([]);
    },
  );

  it.skipIf(skip)("touchMany stores a newer report of the same status only while the status still matches", async () => {
    const tenant = `t-touch-${Math.random()}`;
    const [a, b] = [voidData(), voidData()];
    for (const d of [a, b]) await store.tracked.insert(newVoid(tenant, d));
    await store.tracked.transitionMany([move(voidKey(tenant, b), "SUPPLIER_PROCESSING", { ...b, status: "AIRLINE_PROCESSING" })]);
    const [ta, tb] = await store.tracked.touchMany([
      { key: voidKey(tenant, a), status: "SUPPLIER_PROCESSING", data: { ...a, message: "with the airline soon" } },
      { key: voidKey(tenant, b), status: "SUPPLIER_PROCESSING", data: { ...b, message: "stale" } },
    ]);
    // Each as stored (its times included), null where nothing was written.
    expect(ta).toEqual(await store.tracked.get<VoidOrderData>(voidKey(tenant, a)));
    expect(ta!.lastCheckedAt).not.toBeNull();
    expect(tb).toBeNull();
    expect((await store.tracked.get<VoidOrderData>(voidKey(tenant, a)))!.data.message).toBe("with the airline soon");
    expect((await store.tracked.get<VoidOrderData>(voidKey(tenant, b)))!.data.message).toBeNull();
    expect(await store.events.history(voidKey(tenant, a))).toHaveLength(1);
  });

  it.skipIf(skip)(
    "touchMany with a next check restarts the schedule: pulled in, never pushed out, the backoff from its first step",
    async () => {
      const tenant = `t-restart-${Math.random()}`;
      const [far, near] = [voidData(), voidData()];
      await store.tracked.insert(newVoid(tenant, far, { firstCheckInMs: 3_600_000 }));
      await store.tracked.insert(newVoid(tenant, near, { firstCheckInMs: 1_000 }));
      const [kf, kn] = [voidKey(tenant, far), voidKey(tenant, near)];
      await store.db.query("UPDATE tracked SET check_attempt = 5 WHERE tenant = $1", [tenant]);
      const before = Date.now();
      await store.tracked.touchMany([
        { key: kf, status: "SUPPLIER_PROCESSING", data: far, nextCheckInMs: 60_000 },
        { key: kn, status: "SUPPLIER_PROCESSING", data: near, nextCheckInMs: 60_000 },
      ]);
      const [f, n] = [(await store.tracked.get(kf))!, (await store.tracked.get(kn))!];
      expect(f.checkAttempt).toBe(0);
      expect(f.nextCheckAt!.getTime()).toBeLessThanOrEqual(Date.now() + 60_000);
      expect(f.nextCheckAt!.getTime()).toBeGreaterThanOrEqual(before + 60_000 - 1_000);
      expect(n.nextCheckAt!.getTime()).toBeLessThanOrEqual(before + 1_000 + 100);
      // Without one, the schedule stays as it is.
      await store.db.query("UPDATE tracked SET check_attempt = 5 WHERE tenant = $1", [tenant]);
      await store.tracked.touchMany([{ key: kf, status: "SUPPLIER_PROCESSING", data: far }]);
      expect((await store.tracked.get(kf))!).toMatchObject({ checkAttempt: 5, nextCheckAt: f.nextCheckAt });
    },
  );

  it.skipIf(skip)("a restart while a poll holds the lease survives the poll's release; without one the release backs off", async () => {
    const tenant = `t-restart-lease-${Math.random()}`;
    const [a, b] = [voidData(), voidData()];
    for (const d of [a, b]) await store.tracked.insert(newVoid(tenant, d, { firstCheckInMs: 0 }));
    await store.db.query("UPDATE tracked SET check_attempt = 3 WHERE tenant = $1", [tenant]);
    const leased = (await store.tracked.leaseDue("void", "poller", 1000, 60_000)).filter((r) => r.tenant === tenant);
    expect(leased.map((r) => r.checkAttempt)).toEqual([3, 3]);
    const [ka, kb] = [voidKey(tenant, a), voidKey(tenant, b)];
    // Another instance confirms a webhook for `a` meanwhile, and finds no change: its schedule restarts.
    await store.tracked.touchMany([{ key: ka, status: "SUPPLIER_PROCESSING", data: a, nextCheckInMs: 60_000 }]);
    const before = Date.now();
    const release = (key: typeof ka) => ({ key, nextCheckInMs: 3_600_000, attempt: 4, restartInMs: 60_000 });
    await store.tracked.releaseMany("poller", [release(ka), release(kb)]);
    const [ra, rb] = [(await store.tracked.get(ka))!, (await store.tracked.get(kb))!];
    expect(ra.checkAttempt).toBe(0);
    expect(ra.nextCheckAt!.getTime()).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(ra.nextCheckAt!.getTime()).toBeGreaterThanOrEqual(before + 60_000 - 1_000);
    expect(rb.checkAttempt).toBe(4);
    expect(rb.nextCheckAt!.getTime()).toBeGreaterThanOrEqual(before + 3_600_000 - 1_000);
  });

  it.skipIf(skip)("leases: only due, open records of the kind; two owners never share one; an expired lease is taken over", async () => {
    const tenant = `t-lease-${Math.random()}`;
    const due = [voidData(), voidData(), voidData(), voidData()];
    for (const d of due) await store.tracked.insert(newVoid(tenant, d, { firstCheckInMs: 0 }));
    await store.tracked.insert(newVoid(tenant, voidData(), { firstCheckInMs: 3_600_000 }));
    const refunded = voidData({ status: "REFUNDED", supplierStatus: 2 });
    await store.tracked.insert(newVoid(tenant, refunded, { firstCheckInMs: 0 }));
    const [x, y] = await Promise.all([
      store.tracked.leaseDue("void", "owner-x", 100, 60_000),
      store.tracked.leaseDue("void", "owner-y", 100, 60_000),
    ]);
    const mine = (list: typeof x) => list.filter((r) => r.tenant === tenant).map((r) => r.ref);
    const got = [...mine(x), ...mine(y)];
    expect(got.sort()).toEqual(due.map((d) => d.voidCode).sort());
    expect(new Set(got).size).toBe(got.length);
    expect(mine(await store.tracked.leaseDue("stop", "owner-z", 100, 60_000))).toEqual([]);
    // A crashed owner's lease expires and another takes over.
    const extra = voidData();
    await store.tracked.insert(newVoid(tenant, extra, { firstCheckInMs: 0 }));
    expect(mine(await store.tracked.leaseDue("void", "crashed", 100, 50))).toContain(extra.voidCode);
    await new Promise((r) => setTimeout(r, 120));
    expect(mine(await store.tracked.leaseDue("void", "survivor", 100, 60_000))).toContain(extra.voidCode);
    // Given back with a later check: not due any more; someone else's release changes nothing.
    const key = voidKey(tenant, extra);
    await store.tracked.releaseMany("someone-else", [{ key, nextCheckInMs: 0, attempt: 9 }]);
    expect((await store.tracked.get(key))?.checkAttempt).toBe(0);
    await store.tracked.releaseMany("survivor", [{ key, nextCheckInMs: 3_600_000, attempt: 3 }]);
    expect((await store.tracked.get(key))?.checkAttempt).toBe(3);
    expect(mine(await store.tracked.leaseDue("void", "z", 100, 60_000))).not.toContain(extra.voidCode);
    await store.tracked.releaseAll("owner-x");
  });

  it.skipIf(skip)("a change drops the lease and resets the schedule", async () => {
    const tenant = `t-reset-${Math.random()}`;
    const d = voidData();
    await store.tracked.insert(newVoid(tenant, d, { firstCheckInMs: 0 }));
    const [leased] = (await store.tracked.leaseDue("void", "runner", 1000, 60_000)).filter((r) => r.tenant === tenant);
    expect(leased.ref).toBe(d.voidCode);
    await store.tracked.releaseMany("runner", [{ key: voidKey(tenant, d), nextCheckInMs: 0, attempt: 4 }]);
    await store.tracked.leaseDue("void", "runner", 1000, 60_000);
    const [r] = await store.tracked.transitionMany([
      move(voidKey(tenant, d), "SUPPLIER_PROCESSING", { ...d, status: "AIRLINE_PROCESSING" }, "WEBHOOK", 0),
    ]);
    expect(r?.record.checkAttempt).toBe(0);
    expect((await store.tracked.leaseDue("void", "other", 1000, 60_000)).map((x) => x.ref)).toContain(d.voidCode);
  });

  it.skipIf(skip)("a check that never reached the supplier records its failure but not a check", async () => {
    const tenant = `t-unsent-${Math.random()}`;
    const d = voidData();
    const key = voidKey(tenant, d);
    await store.tracked.insert(newVoid(tenant, d, { firstCheckInMs: 0 }));
    const open = { code: "SUPPLIER_UNAVAILABLE", message: "ATRIP is failing; the gateway paused calls", supplierCode: null };
    await store.tracked.leaseDue("void", "runner", 1000, 60_000);
    await store.tracked.releaseMany("runner", [{ key, nextCheckInMs: 0, attempt: 1, failure: open, notSent: true }]);
    const unsent = await store.tracked.get(key);
    expect(unsent).toMatchObject({ lastCheckedAt: null, checkFailure: open });
    // One that was sent and failed is a check; a later unsent one leaves its time.
    const down = { code: "SUPPLIER_UNAVAILABLE", message: "ATRIP answered HTTP 503", supplierCode: "HTTP 503" };
    await store.tracked.leaseDue("void", "runner", 1000, 60_000);
    await store.tracked.releaseMany("runner", [{ key, nextCheckInMs: 0, attempt: 2, failure: down }]);
    const checked = (await store.tracked.get(key))!.lastCheckedAt;
    expect(checked).not.toBeNull();
    await new Promise((r) => setTimeout(r, 20));
    await store.tracked.leaseDue("void", "runner", 1000, 60_000);
    await store.tracked.releaseMany("runner", [{ key, nextCheckInMs: 0, attempt: 3, failure: open, notSent: true }]);
    const after = await store.tracked.get(key);
    expect(after?.lastCheckedAt?.getTime()).toBe(checked!.getTime());
    expect(after?.checkFailure).toMatchObject(open);
    expect(after?.checkFailure?.since.getTime()).toBe(unsent!.checkFailure!.since.getTime());
  });

  it.skipIf(skip)("a failed check is kept with the time checks started failing, until the supplier answers", async () => {
    const tenant = `t-fail-${Math.random()}`;
    const d = voidData();
    const key = voidKey(tenant, d);
    await store.tracked.insert(newVoid(tenant, d, { firstCheckInMs: 0 }));
    expect(await store.tracked.get(key)).toMatchObject({ lastCheckedAt: null, checkFailure: null });
    // A record adopted from the supplier's answer (a query, a webhook) was checked as it was recorded.
    const adopted = voidData();
    await store.tracked.insert({ ...newVoid(tenant, adopted), source: "QUERY" });
    expect((await store.tracked.get(voidKey(tenant, adopted)))?.lastCheckedAt).not.toBeNull();
    const down = { code: "SUPPLIER_UNAVAILABLE", message: "ATRIP answered HTTP 503", supplierCode: "HTTP 503" };
    await store.tracked.leaseDue("void", "runner", 1000, 60_000);
    await store.tracked.releaseMany("runner", [{ key, nextCheckInMs: 0, attempt: 1, failure: down }]);
    const first = await store.tracked.get(key);
    expect(first?.checkFailure).toMatchObject(down);
    expect(first?.lastCheckedAt).not.toBeNull();
    const since = first!.checkFailure!.since.getTime();
    await new Promise((r) => setTimeout(r, 20));
    // A second failure: the new error, the run's first time.
    const late = { code: "SUPPLIER_TIMEOUT", message: "no reply", supplierCode: null };
    await store.tracked.leaseDue("void", "runner", 1000, 60_000);
    await store.tracked.releaseMany("runner", [{ key, nextCheckInMs: 0, attempt: 2, failure: late }]);
    const second = await store.tracked.get(key);
    expect(second?.checkFailure).toMatchObject(late);
    expect(second?.checkFailure?.since.getTime()).toBe(since);
    expect(second!.lastCheckedAt!.getTime()).toBeGreaterThan(first!.lastCheckedAt!.getTime());
    // The supplier answers (the same status): the failure goes.
    await store.tracked.touchMany([{ key, status: d.status, data: d }]);
    expect((await store.tracked.get(key))?.checkFailure).toBeNull();
    // A failure again, then a check that got an answer.
    await store.tracked.leaseDue("void", "runner", 1000, 60_000);
    await store.tracked.releaseMany("runner", [{ key, nextCheckInMs: 0, attempt: 3, failure: down }]);
    expect((await store.tracked.get(key))?.checkFailure?.since.getTime()).toBeGreaterThan(since);
    await store.tracked.leaseDue("void", "runner", 1000, 60_000);
    await store.tracked.releaseMany("runner", [{ key, nextCheckInMs: 0, attempt: 4, failure: null }]);
    expect((await store.tracked.get(key))?.checkFailure).toBeNull();
    // A check that failed while another instance got an answer (a webhook confirmed): the answer stands.
    const [leased] = (await store.tracked.leaseDue("void", "runner", 1000, 60_000)).filter((r) => r.tenant === tenant);
    await new Promise((r) => setTimeout(r, 5));
    await store.tracked.touchMany([{ key, status: d.status, data: d }]);
    await store.tracked.releaseMany("runner", [{ key, nextCheckInMs: 0, attempt: 5, failure: down, leasedUpdatedAt: leased.updatedAt }]);
    expect((await store.tracked.get(key))?.checkFailure).toBeNull();
    // Nothing recorded since the lease: the failure counts.
    const [again] = (await store.tracked.leaseDue("void", "runner", 1000, 60_000)).filter((r) => r.tenant === tenant);
    await store.tracked.releaseMany("runner", [{ key, nextCheckInMs: 0, attempt: 6, failure: down, leasedUpdatedAt: again.updatedAt }]);
    expect((await store.tracked.get(key))?.checkFailure).toMatchObject(down);
  });

  it.skipIf(skip)("a check outside the schedule that got no answer is noted, schedule untouched, never over a newer answer", async () => {
    const tenant = `t-note-${Math.random()}`;
    const d = voidData();
    const key = voidKey(tenant, d);
    await store.tracked.insert(newVoid(tenant, d, { firstCheckInMs: 60_000 }));
    const seen = (await store.tracked.get(key))!;
    const bad = { code: "SUPPLIER_BAD_RESPONSE", message: "ATRIP's reply could not be read", supplierCode: null };
    await store.tracked.noteFailures([{ key, failure: bad, seenUpdatedAt: seen.updatedAt, notSent: false }]);
    const noted = (await store.tracked.get(key))!;
    expect(noted.checkFailure).toMatchObject(bad);
    expect(noted.lastCheckedAt).not.toBeNull();
    expect([noted.nextCheckAt, noted.checkAttempt, noted.updatedAt]).toEqual([seen.nextCheckAt, seen.checkAttempt, seen.updatedAt]);
    // A failure that never reached the supplier keeps the last check's time, and the run's start.
    const open = { code: "SUPPLIER_UNAVAILABLE", message: "ATRIP is failing; the gateway paused calls", supplierCode: null };
    await new Promise((r) => setTimeout(r, 5));
    await store.tracked.noteFailures([{ key, failure: open, seenUpdatedAt: seen.updatedAt, notSent: true }]);
    const unsent = (await store.tracked.get(key))!;
    expect(unsent.checkFailure).toMatchObject(open);
    expect([unsent.lastCheckedAt, unsent.checkFailure?.since]).toEqual([noted.lastCheckedAt, noted.checkFailure?.since]);
    // An answer recorded after the record was read: the failure does not hide it.
    await new Promise((r) => setTimeout(r, 5));
    await store.tracked.touchMany([{ key, status: d.status, data: d }]);
    await store.tracked.noteFailures([{ key, failure: bad, seenUpdatedAt: seen.updatedAt, notSent: false }]);
    expect((await store.tracked.get(key))?.checkFailure).toBeNull();
  });

  it.skipIf(skip)(
    "a record's request sent again: new data and first check, its schedule from the start, only while its status holds",
    async () => {
      const tenant = `t-resent-${Math.random()}`;
      const d = voidData();
      const key = voidKey(tenant, d);
      await store.tracked.insert(newVoid(tenant, d, { firstCheckInMs: 0 }));
      await store.tracked.leaseDue("void", "runner", 1000, 60_000);
      const down = { code: "SUPPLIER_UNAVAILABLE", message: "down", supplierCode: null };
      await store.tracked.releaseMany("runner", [{ key, nextCheckInMs: 0, attempt: 3, failure: down }]);
      const before = (await store.tracked.get(key))!;
      const data = { ...d, message: "sent again" };
      const again = (await store.tracked.resent(key, d.status, data, 60_000))!;
      expect(again).toMatchObject({ data, checkAttempt: 0, checkFailure: null, startedAt: before.startedAt });
      expect(again.notBefore!.getTime()).toBe(again.nextCheckAt!.getTime());
      expect(again.notBefore!.getTime() - Date.now()).toBeGreaterThan(50_000);
      expect(await store.tracked.resent(key, "SOMETHING_ELSE", data, 0)).toBeNull();
      // Onto the record as read: not over one written since (a late resend over a newer one's record).
      await new Promise((r) => setTimeout(r, 5));
      const later = (await store.tracked.resent(key, d.status, { ...d, message: "later" }, 60_000, again.updatedAt))!;
      expect(later.data).toMatchObject({ message: "later" });
      expect(await store.tracked.resent(key, d.status, data, 0, again.updatedAt)).toBeNull();
      expect((await store.tracked.get(key))?.data).toMatchObject({ message: "later" });
    },
  );

  it.skipIf(skip)("touchMany with the updatedAt its report was merged onto writes only if nothing was written since", async () => {
    const tenant = `t-seen-${Math.random()}`;
    const d = voidData();
    const key = voidKey(tenant, d);
    await store.tracked.insert(newVoid(tenant, d));
    const seen = (await store.tracked.get(key))!;
    await new Promise((r) => setTimeout(r, 5));
    const [first] = await store.tracked.touchMany([
      { key, status: d.status, data: { ...d, message: "first" }, seenUpdatedAt: seen.updatedAt },
    ]);
    expect(first?.data.message).toBe("first");
    await new Promise((r) => setTimeout(r, 5));
    const [stale] = await store.tracked.touchMany([
      { key, status: d.status, data: { ...d, message: "stale" }, seenUpdatedAt: seen.updatedAt },
    ]);
    expect(stale).toBeNull();
    expect((await store.tracked.get(key))?.data).toMatchObject({ message: "first" });
  });

  it.skipIf(skip)("byRefs finds every tenant's record of a batch's references, by supplier and reference", async () => {
    const d = voidData();
    await store.tracked.insert(newVoid(`t-bc-${Math.random()}`, d));
    const found = await store.tracked.byRefs("void", [
      { supplier: "ATRIP", ref: d.voidCode },
      { supplier: "ALITRIP", ref: d.voidCode },
      { supplier: "ATRIP", ref: "no-such-void" },
    ]);
    expect([...found.keys()]).toEqual([`ATRIP:${d.voidCode}`]);
    expect(found.get(`ATRIP:${d.voidCode}`)?.[0]).toMatchObject({ orderNo: d.orderNo, status: "SUPPLIER_PROCESSING" });
    expect((await store.tracked.byRefs("stop", [{ supplier: "ATRIP", ref: d.voidCode }])).size).toBe(0);
  });

  it.skipIf(skip)("soon makes open records due now and leaves final ones alone", async () => {
    const tenant = `t-ps-${Math.random()}`;
    const open = voidData();
    const done = voidData({ status: "REFUNDED", supplierStatus: 2 });
    for (const d of [open, done]) await store.tracked.insert(newVoid(tenant, d, { firstCheckInMs: 3_600_000 }));
    await store.tracked.soon([voidKey(tenant, open), voidKey(tenant, done)]);
    expect((await store.tracked.get(voidKey(tenant, open)))!.nextCheckAt!.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
    expect((await store.tracked.get(voidKey(tenant, done)))!.nextCheckAt).toBeNull();
    expect((await store.tracked.leaseDue("void", "ps", 1000, 60_000)).map((r) => r.ref)).toContain(open.voidCode);
  });

  it.skipIf(skip)("soon never moves a record's check before its notBefore (a stop's checkAfter)", async () => {
    const tenant = `t-psnb-${Math.random()}`;
    const d = voidData();
    await store.tracked.insert(newVoid(tenant, d, { firstCheckInMs: 3_600_000, notBeforeInMs: 600_000 }));
    await store.tracked.soon([voidKey(tenant, d)]);
    const r = (await store.tracked.get(voidKey(tenant, d)))!;
    expect(r.nextCheckAt!.getTime()).toBe(r.notBefore!.getTime());
    expect(r.nextCheckAt!.getTime()).toBeGreaterThan(Date.now() + 500_000);
  });

  it.skipIf(skip)("tracked records' table keeps a quarter of each page free for updates (fillfactor 75)", async () => {
    const [t] = await store.db.query<{ options: string[] | null }>(
      "SELECT reloptions AS options FROM pg_class WHERE oid = 'tracked'::regclass",
    );
    expect(t.options).toContain("fillfactor=75");
  });

  it.skipIf(skip)("watch pulls the next check forward (never before notBefore) and marks the record watched", async () => {
    const tenant = `t-w-${Math.random()}`;
    const d = voidData();
    await store.tracked.insert(newVoid(tenant, d, { firstCheckInMs: 3_600_000 }));
    const key = voidKey(tenant, d);
    expect((await store.tracked.get(key))?.watchedUntil).toBeNull();
    await store.tracked.watch("void", tenant, [d.voidCode], [], 30_000, 1_000);
    const r = await store.tracked.get(key);
    expect(r!.nextCheckAt!.getTime()).toBeLessThan(Date.now() + 5_000);
    expect(r!.watchedUntil!.getTime()).toBeGreaterThan(Date.now() + 20_000);
    const orderNo = `STOP-W-${Math.random()}`;
    await store.tracked.insert({
      key: { kind: "stop", tenant, supplier: "ATRIP", ref: orderNo },
      orderNo,
      status: "PENDING",
      isFinal: false,
      data: {},
      source: "SUBMIT",
      message: null,
      started: true,
      firstCheckInMs: 0,
      notBeforeInMs: 600_000,
    });
    await store.tracked.watch("stop", tenant, [], [orderNo], 30_000, 1_000);
    const s = await store.tracked.get({ kind: "stop", tenant, supplier: "ATRIP", ref: orderNo });
    expect(s!.nextCheckAt!.getTime()).toBeGreaterThan(Date.now() + 590_000);
  });

  it.skipIf(skip)("webhook inbox: concurrent inserts are written together, each with its own id", async () => {
    const tag = Math.random().toString(36).slice(2);
    const ids = (await Promise.all(Array.from({ length: 60 }, (_, i) => store.inbox.insert("ATRIP", "order.batch", { tag, i })))).map(
      (r) => r.id,
    );
    expect(new Set(ids).size).toBe(60);
    const claimed = await store.inbox.claim(`batch-${tag}`, 10_000, 60_000);
    const byId = new Map(claimed.map((r) => [r.id, r.payload as { tag: string; i: number }]));
    ids.forEach((id, i) => expect(byId.get(id)).toEqual({ tag, i }));
    await store.inbox.finishMany(ids.map((id) => ({ id, state: "IGNORED" as const, note: null })));
    expect((await store.inbox.countByState()).IGNORED).toBeGreaterThanOrEqual(60);
  });

  it.skipIf(skip)("webhook inbox: durable rows, claimed once, reclaimed after a crash", async () => {
    const { id } = await store.inbox.insert("ATRIP", "order.void", { type: "order.void", data: { voidCode: "X" } });
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

  it.skipIf(skip)("webhook inbox: a row stored claimed is no one else's until reclaimed; given back, anyone's", async () => {
    const tag = Math.random().toString(36).slice(2);
    const [a, b] = await Promise.all([
      store.inbox.insert("ATRIP", "order.void", { tag, n: 1 }, "00-trace", `owner-${tag}`),
      store.inbox.insert("ATRIP", "order.void", { tag, n: 2 }, null, null),
    ]);
    expect(a).toMatchObject({ supplier: "ATRIP", eventType: "order.void", payload: { tag, n: 1 }, attempts: 1, traceContext: "00-trace" });
    expect(b).toMatchObject({ payload: { tag, n: 2 }, attempts: 0, traceContext: null });
    const seen = async (owner: string, reclaimAfterMs = 60_000) =>
      (await store.inbox.claim(owner, 10_000, reclaimAfterMs)).filter((r) => (r.payload as { tag?: string }).tag === tag);
    // Only the unclaimed row is claimable; the claimed one counts its first try already.
    expect((await seen(`other-${tag}`)).map((r) => r.id)).toEqual([b.id]);
    await new Promise((r) => setTimeout(r, 60));
    // Its owner crashed: after the reclaim time it is taken over, second try counted.
    const reclaimed = await seen(`heir-${tag}`, 50);
    expect(reclaimed.map((r) => [r.id, r.attempts])).toEqual([
      [a.id, 2],
      [b.id, 2],
    ]);
    // Given back untried (an instance stopping): RECEIVED again, that try uncounted, anyone's at once.
    await store.inbox.unclaim([a.id, b.id]);
    expect((await seen(`next-${tag}`)).map((r) => [r.id, r.attempts])).toEqual([
      [a.id, 2],
      [b.id, 2],
    ]);
    await store.inbox.finishMany([a, b].map(({ id }) => ({ id, state: "PROCESSED" as const, note: null })));
    // A processed row is not given back.
    await store.inbox.unclaim([a.id]);
    expect(await seen(`last-${tag}`, 1)).toEqual([]);
  });

  it.skipIf(skip)("webhook inbox: a row put back waits out its backoff, which grows with its attempts", async () => {
    const { id } = await store.inbox.insert("ATRIP", "order.void", { type: "order.void", data: { voidCode: "R" } });
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
    expect((await mine("r5")).map((r) => r.attempts)).toEqual([3]);
    // Put back to wait for something else (a request holding the order): after that wait, the try not counted.
    await store.inbox.finishMany([{ id, state: "RECEIVED", note: "held", waitMs: 250 }], backoff);
    expect(await mine("r6")).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 350));
    expect((await mine("r7")).map((r) => r.attempts)).toEqual([3]);
    await store.inbox.finishMany([{ id, state: "FAILED", note: "gave up" }]);
  });

  it.skipIf(skip)(
    "a statement refused for want of resources (disk full, I/O) is the store unavailable, and its ping says so; other errors are not",
    async () => {
      await expect(store.db.query("DO $$ BEGIN RAISE EXCEPTION 'boom' USING ERRCODE = 'unique_violation'; END $$")).rejects.toMatchObject({
        code: "23505",
      });
      await store.db.ping();
      const diskFull = store.db.query("DO $$ BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; END $$");
      await expect(diskFull).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(diskFull).rejects.toThrow(/out of resources \(SQLSTATE 53100\)/);
      await expect(store.db.ping()).rejects.toThrow(/SQLSTATE 53100/);
      // A file missing (58P01) is a deployment fault, not a lack of resources: not the store unavailable.
      const missing = store.db.query("DO $$ BEGIN RAISE EXCEPTION 'no such file' USING ERRCODE = 'undefined_file'; END $$");
      await expect(missing).rejects.toMatchObject({ code: "58P01" });
      await expect(missing).rejects.not.toBeInstanceOf(StoreUnavailableError);
      await expect(store.db.tx((sql) => sql.query("DO $$ BEGIN RAISE EXCEPTION 'io' USING ERRCODE = 'io_error'; END $$"))).rejects.toThrow(
        /SQLSTATE 58030/,
      );
    },
  );

  it.skipIf(skip)("a key over the index's limit is refused for good (SQLSTATE class 54), not a write to try again for ever", async () => {
    // Random, so that the index cannot compress it below its limit (2704 bytes).
    const d = voidData({ voidCode: Array.from({ length: 3000 }, () => String.fromCharCode(33 + Math.floor(Math.random() * 94))).join("") });
    const err = await store.tracked.insert(newVoid(`t-limit-${Math.random()}`, d)).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toMatch(/^54/);
    expect(refusedForGood(err)).toBe(true);
  });

  it.skipIf(skip)("webhook inbox: rows done with are deleted once older than the retention time; rows still to process never", async () => {
    const tag = Math.random().toString(36).slice(2);
    const rows = await Promise.all(
      ["PROCESSED", "UNKNOWN_VOID", "FAILED", "IGNORED", "RECEIVED", "PROCESSING", "PROCESSED"].map((state, n) =>
        store.inbox.insert("ATRIP", "order.void", { tag, n, state }),
      ),
    );
    const ids = rows.map((r) => r.id);
    await store.db.query(
      `UPDATE webhook_inbox SET state = payload->>'state',
         received_at = CASE WHEN (payload->>'n')::int < 6 THEN now() - interval '8 days' ELSE now() - interval '6 days' END
       WHERE id = ANY($1::bigint[])`,
      [ids],
    );
    const left = async () =>
      (
        await store.db.query<{ n: number }>("SELECT (payload->>'n')::int AS n FROM webhook_inbox WHERE id = ANY($1::bigint[]) ORDER BY 1", [
          ids,
        ])
      ).map((r) => Number(r.n));
    const week = 7 * 24 * 60 * 60_000;
    expect(await store.inbox.expire(week, 3)).toBe(3);
    expect(await store.inbox.expire(week, 3)).toBe(1);
    expect(await store.inbox.expire(week, 3)).toBe(0);
    // Received 8 days ago but still to process (4, 5), and processed but within the week (6): kept.
    expect(await left()).toEqual([4, 5, 6]);
    await store.inbox.finishMany([rows[4], rows[5], rows[6]].map(({ id }) => ({ id, state: "PROCESSED" as const, note: null })));
    expect(await store.inbox.expire(week)).toBe(2);
    expect(await left()).toEqual([6]);
  });

  it.skipIf(skip)(
    "webhook inbox: a void no tenant knew is kept under its order, and read again, as new, when that order is marked",
    async () => {
      const orderNo = `UNK-${Math.random().toString(36).slice(2)}`;
      const [a, b, other] = await Promise.all(
        [orderNo, orderNo, `${orderNo}-X`].map((o) => store.inbox.insert("ATRIP", "order.void", { data: { orderNo: o } })),
      );
      const mine = async (owner: string) =>
        (await store.inbox.claim(owner, 1000, 60_000)).filter((r) => [a.id, b.id, other.id].includes(r.id)).map((r) => [r.id, r.attempts]);
      expect(await mine("u1")).toHaveLength(3);
      await store.inbox.finishMany([
        { id: a.id, state: "UNKNOWN_VOID", note: null, orderNo },
        { id: b.id, state: "UNKNOWN_VOID", note: null, orderNo },
        { id: other.id, state: "UNKNOWN_VOID", note: null, orderNo: `${orderNo}-X` },
      ]);
      expect(await mine("u2")).toEqual([]);
      expect(await store.inbox.reopenUnknownVoids("ALITRIP", orderNo)).toBe(0);
      expect(await store.inbox.reopenUnknownVoids("ATRIP", orderNo)).toBe(2);
      expect(await mine("u3")).toEqual([
        [a.id, 1],
        [b.id, 1],
      ]);
      // Processed now: not found again.
      await store.inbox.finishMany([a, b].map(({ id }) => ({ id, state: "PROCESSED" as const, note: null })));
      expect(await store.inbox.reopenUnknownVoids("ATRIP", orderNo)).toBe(0);
    },
  );
});
