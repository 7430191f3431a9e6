/**
 * A void.do answer that names another order than the one sent (ATRIP's void.do echoes the
 * request's orderNo, seed 002). Before the fix the void was recorded under the answer's order,
 * the order sent looked void-free, and a second submitVoid sent void.do again (black-box probe,
 * thirty-first session). A real gateway against the ATRIP simulator, whose answers are rewritten.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_FAULTS } from "../../src/sandbox/http-kit.js";
import { fresh } from "../helpers/atrip.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql, QUOTE, SUBMIT } from "../helpers/graphql.js";

const LIST = `query L($orderNo: String!) { voidOrders(orderNo: $orderNo) { voidCode orderNo history { source } } }`;

interface Submitted {
  submitVoid: { voidCode: string; status: string; history: Array<{ source: string }> } | null;
}

describe("a void.do answer naming another order", () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(async () => {
    await t?.close();
  });

  const voidCalls = () => t.sandbox.atrip!.server.stats.byOperation["void.do"] ?? 0;

  /** Quotes and submits; returns the answer and the offer submitted. */
  async function submit(orderNo: string) {
    const q = await gql<{ voidQuote: { voidOfferId: string } }>(t.url, QUOTE, { orderNo });
    expect(q.errors).toBeUndefined();
    const offer = q.data!.voidQuote.voidOfferId;
    return { offer, answer: await gql<Submitted>(t.url, SUBMIT, { orderNo, offer }) };
  }

  /** The client submitting the same offer again (the supplier would now refuse a quote: 816). */
  const resubmit = (orderNo: string, offer: string) => gql<Submitted>(t.url, SUBMIT, { orderNo, offer });

  /** Every answer of `operations` names `orderNo` + "X" instead of `orderNo`. */
  function misname(orderNo: string, operations: string[]) {
    const atrip = t.sandbox.atrip!.server;
    atrip.faults = { ...NO_FAULTS, operations, rewrite: { from: `"orderNo":"${orderNo}"`, to: `"orderNo":"${orderNo}X"` } };
  }

  /**
   * Submits `orderNo`: the void is recorded from `source` under the order as sent, listed by it,
   * and a repeat is VOID_ALREADY_SUBMITTED with one void.do in all.
   */
  async function expectRecordedOnce(orderNo: string, source: "SUBMIT" | "QUERY") {
    const before = voidCalls();
    const { offer, answer: first } = await submit(orderNo);
    expect(first.errors).toBeUndefined();
    expect(first.data?.submitVoid?.history.map((h) => h.source)).toEqual([source]);
    const list = await gql<{ voidOrders: Array<{ voidCode: string; orderNo: string }> }>(t.url, LIST, { orderNo });
    expect(list.data?.voidOrders).toEqual([expect.objectContaining({ voidCode: first.data!.submitVoid!.voidCode, orderNo })]);
    expect((await resubmit(orderNo, offer)).errors?.[0]?.extensions?.code).toBe("VOID_ALREADY_SUBMITTED");
    expect(voidCalls() - before).toBe(1);
  }

  it("in another case, or with spaces, is the order sent: recorded under the number as sent, from the answer", async () => {
    const orderNo = `${fresh("ATR-VOID-DEPOSIT")}-abc`;
    const atrip = t.sandbox.atrip!.server;
    atrip.faults = {
      ...NO_FAULTS,
      operations: ["void.do"],
      rewrite: { from: `"orderNo":"${orderNo}"`, to: `"orderNo":" ${orderNo.toUpperCase()} "` },
    };
    await expectRecordedOnce(orderNo, "SUBMIT");
  });

  it("is read by its voidCode, and recorded under the order sent when the supplier's record names that order", async () => {
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    misname(orderNo, ["void.do"]);
    await expectRecordedOnce(orderNo, "QUERY");
  });

  it("is an unknown outcome with its voidCode when the supplier's record names the other order too, and void.do is not sent again", async () => {
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    misname(orderNo, ["void.do", "queryVoidOrders.do"]);
    const before = voidCalls();
    const { offer, answer: first } = await submit(orderNo);
    expect(first.data?.submitVoid ?? null).toBeNull();
    expect(first.errors?.[0]?.extensions).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN", voidCode: expect.any(String) });
    expect(first.errors?.[0]?.message).toContain("named another order");
    expect(first.errors?.[0]?.message).not.toContain(`${orderNo}X`);
    for (const listed of [orderNo, `${orderNo}X`]) {
      const list = await gql<{ voidOrders: unknown[] }>(t.url, LIST, { orderNo: listed });
      expect(list.data?.voidOrders).toEqual([]);
    }
    // ATRIP accepted a void (status 0): void.do is never sent again, and the void is asked for by
    // its code, which ATRIP still shows on the other order.
    const again = await resubmit(orderNo, offer);
    expect(again.data?.submitVoid ?? null).toBeNull();
    expect(again.errors?.[0]?.extensions).toMatchObject({
      code: "SUPPLIER_OUTCOME_UNKNOWN",
      voidCode: first.errors![0].extensions!.voidCode,
    });
    expect(voidCalls() - before).toBe(1);
  });
});
