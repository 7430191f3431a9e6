/**
 * The tracking engine's core against in-memory fakes of the store and the supplier
 * (test/unit/fakes/): the one transition rule, batching equal to one-at-a-time, races,
 * leases and backoff, coalesced asks. Waits are on deferreds, never on sleeps.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SupplierName } from "../../src/vocabulary/suppliers.js";
import { createLogger } from "../../src/logger.js";
import type { TrackedEvent } from "../../src/store/tracked-model.js";
import { Tracker } from "../../src/tracking/engine.js";
import { SupplierError } from "../../src/vocabulary/errors.js";
import { decide } from "../../src/tracking/rule.js";
import { pollDelayMs } from "../../src/tracking/schedule.js";
import { deferred, kindOf, policy, Supplier, type R } from "./fakes/test-kind.js";
import { FakeRecords } from "./fakes/tracking-store.js";

function setup() {
  const records = new FakeRecords();
  const supplier = new Supplier();
  const recorded: TrackedEvent[] = [];
  const tracker = new Tracker<R>({
    kind: kindOf(supplier),
    records,
    log: createLogger("silent"),
    recorded: (events) => recorded.push(...events),
  });
  return { records, supplier, tracker, recorded };
}

const ATRIP: SupplierName = "ATRIP";

describe("the transition rule", () => {
  const kind = kindOf(new Supplier());
  it.each([
    [{ status: "A", isFinal: false }, { status: "B", n: 1 }, "move"],
    [{ status: "A", isFinal: false }, { status: "C", n: 1 }, "move"],
    [{ status: "B", isFinal: false }, { status: "B", n: 1 }, "touch"],
    [{ status: "B", isFinal: false }, { status: "A", n: 1 }, "ignore"],
    [{ status: "C", isFinal: true }, { status: "X", n: 1 }, "ignore"],
    [{ status: "C", isFinal: true }, { status: "C", n: 1 }, "touch"],
    [{ status: "A", isFinal: false }, null, "ignore"],
  ] as const)("%o with report %o: %s", (current, report, expected) => {
    expect(decide(kind, current, report)).toBe(expected);
  });
});

describe("the engine", () => {
  it("starts a record with one event; again, or for another tenant of an exclusive kind, records nothing", async () => {
    const { tracker, recorded } = setup();
    const first = await tracker.start("acme", ATRIP, "V1", "O1", { status: "A", n: 0 }, { source: "SUBMIT", started: true });
    expect(first).toMatchObject({ status: "A", isFinal: false, orderNo: "O1" });
    expect(await tracker.start("acme", ATRIP, "V1", "O1", { status: "A", n: 0 }, { source: "SUBMIT", started: true })).toMatchObject({
      status: "A",
    });
    expect(await tracker.start("globex", ATRIP, "V1", "O1", { status: "A", n: 0 }, { source: "QUERY", started: false })).toBeNull();
    expect(recorded.map((e) => [e.tenant, e.status, e.source])).toEqual([["acme", "A", "SUBMIT"]]);
  });

  it("forward only, final is final; the same status stores the newer report without an event", async () => {
    const { tracker, records, recorded } = setup();
    const r0 = (await tracker.start("acme", ATRIP, "V1", "O1", { status: "A", n: 0 }, { source: "SUBMIT", started: true }))!;
    const [moved] = await tracker.apply([{ record: r0, report: { status: "B", n: 1 } }], "POLL");
    expect(moved.outcome).toBe("moved");
    const [touched] = await tracker.apply([{ record: moved.record, report: { status: "B", n: 2 } }], "POLL");
    expect(touched.outcome).toBe("touched");
    expect((await tracker.get("acme", ATRIP, "V1"))!.data).toEqual({ status: "B", n: 2 });
    const [back] = await tracker.apply([{ record: touched.record, report: { status: "A", n: 3 } }], "WEBHOOK");
    expect(back.outcome).toBe("ignored");
    const [final] = await tracker.apply([{ record: touched.record, report: { status: "C", n: 4 } }], "WEBHOOK");
    expect(final.record).toMatchObject({ status: "C", isFinal: true, nextCheckAt: null });
    const [after] = await tracker.apply([{ record: final.record, report: { status: "X", n: 5 } }], "WEBHOOK");
    expect(after.outcome).toBe("ignored");
    expect(recorded.map((e) => [e.previousStatus, e.status, e.source, e.message])).toEqual([
      [null, "A", "SUBMIT", "report 0"],
      ["A", "B", "POLL", "report 1"],
      ["B", "C", "WEBHOOK", "report 4"],
    ]);
    expect(records.log.committed.map((e) => e.status)).toEqual(["A", "B", "C"]);
  });

  it("a change someone else got to first is decided again from the record as it stands", async () => {
    const { tracker, recorded } = setup();
    const stale = (await tracker.start("acme", ATRIP, "V1", "O1", { status: "A", n: 0 }, { source: "SUBMIT", started: true }))!;
    await tracker.apply([{ record: stale, report: { status: "B", n: 1 } }], "WEBHOOK");
    // Another producer still holds the record at A: its B is now the same status, its C a change from B.
    const [same] = await tracker.apply([{ record: stale, report: { status: "B", n: 2 } }], "POLL");
    expect(same.outcome).toBe("touched");
    const [further] = await tracker.apply([{ record: stale, report: { status: "C", n: 3 } }], "POLL");
    expect(further.outcome).toBe("moved");
    expect(recorded.map((e) => [e.previousStatus, e.status])).toEqual([
      [null, "A"],
      ["A", "B"],
      ["B", "C"],
    ]);
  });

  it("racing producers on two instances record each change once", async () => {
    const { records, supplier } = setup();
    const events: TrackedEvent[] = [];
    const instance = () =>
      new Tracker<R>({ kind: kindOf(supplier), records, log: createLogger("silent"), recorded: (e) => events.push(...e) });
    const [a, b] = [instance(), instance()];
    const start = (await a.start("acme", ATRIP, "V1", "O1", { status: "A", n: 0 }, { source: "SUBMIT", started: true }))!;
    await Promise.all([
      a.apply([{ record: start, report: { status: "B", n: 1 } }], "WEBHOOK"),
      b.apply([{ record: start, report: { status: "B", n: 2 } }], "POLL"),
      a.apply([{ record: start, report: { status: "C", n: 3 } }], "POLL"),
      b.apply([{ record: start, report: { status: "B", n: 4 } }], "WEBHOOK"),
    ]);
    const statuses = events.map((e) => e.status);
    expect(new Set(statuses).size).toBe(statuses.length);
    expect(statuses[0]).toBe("A");
    expect(statuses.at(-1)).toBe("C");
    for (let i = 1; i < events.length; i++) expect(events[i].previousStatus).toBe(events[i - 1].status);
  });

  it("batching equals one at a time: the same records and the same events, in fewer statements", async () => {
    const statuses = ["A", "B", "C", "X"];
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.array(fc.tuple(fc.nat(5), fc.constantFrom(...statuses)), { maxLength: 8 }), { minLength: 1, maxLength: 6 }),
        async (n, rounds) => {
          const batched = setup();
          const single = setup();
          for (const t of [batched, single])
            for (let i = 0; i < n; i++)
              await t.tracker.start("acme", ATRIP, `V${i}`, `O${i}`, { status: "A", n: 0 }, { source: "SUBMIT", started: true });
          let seq = 0;
          for (const round of rounds) {
            // One report per record per round (a batch holds distinct records).
            const reports = new Map<number, R>();
            for (const [i, status] of round) if (i < n) reports.set(i, { status, n: ++seq });
            const items = async (t: ReturnType<typeof setup>) =>
              Promise.all([...reports].map(async ([i, report]) => ({ record: (await t.tracker.get("acme", ATRIP, `V${i}`))!, report })));
            await batched.tracker.apply(await items(batched), "WEBHOOK");
            for (const item of await items(single)) await single.tracker.apply([item], "WEBHOOK");
          }
          for (let i = 0; i < n; i++) {
            const [b, s] = [await batched.tracker.get("acme", ATRIP, `V${i}`), await single.tracker.get("acme", ATRIP, `V${i}`)];
            expect({ status: b!.status, data: b!.data, isFinal: b!.isFinal }).toEqual({
              status: s!.status,
              data: s!.data,
              isFinal: s!.isFinal,
            });
          }
          const story = (t: ReturnType<typeof setup>) =>
            t.recorded.map((e) => `${e.ref}:${e.previousStatus}>${e.status}:${e.message}`).sort();
          expect(story(batched)).toEqual(story(single));
          expect(batched.records.statements.transitionMany ?? 0).toBeLessThanOrEqual(single.records.statements.transitionMany ?? 0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("writes a batch's changes in chunks of 32, each announced as soon as it commits", async () => {
    const { tracker, records, recorded } = setup();
    const started = [];
    for (let i = 0; i < 70; i++)
      started.push((await tracker.start("acme", ATRIP, `V${i}`, `O${i}`, { status: "A", n: 0 }, { source: "SUBMIT", started: true }))!);
    const announced: number[] = [];
    const before = recorded.length;
    const t2 = new Tracker<R>({
      kind: kindOf(new Supplier()),
      records,
      log: createLogger("silent"),
      recorded: (e) => announced.push(e.length),
    });
    await t2.apply(
      started.map((record) => ({ record, report: { status: "B", n: 1 } })),
      "WEBHOOK",
    );
    expect(announced).toEqual([32, 32, 6]);
    expect(recorded.length).toBe(before);
  });
});

describe("scheduled checks", () => {
  it("lease due records, give unchanged ones back with a backed-off next check, leave changed ones to their new schedule", async () => {
    const { tracker, records, supplier } = setup();
    for (const ref of ["V1", "V2", "V3"])
      await tracker.start("acme", ATRIP, ref, `O-${ref}`, { status: "A", n: 0 }, { source: "SUBMIT", started: true });
    supplier.state.set("V1", { status: "A", n: 1 });
    supplier.state.set("V2", { status: "B", n: 2 });
    supplier.state.set("V3", new Error("supplier down"));
    expect(await tracker.pollDue("me", 100, 30_000)).toBe(0); // nothing due yet
    records.now += policy.minMs;
    expect(await tracker.pollDue("me", 100, 30_000)).toBe(3);
    const [v1, v2, v3] = await Promise.all(["V1", "V2", "V3"].map((r) => tracker.get("acme", ATRIP, r)));
    expect(v1).toMatchObject({ status: "A", checkAttempt: 1, data: { n: 1 } });
    expect(v2).toMatchObject({ status: "B", checkAttempt: 0 });
    expect(v3).toMatchObject({ status: "A", checkAttempt: 1 });
    const wait = (r: typeof v1) => r!.nextCheckAt!.getTime() - records.now;
    // Attempt 1 waits min × 2 (with up to 10 % jitter); a change starts again at min.
    expect(wait(v1)).toBeLessThanOrEqual(2 * policy.minMs);
    expect(wait(v1)).toBeGreaterThanOrEqual(0.9 * 2 * policy.minMs);
    expect(wait(v2)).toBeLessThanOrEqual(policy.minMs);
    expect(records.statements.releaseMany).toBe(1);
  });

  it("backs off while nothing changes, doubling up to the longest interval", async () => {
    const { tracker, records, supplier } = setup();
    await tracker.start("acme", ATRIP, "V1", "O1", { status: "A", n: 0 }, { source: "SUBMIT", started: true });
    supplier.state.set("V1", new Error("down"));
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = (await tracker.get("acme", ATRIP, "V1"))!;
      records.now = r.nextCheckAt!.getTime();
      await tracker.pollDue("me", 10, 30_000);
      const after = (await tracker.get("acme", ATRIP, "V1"))!;
      waits.push(Math.round((after.nextCheckAt!.getTime() - records.now) / 100) / 10);
    }
    // 2, 4, 8, 8, 8, 8 s, less up to 10 % jitter.
    const expected = [2, 4, 8, 8, 8, 8];
    waits.forEach((w, i) => {
      expect(w).toBeLessThanOrEqual(expected[i]);
      expect(w).toBeGreaterThanOrEqual(expected[i] * 0.9 - 0.1);
    });
    expect(pollDelayMs(policy, 30, true, 0)).toBe(policy.watchedMs);
  });

  it("a webhook the supplier's answer does not bear out restarts the record's schedule; polls back off as before, and a refresh's same answer leaves it", async () => {
    const { tracker, records, supplier } = setup();
    await tracker.start("acme", ATRIP, "V1", "O1", { status: "A", n: 0 }, { source: "SUBMIT", started: true });
    supplier.state.set("V1", { status: "A", n: 1 });
    for (let i = 0; i < 3; i++) {
      records.now = (await tracker.get("acme", ATRIP, "V1"))!.nextCheckAt!.getTime();
      await tracker.pollDue("me", 10, 30_000);
    }
    const backedOff = (await tracker.get("acme", ATRIP, "V1"))!;
    expect(backedOff.checkAttempt).toBe(3);
    expect(backedOff.nextCheckAt!.getTime() - records.now).toBeGreaterThan(policy.minMs);
    // The webhook announced a change its query does not show yet: looked at again after the first interval.
    const r = (await tracker.get("acme", ATRIP, "V1"))!;
    expect(await tracker.confirm([{ supplier: ATRIP, ref: "V1", records: [r] }])).toEqual(new Map());
    const restarted = (await tracker.get("acme", ATRIP, "V1"))!;
    expect(restarted).toMatchObject({ status: "A", checkAttempt: 0, data: { n: 1 } });
    expect(restarted.nextCheckAt!.getTime() - records.now).toBeLessThanOrEqual(policy.minMs);
    // A refresh's same answer leaves the schedule alone.
    records.now = restarted.nextCheckAt!.getTime();
    await tracker.pollDue("me", 10, 30_000);
    const polled = (await tracker.get("acme", ATRIP, "V1"))!;
    await tracker.refresh("acme", ATRIP, "V1");
    expect((await tracker.get("acme", ATRIP, "V1"))!).toMatchObject({ checkAttempt: 1, nextCheckAt: polled.nextCheckAt });
  });

  it("two instances never check one record at once; a crashed instance's lease expires", async () => {
    const { records, supplier } = setup();
    const a = new Tracker<R>({ kind: kindOf(supplier), records, log: createLogger("silent"), recorded: () => undefined });
    const b = new Tracker<R>({ kind: kindOf(supplier), records, log: createLogger("silent"), recorded: () => undefined });
    for (let i = 0; i < 10; i++) await a.start("acme", ATRIP, `V${i}`, `O${i}`, { status: "A", n: 0 }, { source: "SUBMIT", started: true });
    records.now += policy.minMs;
    const gate = deferred();
    supplier.gate = gate.promise;
    const runs = [a.pollDue("a", 100, 30_000), b.pollDue("b", 100, 30_000)];
    gate.resolve();
    const [na, nb] = await Promise.all(runs);
    expect(na + nb).toBe(10);
    expect([...supplier.calls.values()].every((c) => c === 1)).toBe(true);
    // "a" leases and dies without giving back; "b" takes over once the lease has expired.
    supplier.gate = undefined;
    records.now += 60_000;
    await records.leaseDue("void", "a", 100, 5_000);
    expect(await b.pollDue("b", 100, 30_000)).toBe(0);
    records.now += 5_001;
    expect(await b.pollDue("b", 100, 30_000)).toBe(10);
  });

  it("asks for one record while a call is in flight share that call", async () => {
    const { tracker, supplier } = setup();
    supplier.state.set("V1", { status: "B", n: 1 });
    const gate = deferred();
    supplier.gate = gate.promise;
    const asks = Array.from({ length: 10 }, () => tracker.ask("acme", ATRIP, "V1"));
    gate.resolve();
    expect(await Promise.all(asks)).toEqual(Array.from({ length: 10 }, () => ({ status: "B", n: 1 })));
    expect(supplier.calls.get("V1")).toBe(1);
    expect(tracker.supplierCalls).toBe(1);
    await tracker.ask("acme", ATRIP, "V1");
    expect(supplier.calls.get("V1")).toBe(2); // settled calls are not cached
  });

  it("a webhook's confirmation does not share a call sent before it: it waits for that one and asks again", async () => {
    const { tracker, supplier, recorded } = setup();
    const r = (await tracker.start("acme", ATRIP, "V1", "O1", { status: "A", n: 0 }, { source: "SUBMIT", started: true }))!;
    supplier.state.set("V1", { status: "A", n: 0 });
    const first = deferred();
    supplier.gate = first.promise;
    const arrived = supplier.nextCall();
    const poll = tracker.ask("acme", ATRIP, "V1"); // a poll's query, in flight
    await arrived;
    // The supplier moves to B and says so by webhook while that query is out.
    const confirmed = tracker.confirm([{ supplier: ATRIP, ref: "V1", records: [r] }]);
    const second = deferred();
    supplier.gate = second.promise;
    const asked = supplier.nextCall();
    first.resolve();
    expect(await poll).toEqual({ status: "A", n: 0 }); // answered from before the change
    supplier.state.set("V1", { status: "B", n: 1 });
    await asked;
    second.resolve();
    expect((await confirmed).size).toBe(0);
    expect(supplier.calls.get("V1")).toBe(2);
    expect(recorded.at(-1)).toMatchObject({ ref: "V1", previousStatus: "A", status: "B", source: "WEBHOOK" });
  });

  it("a webhook confirmation that gets no answer shows in the record's check failure at once, but not over an answer recorded since", async () => {
    const { tracker, records, supplier } = setup();
    const r = (await tracker.start("acme", ATRIP, "V1", "O1", { status: "A", n: 0 }, { source: "SUBMIT", started: true }))!;
    const before = (await tracker.get("acme", ATRIP, "V1"))!;
    const bad = new SupplierError("SUPPLIER_BAD_RESPONSE", "ATRIP's reply could not be read", { supplier: "ATRIP", retryable: true });
    supplier.state.set("V1", bad);
    records.now += 1000;
    expect([...(await tracker.confirm([{ supplier: ATRIP, ref: "V1", records: [r] }])).keys()]).toEqual(["ATRIP:V1"]);
    const failed = (await tracker.get("acme", ATRIP, "V1"))!;
    expect(failed.checkFailure).toMatchObject({ code: "SUPPLIER_BAD_RESPONSE", message: bad.message, since: new Date(records.now) });
    expect(failed.lastCheckedAt).toEqual(new Date(records.now));
    // The schedule is the inbox's and the poll's: left as it was.
    expect([failed.nextCheckAt, failed.checkAttempt]).toEqual([before.nextCheckAt, before.checkAttempt]);
    // An answer recorded after the webhook's record was read: the late failure does not hide it.
    supplier.state.set("V1", { status: "B", n: 1 });
    records.now += 1000;
    await tracker.refresh("acme", ATRIP, "V1");
    supplier.state.set("V1", bad);
    await tracker.confirm([{ supplier: ATRIP, ref: "V1", records: [r] }]);
    expect((await tracker.get("acme", ATRIP, "V1"))!).toMatchObject({ status: "B", checkFailure: null });
  });

  it("a same-status report merged onto a record read before another write is merged again onto the record as it now stands", async () => {
    const supplier = new Supplier();
    const records = new FakeRecords();
    // A kind that keeps the stored `n` when a report brings none (as a stop keeps its request's flag).
    const kind = { ...kindOf(supplier), merge: (stored: R, report: R) => ({ ...report, n: report.n ?? stored.n }) };
    const tracker = new Tracker<R>({ kind, records, log: createLogger("silent"), recorded: () => undefined });
    const read = (await tracker.start("acme", ATRIP, "V1", "O1", { status: "A", n: 1 }, { source: "SUBMIT", started: true }))!;
    records.now += 1000;
    // Written meanwhile (a stop's resend, say): n 2.
    await records.touchMany([{ key: read, status: "A", data: { status: "A", n: 2 } }]);
    records.now += 1000;
    // The check read the record before that write; its report says nothing of n.
    const [applied] = await tracker.apply([{ record: read, report: { status: "A" } as R }], "POLL");
    expect(applied.outcome).toBe("touched");
    expect((await tracker.get("acme", ATRIP, "V1"))!.data).toEqual({ status: "A", n: 2 });
  });

  it("webhook confirmations ask once per reference and apply the answer to every tenant's record", async () => {
    const { tracker, records, supplier, recorded } = setup();
    const r = (await tracker.start("acme", ATRIP, "V1", "O1", { status: "A", n: 0 }, { source: "SUBMIT", started: true }))!;
    supplier.state.set("V1", { status: "C", n: 9 });
    supplier.state.set("V2", new Error("down"));
    const failed = await tracker.confirm(
      [
        { supplier: ATRIP, ref: "V1", records: [r] },
        { supplier: ATRIP, ref: "V2", records: [{ ...r, ref: "V2" }] },
      ],
      4,
    );
    expect([...failed.keys()]).toEqual(["ATRIP:V2"]);
    expect(recorded.at(-1)).toMatchObject({ ref: "V1", status: "C", source: "WEBHOOK" });
    expect(records.statements.transitionMany).toBe(1);
  });
});
