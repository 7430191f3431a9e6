/** Resuming with afterEventId, replay/live hand-over, and stop-issuance tracking. */
import { afterEach, describe, expect, it } from "vitest";
import type { VoidOrderData } from "../../datasources/model.js";
import { createLogger } from "../../src/logger.js";
import { MemoryPubSub } from "../../src/pubsub/memory.js";
import { Subscriptions } from "../../src/tracking/subscriptions.js";
import { voidEventPayload, voidTopics, type VoidEventPayload } from "../../src/tracking/topics.js";
import { fresh } from "../helpers/atrip.js";
import { wsClient } from "../helpers/clients.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql, quoteAndSubmit, VOID_EVENTS, type EventOut } from "../helpers/graphql.js";
import { pgliteStore } from "../helpers/store.js";
import { collect } from "../helpers/subscribe.js";

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const isFinal = async (url: string, voidCode: string) =>
  (await gql<{ voidOrder: { isFinal: boolean } }>(url, `{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}") { isFinal } }`)).data?.voidOrder.isFinal;

describe("voidStatusChanged with afterEventId", () => {
  it("resubscribing after two missed changes gets exactly those two, then live ones", async () => {
    t = await startTestGateway({ VOID_POLL_MIN_MS: "300", VOID_POLL_WATCHED_MS: "300" });
    const first = wsClient(t.wsUrl);
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const sub1 = collect<EventOut>(first, VOID_EVENTS, { orderNo }, (d) => d.voidStatusChanged as EventOut);
    await new Promise((r) => setTimeout(r, 100));
    const voidCode = await quoteAndSubmit(t.url, orderNo);
    const [submitted] = await sub1.waitFor(1);
    await first.dispose(); // disconnect
    for (let i = 0; i < 200 && !(await isFinal(t.url, voidCode)); i++) await new Promise((r) => setTimeout(r, 100));

    const second = wsClient(t.wsUrl);
    const sub2 = collect<EventOut>(second, VOID_EVENTS, { after: submitted.id }, (d) => d.voidStatusChanged as EventOut);
    const missed = await sub2.waitFor(2);
    expect(missed.map((e) => [e.voidCode, e.status])).toEqual([
      [voidCode, "AIRLINE_PROCESSING"],
      [voidCode, "REFUNDED"],
    ]);
    const other = fresh("ATR-VOID-VCC");
    await quoteAndSubmit(t.url, other);
    const live = await sub2.waitUntil((e) => e.orderNo === other);
    expect(live).toMatchObject({ status: "SUPPLIER_PROCESSING", source: "SUBMIT" });
    expect(new Set(sub2.items.map((e) => e.id)).size).toBe(sub2.items.length);
    expect(sub2.errors).toEqual([]);
    sub2.stop();
    await second.dispose();
  });

  it("an event recorded during the replay is delivered once", async () => {
    const store = await pgliteStore();
    const pubsub = new MemoryPubSub();
    const subs = new Subscriptions({ store, pubsub, log: createLogger("silent"), watchedMs: 60_000 });
    try {
      for (let round = 0; round < 15; round++) {
        const tenant = `replay-${round}`;
        const data: VoidOrderData = {
          supplier: "ATRIP", voidCode: `R-${round}-${Date.now()}`, orderNo: `O-${round}`, status: "SUPPLIER_PROCESSING", supplierStatus: 0,
          isFinal: false, refundMethod: null, tickets: [], fare: null, actualRefund: null, serviceFee: null,
          expectedConfirmationDate: null, expectedRefundDate: null, cancelReason: null, message: null, voidOfferId: null,
        };
        const first = await store.voids.record(tenant, data, "SUBMIT", new Date(), 60_000);
        const stream = await subs.voidEvents(tenant, { afterEventId: "0" });
        // Record and publish a change while the replay is under way.
        const moved = await store.voids.transition(
          { tenant, supplier: "ATRIP", voidCode: data.voidCode }, "SUPPLIER_PROCESSING",
          { ...data, status: "AIRLINE_PROCESSING", supplierStatus: 1 }, "POLL", 60_000,
        );
        await pubsub.publish(voidTopics.tenant(tenant), voidEventPayload(moved!.event, moved!.record));
        const got: VoidEventPayload[] = [(await stream.next()).value, (await stream.next()).value];
        expect(got.map((p) => p.event.id)).toEqual([first!.event!.id, moved!.event.id]);
        // And nothing more: no duplicate of the event that was both replayed and published.
        const third = await Promise.race([stream.next(), new Promise((r) => setTimeout(() => r("nothing"), 100))]);
        expect(third).toBe("nothing");
        await stream.return!();
      }
    } finally {
      await store.close();
    }
  });

  it("rejects a malformed afterEventId with BAD_USER_INPUT", async () => {
    t = await startTestGateway();
    const client = wsClient(t.wsUrl);
    const sub = collect<EventOut>(client, VOID_EVENTS, { after: "abc" }, (d) => d.voidStatusChanged as EventOut);
    await new Promise<void>((resolve) => {
      const check = () => (sub.errors.length ? resolve() : setTimeout(check, 20));
      check();
    });
    expect(JSON.stringify(sub.errors)).toMatch(/afterEventId/);
    expect(JSON.stringify(sub.errors)).toMatch(/BAD_USER_INPUT/);
    await client.dispose();
  });
});

