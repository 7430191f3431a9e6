/**
 * queryVoidOrders.do: "业务状态判断以 voidStatus 为准。不要用顶层 status 判断废票处理进度" (seed 002:
 * judge the business state by voidStatus, not by the top-level status). A reply with a non-zero
 * status that lists the void is read by its entry; before the fix, 814 made a refresh fail with
 * VOID_IN_PROGRESS and left the record behind (black-box probe, thirty-first session). A status
 * saying the request was not processed, or an undocumented one, is still its error.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { NO_FAULTS } from "../../src/sandbox/http-kit.js";
import { eventually, fresh } from "../helpers/atrip.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql, quoteAndSubmit } from "../helpers/graphql.js";

const REFRESH = `query V($code: String!) { voidOrder(supplier: ATRIP, voidCode: $code, refresh: true) { status isFinal message } }`;

describe("a queryVoidOrders.do reply with a non-zero status", () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ VOID_POLL_MIN_MS: "60000", VOID_POLL_MAX_MS: "60000" });
  });
  afterAll(async () => {
    await t?.close();
  });
  afterEach(() => {
    t.sandbox.atrip!.server.faults = { ...NO_FAULTS };
  });

  const withStatus = (status: number) => {
    const atrip = t.sandbox.atrip!.server;
    atrip.faults = { ...NO_FAULTS, operations: ["queryVoidOrders.do"], rewrite: { from: '"status":0,', to: `"status":${status},` } };
  };

  it("that lists the void is read by the void's own voidStatus, up to its final state", async () => {
    const atrip = t.sandbox.atrip!.server;
    atrip.faults = { ...NO_FAULTS, webhookDropRate: 1 };
    const code = await quoteAndSubmit(t.url, fresh("ATR-VOID-DEPOSIT"));
    withStatus(814);
    const done = await eventually(
      async () => {
        const r = await gql<{ voidOrder: { status: string; isFinal: boolean; message: string | null } }>(t.url, REFRESH, { code });
        expect(r.errors).toBeUndefined();
        return r.data?.voidOrder.isFinal ? r.data.voidOrder : undefined;
      },
      20_000,
      200,
    );
    expect(done.status).toBe("REFUNDED");
    // The reply's msg speaks of its status, not of the void.
    expect(done.message).toBeNull();
    atrip.faults = { ...NO_FAULTS };
  });

  it.each([
    [900, "SUPPLIER_AUTH_FAILED"],
    [110, "SUPPLIER_RATE_LIMITED"],
    [12345, "SUPPLIER_BAD_RESPONSE"],
  ])("%i (the request not processed, or a status not documented) is its error even when the void is listed", async (status, code) => {
    const voidCode = await quoteAndSubmit(t.url, fresh("ATR-VOID-DEPOSIT"));
    withStatus(status);
    const r = await gql(t.url, REFRESH, { code: voidCode });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code });
  });

  it("that lists another void but not this one is that status's error", async () => {
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const code = await quoteAndSubmit(t.url, orderNo);
    const atrip = t.sandbox.atrip!.server;
    // The simulator writes {"status":0,"msg":"success","voidOrders":[{"orderNo":…,"voidCode":…,…}]}:
    // status 814, and the entry made another void's.
    const entryHead = `"voidOrders":[{"orderNo":"${orderNo}","voidCode":"${code}"`;
    atrip.faults = {
      ...NO_FAULTS,
      operations: ["queryVoidOrders.do"],
      rewrite: {
        from: `"status":0,"msg":"success",${entryHead}`,
        to: `"status":814,"msg":"busy",${entryHead.replace(code, `${code}-OTHER`)}`,
      },
    };
    const r = await gql(t.url, REFRESH, { code });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: "VOID_IN_PROGRESS", supplierCode: "814" });
    atrip.faults = { ...NO_FAULTS };
  });
});

describe("a queryVoidOrders.do reply that lists the void more than once", () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ VOID_POLL_MIN_MS: "60000", VOID_POLL_MAX_MS: "60000" });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The simulator's reply with another entry for the void, of voidStatus `status`, listed first. */
  const listedTwice = (orderNo: string, code: string, status: number) => {
    const first = `{"orderNo":"${orderNo}","voidCode":"${code}","voidStatus":${status},"expectedConfirmationDate":"20250513","voidMethod":"CashBackToOriginalPayment"}`;
    t.sandbox.atrip!.server.faults = {
      ...NO_FAULTS,
      webhookDropRate: 1,
      operations: ["queryVoidOrders.do"],
      rewrite: { from: `"voidOrders":[`, to: `"voidOrders":[${first},` },
    };
  };

  it("with different voidStatus values is unreadable, and records nothing (a final WITHDRAWN first ended the tracking)", async () => {
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const code = await quoteAndSubmit(t.url, orderNo);
    listedTwice(orderNo, code, 6);
    try {
      const r = await gql(t.url, REFRESH, { code });
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: "SUPPLIER_BAD_RESPONSE" });
      expect(r.errors?.[0]?.message).toMatch(/lists the void 2 times, with different voidStatus values \(6, [0-5]\)/);
      const held = await gql<{ voidOrder: { status: string; isFinal: boolean } }>(
        t.url,
        `query V($code: String!) { voidOrder(supplier: ATRIP, voidCode: $code) { status isFinal } }`,
        { code },
      );
      expect(held.data?.voidOrder.isFinal).toBe(false);
    } finally {
      t.sandbox.atrip!.server.faults = { ...NO_FAULTS };
    }
  });

  it("with the same voidStatus is read", async () => {
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const code = await quoteAndSubmit(t.url, orderNo);
    // Once final (REFUNDED, voidStatus 2), the simulator's own entry no longer moves.
    await eventually(
      async () => (await gql<{ voidOrder: { isFinal: boolean } }>(t.url, REFRESH, { code })).data?.voidOrder.isFinal || undefined,
      20_000,
      200,
    );
    listedTwice(orderNo, code, 2);
    try {
      const r = await gql<{ voidOrder: { status: string } }>(t.url, REFRESH, { code });
      expect(r.errors).toBeUndefined();
      expect(r.data?.voidOrder.status).toBe("REFUNDED");
    } finally {
      t.sandbox.atrip!.server.faults = { ...NO_FAULTS };
    }
  });
});
