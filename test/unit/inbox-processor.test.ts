/**
 * The webhook inbox processor against fakes of the store (the inbox queue, the tracked records)
 * and of the supplier (issue 17, item 7): a webhook is a hint confirmed by asking the supplier,
 * one question per record and account, the batch finished in one statement, failures retried
 * with a cap, and the rows it cannot use kept with a reason. Waits are on deferreds, never on sleeps.
 */
import { TRACKED_KINDS } from "../../src/tracking/kinds/index.js";
import { describe, expect, it } from "vitest";
import type { SupplierName } from "../../src/vocabulary/suppliers.js";
import type { WebhookHint } from "../../datasources/ports.js";
import { createLogger } from "../../src/logger.js";
import type { InboxRow, InboxState } from "../../src/store/inbox-store.js";
import type { TrackedEvent } from "../../src/store/tracked-model.js";
import type { KindName } from "../../src/vocabulary/kinds.js";
import { Tracker } from "../../src/tracking/engine.js";
import { InboxProcessor } from "../../src/tracking/inbox-processor.js";
import type { WebhookSettlement } from "../../src/tracking/void-submission.js";
import type { InboxQueue, UnsettledOrders } from "../../src/tracking/ports.js";
import { deferred, kindOf, Supplier, type R } from "./fakes/test-kind.js";
import { FakeRecords } from "./fakes/tracking-store.js";

type Finished = { id: string; state: Exclude<InboxState, "PROCESSING">; note: string | null; waitMs?: number; orderNo?: string };

/** The inbox queue in memory: rows with a state; claim takes RECEIVED ones and counts the try. */
class FakeInbox implements InboxQueue {
  readonly rows = new Map<string, InboxRow & { state: InboxState; note: string | null; orderNo?: string }>();
  /** Each finishMany call's results: one entry per statement. */
  readonly finished: Finished[][] = [];
  /** How many claim statements ran; the ids each unclaim gave back. */
  claims = 0;
  readonly unclaimed: string[][] = [];
  private next = 1;

  add(supplier: SupplierName, body: unknown, attempts = 0): string {
    const id = String(this.next++);
    this.rows.set(id, {
      id,
      supplier,
      eventType: "t",
      payload: body,
      receivedAt: new Date(),
      attempts,
      traceContext: null,
      state: "RECEIVED",
      note: null,
    });
    return id;
  }

  /** A row an intake stored claimed for this instance (InboxStore.insert with claimedBy), as the intake hands it over. */
  addClaimed(supplier: SupplierName, body: unknown): InboxRow {
    const id = this.add(supplier, body, 1);
    Object.assign(this.rows.get(id)!, { state: "PROCESSING" });
    const { supplier: s, eventType, payload, receivedAt, attempts, traceContext } = this.rows.get(id)!;
    return structuredClone({ id, supplier: s, eventType, payload, receivedAt, attempts, traceContext });
  }

  async claim(_owner: string, limit: number): Promise<InboxRow[]> {
    this.claims++;
    const mine = [...this.rows.values()].filter((r) => r.state === "RECEIVED").slice(0, limit);
    return mine.map((r) => {
      Object.assign(r, { state: "PROCESSING", attempts: r.attempts + 1 });
      const { id, supplier, eventType, payload, receivedAt, attempts, traceContext } = r;
      return structuredClone({ id, supplier, eventType, payload, receivedAt, attempts, traceContext });
    });
  }

  async finishMany(results: Finished[]): Promise<void> {
    this.finished.push(results);
    for (const r of results)
      Object.assign(this.rows.get(r.id)!, { state: r.state, note: r.note, ...(r.orderNo ? { orderNo: r.orderNo } : {}) });
  }

  async reopenUnknownVoids(supplier: string, orderNo: string): Promise<number> {
    const rows = [...this.rows.values()].filter((r) => r.state === "UNKNOWN_VOID" && r.supplier === supplier && r.orderNo === orderNo);
    for (const r of rows) Object.assign(r, { state: "RECEIVED", attempts: 0, note: "read again: its order was marked" });
    return rows.length;
  }

