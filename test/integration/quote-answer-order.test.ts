/**
 * A voidQuotation.do answer that names another order than the one asked about (seed 002: the
 * reply's orderNo is the "Original order number"). Its offer would void that other order, and the
 * quote used to be passed through as it came. A real gateway against the ATRIP simulator, whose
 * answers are rewritten.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_FAULTS } from "../../src/sandbox/http-kit.js";
import { fresh } from "../helpers/atrip.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql } from "../helpers/graphql.js";

const QUOTE = `mutation Q($orderNo: String!) { voidQuote(input: { supplier: ATRIP, orderNo: $orderNo }) { orderNo isVoidable voidOfferId } }`;

interface Quoted {
  voidQuote: { orderNo: string; isVoidable: boolean; voidOfferId: string | null } | null;
}

describe("a voidQuotation.do answer naming another order", () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Every voidQuotation.do answer names `to` where it named `orderNo`. */
  function rename(orderNo: string, to: string) {
    t.sandbox.atrip!.server.faults = {
      ...NO_FAULTS,
      operations: ["voidQuotation.do"],
      rewrite: { from: `"orderNo":"${orderNo}"`, to: `"orderNo":${JSON.stringify(to)}` },
    };
  }

  it("is an unreadable reply, the other order not named", async () => {
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    rename(orderNo, `${orderNo}X`);
    const q = await gql<Quoted>(t.url, QUOTE, { orderNo });
    expect(q.data?.voidQuote ?? null).toBeNull();
    expect(q.errors?.[0]?.extensions?.code).toBe("SUPPLIER_BAD_RESPONSE");
    expect(q.errors?.[0]?.message).not.toContain(`${orderNo}X`);
  });

  it("in another case, or with spaces, is the order asked about, as the client wrote it", async () => {
    const orderNo = `${fresh("ATR-VOID-DEPOSIT")}-abc`;
    rename(orderNo, ` ${orderNo.toUpperCase()} `);
    const q = await gql<Quoted>(t.url, QUOTE, { orderNo });
    expect(q.errors).toBeUndefined();
    expect(q.data?.voidQuote).toMatchObject({ orderNo, isVoidable: true, voidOfferId: expect.any(String) });
  });
});
