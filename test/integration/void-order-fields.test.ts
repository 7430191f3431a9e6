/**
 * VoidOrder.postTicketingServices and VoidOrder.fastConfirmation (issue B.10) through the
 * gateway: what void.do and queryVoidOrders.do return reaches the client, and a void recorded
 * before the fields existed still answers (an empty list, null) instead of failing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VoidOrderData } from "../../datasources/model.js";
import { eventually, fresh } from "../helpers/atrip.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql, QUOTE, quoteAndSubmit } from "../helpers/graphql.js";
import { newVoid } from "../helpers/records.js";

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => t?.close());

const FIELDS = "voidCode status fastConfirmation postTicketingServices { postTicketingOrderNo currency originalAmount estimatedRefund }";
interface Out {
  voidCode: string;
  status: string;
  fastConfirmation: boolean | null;
  postTicketingServices: Array<Record<string, string>>;
}

describe("VoidOrder: what the supplier returns", () => {
  it("submitVoid shows void.do's postTicketingServices and fastConfirmation; voidOrder(refresh) shows the services queryVoidOrders.do reports", async () => {
    const orderNo = fresh("ATR-VOID-VCC");
    const q = await gql<{ voidQuote: { voidOfferId: string } }>(t.url, QUOTE, { orderNo });
    const s = await gql<{ submitVoid: Out }>(
      t.url,
      `mutation S($orderNo: String!, $offer: String!) { submitVoid(input: { supplier: ATRIP, orderNo: $orderNo, voidOfferId: $offer }) { ${FIELDS} } }`,
      { orderNo, offer: q.data!.voidQuote.voidOfferId },
    );
    const baggage = { postTicketingOrderNo: `${orderNo}-BAG1`, currency: "USD", originalAmount: "35.00", estimatedRefund: "35.00" };
    expect(s.errors).toBeUndefined();
    expect(s.data!.submitVoid).toMatchObject({ fastConfirmation: true, postTicketingServices: [baggage] });
    const r = await gql<{ voidOrder: Out }>(
      t.url,
      `{ voidOrder(supplier: ATRIP, voidCode: "${s.data!.submitVoid.voidCode}", refresh: true) { ${FIELDS} } }`,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.voidOrder.postTicketingServices).toEqual([baggage]);
  });

  it("a refund amount ATRIP gives only after the void is final reaches voidOrder(refresh: true); the status and history stay", async () => {
    const orderNo = fresh("ATR-REFUND-LATE");
    const voidCode = await quoteAndSubmit(t.url, orderNo);
    type Read = {
      voidOrder: {
        status: string;
        isFinal: boolean;
        actualRefund: { amount: string; currency: string } | null;
        history: Array<{ status: string }>;
      };
    };
    const read = async (refresh: boolean) =>
      (
        await gql<Read>(
          t.url,
          `{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}", refresh: ${refresh}) { status isFinal actualRefund { amount currency } history { status } } }`,
        )
      ).data!.voidOrder;
    const final = await eventually(async () => {
      const v = await read(true);
      return v.isFinal ? v : null;
    }, 10_000);
    expect(final).toMatchObject({ status: "REFUNDED", actualRefund: null });
    const refunded = await eventually(async () => {
      const v = await read(true);
      return v.actualRefund ? v : null;
    }, 10_000);
    expect(refunded).toMatchObject({ status: "REFUNDED", isFinal: true, actualRefund: { amount: "950.00", currency: "USD" } });
    expect(refunded.history.map((e) => e.status)).toEqual(final.history.map((e) => e.status));
    // Kept: a read without refresh shows it too.
    expect((await read(false)).actualRefund).toEqual({ amount: "950.00", currency: "USD" });
  });

  it("voidOrder(refresh: true) that changes no status answers with the times of its own check, as the next read shows them", async () => {
    const voidCode = await quoteAndSubmit(t.url, fresh("ATR-VOID-REJECT"));
    type Read = { voidOrder: { isFinal: boolean; updatedAt: string; tracking: { lastCheckedAt: string | null } } };
    const read = async (refresh: boolean) =>
      (
        await gql<Read>(
          t.url,
          `{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}", refresh: ${refresh}) { isFinal updatedAt tracking { lastCheckedAt } } }`,
        )
      ).data!.voidOrder;
    const before = await eventually(async () => {
      const v = await read(true);
      return v.isFinal ? v : null;
    }, 10_000);
    await new Promise((r) => setTimeout(r, 20));
    const refreshed = await read(true);
    expect(Date.parse(refreshed.tracking.lastCheckedAt!)).toBeGreaterThan(Date.parse(before.tracking.lastCheckedAt!));
    expect(Date.parse(refreshed.updatedAt)).toBeGreaterThan(Date.parse(before.updatedAt));
    expect(await read(false)).toEqual(refreshed);
  });

  it("a void recorded before the fields existed answers an empty list and null", async () => {
    const old: VoidOrderData = {
      supplier: "ATRIP",
      voidCode: `OLD-${Date.now()}`,
      orderNo: fresh("ATR-VOID-DEPOSIT"),
      status: "SUPPLIER_PROCESSING",
      supplierStatus: 0,
      isFinal: false,
      refundMethod: null,
      tickets: [],
      fare: null,
      actualRefund: null,
      serviceFee: null,
      expectedConfirmationDate: null,
      expectedRefundDate: null,
      cancelReason: null,
      message: null,
      voidOfferId: null,
    };
    await t.store.tracked.insert(newVoid("demo", old, { firstCheckInMs: 3_600_000 }));
    const r = await gql<{ voidOrder: Out }>(t.url, `{ voidOrder(supplier: ATRIP, voidCode: "${old.voidCode}") { ${FIELDS} } }`);
    expect(r.errors).toBeUndefined();
    expect(r.data!.voidOrder).toEqual({
      voidCode: old.voidCode,
      status: "SUPPLIER_PROCESSING",
      fastConfirmation: null,
      postTicketingServices: [],
    });
  });
});