  async unclaim(ids: readonly string[]): Promise<void> {
    this.unclaimed.push([...ids]);
    for (const id of ids) {
      const r = this.rows.get(id)!;
      if (r.state === "PROCESSING") Object.assign(r, { state: "RECEIVED", attempts: r.attempts - 1 });
    }
  }

  stateOf(id: string): [InboxState, string | null] {
    const r = this.rows.get(id)!;
    return [r.state, r.note];
  }
}

/** ATRIP's reader stand-in: the body is the hint as JSON; "garbage" is not an envelope. */
const reader = {
  interpret(body: string): WebhookHint {
    if (body.includes("garbage")) throw new Error("not an envelope");
    return JSON.parse(body) as WebhookHint;
  },
};
const registry = { get: (name: SupplierName) => (name === "ATRIP" ? { webhooks: reader } : name === "CTT" ? {} : undefined) };

const voidHint = (voidCode: string, orderNo = `O-${voidCode}`) => ({ type: "order.void", kind: "void" as const, voidCode, orderNo });

function setup(opts: { kind?: KindName; accountOf?: (tenant: string) => string } = {}) {
  const name = opts.kind ?? "void";
  const records = new FakeRecords();
  const supplier = new Supplier();
  const recorded: TrackedEvent[] = [];
  const tracker = new Tracker<R>({
    kind: kindOf(supplier, { name, accountOf: opts.accountOf }),
    records,
    log: createLogger("silent"),
    recorded: (e) => recorded.push(...e),
  });
  const inbox = new FakeInbox();
  const waiting = new Set<string>();
  const unsettled: UnsettledOrders = { waitingOrders: async (_op, orders) => new Set(orders.filter((o) => waiting.has(o))) };
  const settled: string[] = [];
  const submissions = {
    settle: (async () => ({ state: "settled" })) as (orderNo: string, voidCode: string) => Promise<WebhookSettlement>,
    async settleFromWebhook(_supplier: SupplierName, orderNo: string, voidCode: string) {
      const done = await this.settle(orderNo, voidCode);
      if (done.state === "settled") settled.push(`${orderNo}/${voidCode}`);
      return done;
    },
  };
  const processor = new InboxProcessor({
    inbox,
    records,
    unsettled,
    registry,
    trackers: { [name]: tracker as Tracker<unknown> },
    kinds: TRACKED_KINDS,
    submissions,
    log: createLogger("silent"),
  });
  const start = (ref: string, status = "A", tenant = "acme") =>
    tracker.start(tenant, "ATRIP", ref, `O-${ref}`, { status, n: 0 }, { source: "SUBMIT", started: true });
  return { records, supplier, tracker, recorded, inbox, waiting, settled, submissions, processor, start };
}

