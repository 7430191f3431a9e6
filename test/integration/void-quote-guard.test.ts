/**
 * submitVoid sends only the offer of the latest quote the gateway got for the order, and only
 * when that quote called the order voidable. Seed 002: a quotation is mandatory before every
 * void, the voidOfferId "must come from the latest voidQuotation.do", and the quote's
 * isVoidable is what counts; the gateway used to send void.do with whatever offer a client
 * gave (seeds probe, thirty-third session). A real gateway against the ATRIP simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEYS, bearer, KEYS } from "../helpers/auth.js";
import { fresh } from "../helpers/atrip.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql, QUOTE, SUBMIT } from "../helpers/graphql.js";

const ACME = bearer(KEYS.acmeWrite);
const GLOBEX = bearer(KEYS.globexWrite);

describe("the quote before a void", () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ API_KEYS });
  });
  afterAll(async () => {
    await t?.close();
  });

  const voidCalls = () => t.sandbox.atrip!.server.stats.byOperation["void.do"] ?? 0;
  const quote = async (orderNo: string, auth = ACME) => {
    const q = await gql<{ voidQuote: { voidOfferId: string | null } }>(t.url, QUOTE, { orderNo }, auth);
    expect(q.errors).toBeUndefined();
    return q.data!.voidQuote.voidOfferId;
  };
  const submit = (orderNo: string, offer: string, auth = ACME) =>
    gql<{ submitVoid: { voidCode: string } | null }>(t.url, SUBMIT, { orderNo, offer }, auth);

  it("a void with no quote from the gateway is not sent: VOID_OFFER_EXPIRED", async () => {
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const before = voidCalls();
    const r = await submit(orderNo, "v_made_up");
    expect(r.errors?.[0]?.extensions).toMatchObject({
      code: "VOID_OFFER_EXPIRED",
      gatewayCode: "NO_QUOTE",
      supplierCode: null,
      retryable: false,
      hint: expect.stringMatching(/quote again/i),
    });
    expect(voidCalls()).toBe(before);
  });

  it("only the latest quote's offer is sent; an earlier one is VOID_OFFER_EXPIRED, unsent", async () => {
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const first = (await quote(orderNo))!;
    const latest = (await quote(orderNo))!;
    expect(latest).not.toBe(first);
    const before = voidCalls();
    expect((await submit(orderNo, first)).errors?.[0]?.extensions).toMatchObject({
      code: "VOID_OFFER_EXPIRED",
      gatewayCode: "STALE_OFFER",
    });
    expect(voidCalls()).toBe(before);
    const ok = await submit(orderNo, latest);
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.submitVoid?.voidCode).toEqual(expect.any(String));
    expect(voidCalls()).toBe(before + 1);
  });

  it("a quote calling the order not voidable: no void is sent, NOT_VOIDABLE", async () => {
    const orderNo = fresh("ATR-VOID-WINDOW-CLOSED");
    const offer = await quote(orderNo);
    const before = voidCalls();
    const r = await submit(orderNo, offer ?? "v_any");
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: "NOT_VOIDABLE", gatewayCode: "QUOTE_NOT_VOIDABLE", retryable: false });
    expect(voidCalls()).toBe(before);
  });

  it("a quote is the tenant's own: another tenant's offer is not sent", async () => {
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const offer = (await quote(orderNo))!;
    const before = voidCalls();
    expect((await submit(orderNo, offer, GLOBEX)).errors?.[0]?.extensions?.code).toBe("VOID_OFFER_EXPIRED");
    expect(voidCalls()).toBe(before);
  });
});