describe("stop issuance tracking", () => {
  const STOP = `mutation S($orderNo: String!) { stopTicketIssuance(input: { supplier: ATRIP, orderNo: $orderNo }) { orderNo state requestedAt checkAfter resolvedAt } }`;
  const CHANGES = `subscription C($orderNo: String) { ticketIssuanceStopChanged(orderNo: $orderNo) { orderNo state checkAfter resolvedAt } }`;
  type StopOut = { orderNo: string; state: string; checkAfter: string; resolvedAt: string | null };

  it.each([
    ["ATR-STOP-OK", "STOPPED"],
    ["ATR-STOP-ISSUED", "ISSUED"],
  ])("%s ends %s, announced on ticketIssuanceStopChanged", async (template, outcome) => {
    // Clock x240: the supplier's 8 minutes take 2 s; a failing stop's tickets issue after 0.75 s.
    t = await startTestGateway({ SANDBOX_TIME_SCALE: "240" });
    const client = wsClient(t.wsUrl);
    const orderNo = fresh(template);
    const sub = collect<StopOut>(client, CHANGES, { orderNo }, (d) => d.ticketIssuanceStopChanged as StopOut);
    await new Promise((r) => setTimeout(r, 100));
    const r = await gql<{ stopTicketIssuance: StopOut }>(t.url, STOP, { orderNo });
    expect(r.data?.stopTicketIssuance.state).toBe("PENDING");
    const done = await sub.waitUntil((s) => s.state !== "PENDING");
    expect(done.state).toBe(outcome);
    expect(sub.items.map((s) => s.state)).toEqual(["PENDING", outcome]);
    if (outcome === "ISSUED") {
      // The order.ticketed webhook made the gateway check before checkAfter.
      expect(Date.parse(done.resolvedAt!)).toBeLessThan(Date.parse(done.checkAfter));
    }
    const stored = await gql<{ ticketIssuanceStop: StopOut }>(t.url, `{ ticketIssuanceStop(supplier: ATRIP, orderNo: "${orderNo}") { orderNo state resolvedAt checkAfter } }`);
    expect(stored.data?.ticketIssuanceStop.state).toBe(outcome);
    // Asking again returns the same request and does not call stopTicket.do again.
    const calls = t.sandbox.atrip!.server.stats.byOperation["stopTicket.do"];
    const again = await gql<{ stopTicketIssuance: StopOut }>(t.url, STOP, { orderNo });
    expect(again.data?.stopTicketIssuance.state).toBe(outcome);
    expect(t.sandbox.atrip!.server.stats.byOperation["stopTicket.do"]).toBe(calls);
    sub.stop();
    await client.dispose();
  });
});