describe("the inbox processor", () => {
  it("confirms a webhook by asking the supplier: only the answer is recorded, once per record however many webhooks name it", async () => {
    const { supplier, recorded, inbox, processor, start } = setup();
    await start("V1");
    supplier.state.set("V1", { status: "B", n: 1 });
    const ids = [inbox.add("ATRIP", voidHint("V1")), inbox.add("ATRIP", voidHint("V1")), inbox.add("ATRIP", voidHint("V1"))];

    expect(await processor.processBatch("me")).toBe(3);
    expect(supplier.calls.get("V1")).toBe(1);
    expect(recorded.map((e) => [e.previousStatus, e.status, e.source])).toEqual([
      [null, "A", "SUBMIT"],
      ["A", "B", "WEBHOOK"],
    ]);
    expect(ids.map((id) => inbox.stateOf(id)[0])).toEqual(["PROCESSED", "PROCESSED", "PROCESSED"]);
    expect(inbox.finished).toHaveLength(1);
  });

  it("a webhook whose supplier answer says nothing new records nothing; a final record is not asked about", async () => {
    const { supplier, recorded, inbox, processor, start } = setup();
    await start("V1");
    await start("V2", "C");
    supplier.state.set("V1", { status: "A", n: 1 });
    const a = inbox.add("ATRIP", voidHint("V1"));
    const b = inbox.add("ATRIP", voidHint("V2"));
    await processor.processBatch("me");
    expect(recorded.filter((e) => e.source === "WEBHOOK")).toEqual([]);
    expect(supplier.calls.get("V2")).toBeUndefined();
    expect([inbox.stateOf(a)[0], inbox.stateOf(b)[0]]).toEqual(["PROCESSED", "PROCESSED"]);
  });

  it("nothing is finished while the supplier is being asked; then the whole batch in one statement", async () => {
    const { supplier, inbox, processor, start } = setup();
    await start("V1");
    await start("V2");
    supplier.state.set("V1", { status: "B", n: 1 });
    supplier.state.set("V2", { status: "C", n: 1 });
    const gate = deferred();
    supplier.gate = gate.promise;
    inbox.add("ATRIP", voidHint("V1"));
    inbox.add("ATRIP", voidHint("V2"));
    const arrived = supplier.nextCall();
    const run = processor.processBatch("me");
    await arrived;
    expect(inbox.finished).toEqual([]);
    expect([...inbox.rows.values()].map((r) => r.state)).toEqual(["PROCESSING", "PROCESSING"]);
    gate.resolve();
    await run;
    expect(inbox.finished).toHaveLength(1);
    expect(inbox.finished[0]!.map((r) => r.state)).toEqual(["PROCESSED", "PROCESSED"]);
  });

  it("asks once per supplier account: two tenants' stops on one account share the question, on two accounts each asks", async () => {
    /** Two tenants' stops of order O1, confirmed by one webhook saying it was ticketed. */
    const twoTenants = async (accountOf: (tenant: string) => string) => {
      const t = setup({ kind: "stop", accountOf });
      await t.start("O1", "A", "acme");
      await t.start("O1", "A", "globex");
      t.supplier.state.set("O1", { status: "B", n: 1 });
      t.inbox.add("ATRIP", { type: "order.ticketed", kind: "ticketed", orderNo: "O1" });
      await t.processor.processBatch("me");
      const confirmed = t.recorded.filter((e) => e.source === "WEBHOOK").map((e) => e.tenant);
      return { asked: t.supplier.calls.get("O1"), confirmed: confirmed.sort() };
    };
    expect(await twoTenants(() => "one")).toEqual({ asked: 1, confirmed: ["acme", "globex"] });
    expect(await twoTenants((tenant) => tenant)).toEqual({ asked: 2, confirmed: ["acme", "globex"] });
  });

  it("a confirmation that fails goes back to the inbox with the reason; at the eighth try it is FAILED and the record is due now", async () => {
    const { supplier, records, inbox, processor, start } = setup();
    const record = (await start("V1"))!;
    supplier.state.set("V1", new Error("supplier down"));
    const early = inbox.add("ATRIP", voidHint("V1"));
    await processor.processBatch("me");
    expect(inbox.stateOf(early)).toEqual(["RECEIVED", "Error: supplier down"]);
    expect((await records.get(record))!.nextCheckAt!.getTime()).toBeGreaterThan(records.now);

    inbox.rows.get(early)!.state = "PROCESSED"; // out of the way
    const last = inbox.add("ATRIP", voidHint("V1"), 7);
    await processor.processBatch("me");
    expect(inbox.stateOf(last)).toEqual(["FAILED", "Error: supplier down"]);
    expect((await records.get(record))!.nextCheckAt!.getTime()).toBeLessThanOrEqual(records.now);
  });

  it("an engine that fails as a whole (its store away) puts every row of that kind back", async () => {
    const { inbox, records, start } = setup();
    await start("V1");
    await start("V2");
    const processor = new InboxProcessor({
      inbox,
      records,
      unsettled: { waitingOrders: async () => new Set() },
      registry,
      trackers: { void: { confirm: () => Promise.reject(new Error("store unreachable")) } },
      kinds: TRACKED_KINDS,
      submissions: { settleFromWebhook: async () => ({ state: "none" as const }) },
      log: createLogger("silent"),
    });
    const ids = [inbox.add("ATRIP", voidHint("V1")), inbox.add("ATRIP", voidHint("V2"))];
    await processor.processBatch("me");
    expect(ids.map((id) => inbox.stateOf(id))).toEqual([
      ["RECEIVED", "Error: store unreachable"],
      ["RECEIVED", "Error: store unreachable"],
    ]);
  });

  it("a webhook kept as unknown while its order is marked meanwhile (a submission refused as already made) is read again at once", async () => {
    const { inbox, processor, waiting, settled } = setup();
    const row = inbox.add("ATRIP", voidHint("V5", "O-RACE"));
    // The batch reads the waiting orders (none), then the submission marks the order and reopens
    // the order's kept webhooks before this batch has kept its row: that reopen found nothing.
    const unsettled = (processor as unknown as { deps: { unsettled: UnsettledOrders } }).deps.unsettled;
    const read = unsettled.waitingOrders.bind(unsettled);
    let reads = 0;
    unsettled.waitingOrders = async (op, orders) => {
      const found = await read(op, orders);
      if (++reads === 1) {
        waiting.add("O-RACE");
        expect(await inbox.reopenUnknownVoids("ATRIP", "O-RACE")).toBe(0);
      }
      return found;
    };
    await processor.processBatch("me");
    expect(inbox.stateOf(row)[0]).toBe("RECEIVED");
    await processor.processBatch("me");
    expect(inbox.stateOf(row)[0]).toBe("PROCESSED");
    expect(settled).toEqual(["O-RACE/V5"]);
  });

  it("a void nobody tracks settles a submission that lost its reply, or stays in the inbox as UNKNOWN_VOID", async () => {
    const { inbox, processor, waiting, settled, submissions } = setup();
    waiting.add("O-LOST");
    const lost = inbox.add("ATRIP", voidHint("V9", "O-LOST"));
    const stranger = inbox.add("ATRIP", voidHint("V8", "O-NOBODY"));
    await processor.processBatch("me");
    expect(settled).toEqual(["O-LOST/V9"]);
    expect(inbox.stateOf(lost)[0]).toBe("PROCESSED");
    expect(inbox.stateOf(stranger)[0]).toBe("UNKNOWN_VOID");

    // The supplier does not confirm the void is on that order: nothing settled, kept.
    submissions.settle = async () => ({ state: "none" });
    const unconfirmed = inbox.add("ATRIP", voidHint("V7", "O-LOST"));
    await processor.processBatch("me");
    expect(inbox.stateOf(unconfirmed)[0]).toBe("UNKNOWN_VOID");

    // Kept again, not reopened: its order's mark was asked about already (no loop).
    await processor.processBatch("me");
    expect(inbox.stateOf(unconfirmed)[0]).toBe("UNKNOWN_VOID");

    // Settling failed (supplier down): tried again later.
    submissions.settle = () => Promise.reject(new Error("timeout"));
    const retried = inbox.add("ATRIP", voidHint("V6", "O-LOST"));
    await processor.processBatch("me");
    expect(inbox.stateOf(retried)).toEqual(["RECEIVED", "Error: timeout"]);

    // A request holds the order's submission (in flight, or its process stopped mid-call): put
    // back to be read again in a second, not when that request's claim expires (15 s here, the
    // supplier timeout + 10 s by default), the try not counted.
    submissions.settle = async () => ({ state: "held", forMs: 15_000 });
    const held = inbox.add("ATRIP", voidHint("V5", "O-LOST"));
    await processor.processBatch("me");
    expect(inbox.stateOf(held)).toEqual(["RECEIVED", "a request holds the order's void submission"]);
    expect(inbox.finished.at(-1)?.find((f) => f.id === held)?.waitMs).toBe(1_000);
  });

  it("rows it cannot use are kept with a reason and never reach a supplier", async () => {
    const { supplier, inbox, processor } = setup();
    const garbage = inbox.add("ATRIP", "garbage");
    const silent = inbox.add("CTT", { anything: 1 });
    const other = inbox.add("ATRIP", { type: "order.issued", kind: "other" });
    const ticketed = inbox.add("ATRIP", { type: "order.ticketed", kind: "ticketed", orderNo: "O-1" });
    expect(await processor.processBatch("me")).toBe(4);
    expect(inbox.stateOf(garbage)).toEqual(["FAILED", "Error: not an envelope"]);
    expect(inbox.stateOf(silent)).toEqual(["IGNORED", "no webhook support for this supplier"]);
    expect(inbox.stateOf(other)).toEqual(["IGNORED", "type order.issued is not tracked"]);
    expect(inbox.stateOf(ticketed)).toEqual(["PROCESSED", "no open record"]);
    expect(supplier.calls.size).toBe(0);
  });

  it("rows an intake hands over are processed without claiming each batch; the store is still asked once a second", async () => {
    const { supplier, recorded, inbox, processor, start } = setup();
    await start("V1");
    await start("V2");
    supplier.state.set("V1", { status: "B", n: 1 });
    supplier.state.set("V2", { status: "B", n: 1 });
    const retry = inbox.add("ATRIP", voidHint("V2"), 1);
    const first = inbox.addClaimed("ATRIP", voidHint("V1"));
    processor.accept(first);
    // The first batch asks the store too (never asked yet): the retry waiting there comes along.
    expect(await processor.processBatch("me")).toBe(2);
    expect(inbox.claims).toBe(1);
    const second = inbox.addClaimed("ATRIP", voidHint("V1"));
    processor.accept(second);
    expect(await processor.processBatch("me")).toBe(1);
    expect(inbox.claims).toBe(1);
    expect([first.id, second.id, retry].map((id) => inbox.stateOf(id)[0])).toEqual(["PROCESSED", "PROCESSED", "PROCESSED"]);
    expect(recorded.filter((e) => e.source === "WEBHOOK").map((e) => e.ref)).toEqual(["V1", "V2"]);
    // Nothing handed over: the store is asked.
    expect(await processor.processBatch("me")).toBe(0);
    expect(inbox.claims).toBe(2);
  });

  it("a handed-over row is not read again: the intake's hint is used", async () => {
    const { supplier, recorded, inbox, processor, start } = setup();
    await start("V1");
    supplier.state.set("V1", { status: "B", n: 1 });
    // The reader would refuse this body; the hint the intake read from the real one is what counts.
    const row = inbox.addClaimed("ATRIP", "garbage");
    processor.accept(row, voidHint("V1"));
    expect(await processor.processBatch("me")).toBe(1);
    expect(inbox.stateOf(row.id)).toEqual(["PROCESSED", null]);
    expect(recorded.filter((e) => e.source === "WEBHOOK").map((e) => e.ref)).toEqual(["V1"]);
  });

  it("a handed-over row that waited past half the reclaim time is left to the store; on stop the rest are given back", async () => {
    const { inbox, processor } = setup();
    const stale = inbox.addClaimed("ATRIP", voidHint("V1"));
    processor.accept(stale);
    await new Promise((r) => setTimeout(r, 5));
    expect(await processor.processBatch("me", 100, 4)).toBe(0);
    expect(inbox.stateOf(stale.id)[0]).toBe("PROCESSING");
    const waiting = [inbox.addClaimed("ATRIP", voidHint("V2")), inbox.addClaimed("ATRIP", voidHint("V3"))];
    waiting.forEach((r) => processor.accept(r));
    await processor.release();
    expect(inbox.unclaimed).toEqual([waiting.map((r) => r.id)]);
    expect(waiting.map((r) => inbox.rows.get(r.id)!.state)).toEqual(["RECEIVED", "RECEIVED"]);
    expect(await processor.processBatch("me")).toBe(2);
  });

  it("an empty inbox claims nothing and writes nothing", async () => {
    const { inbox, processor } = setup();
    expect(await processor.processBatch("me")).toBe(0);
    expect(inbox.finished).toEqual([]);
  });
});
