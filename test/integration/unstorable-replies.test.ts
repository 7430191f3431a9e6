/**
 * Supplier replies holding what no store can keep: the JSON escape `\u0000` (or a lone
 * surrogate) in a message. The gateway keeps such a reply, with U+FFFD in place of the character,
 * on either store (black-box probe, thirtieth session: a void whose reply held one was answered
 * but never recorded, the polls of every void checked with it failed, and an idempotency key
 * whose answer held one said REQUEST_IN_PROGRESS and then SUPPLIER_OUTCOME_UNKNOWN).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_FAULTS } from "../../src/sandbox/http-kit.js";
import type { Store } from "../../src/store/index.js";
import { eventually, fresh } from "../helpers/atrip.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql, quoteAndSubmit } from "../helpers/graphql.js";
import { DATABASE_URL, pgliteStore, postgresStore, skipReason } from "../helpers/store.js";

const ENGINES: Array<[string, (() => Promise<Store>) | undefined]> = [
  ["PGlite", () => pgliteStore()],
  ["PostgreSQL", DATABASE_URL ? () => postgresStore() : undefined],
];
if (!DATABASE_URL) skipReason("Unstorable replies on PostgreSQL", "TEST_DATABASE_URL");

const VOID = `query V($code: String!) { voidOrder(supplier: ATRIP, voidCode: $code) { status isFinal message history { status } } }`;
const CANCEL = `mutation C($orderNo: String!, $key: String) {
  cancelOrder(input: { supplier: CTT, orderNo: $orderNo, idempotencyKey: $key }) { orderNo message cancelledAt }
}`;

interface VoidOut {
  voidOrder: { status: string; isFinal: boolean; message: string | null; history: Array<{ status: string }> } | null;
}

describe.each(ENGINES)("a supplier reply holding \\u0000 on %s", (_name, open) => {
  let t: TestGateway;
  let store: Store;
  beforeAll(async () => {
    if (!open) return;
    store = await open();
    t = await startTestGateway({ VOID_POLL_MIN_MS: "200", VOID_POLL_MAX_MS: "400" }, store);
  });
  afterAll(async () => {
    await t?.close();
    await store?.close();
  });

  it.skipIf(!open)("a void: recorded at once from void.do's answer, then followed by polls to its final state", async () => {
    const atrip = t.sandbox.atrip!.server;
    // Every void.do and queryVoidOrders.do answer says "succ\u0000ess"; no webhook, so only polls move it.
    atrip.faults = {
      ...NO_FAULTS,
      operations: ["void.do", "queryVoidOrders.do"],
      rewrite: { from: '"msg":"success"', to: '"msg":"succ\\u0000ess"' },
      webhookDropRate: 1,
    } as typeof atrip.faults;
    const code = await quoteAndSubmit(t.url, fresh("ATR-VOID-DEPOSIT"));
    const first = await gql<VoidOut>(t.url, VOID, { code });
    expect(first.errors).toBeUndefined();
    expect(first.data?.voidOrder?.history.length).toBeGreaterThan(0);
    const done = await eventually(async () => {
      const r = await gql<VoidOut>(t.url, VOID, { code });
      return r.data?.voidOrder?.isFinal ? r.data.voidOrder : undefined;
    }, 20_000);
    expect(done.status).toBe("REFUNDED");
    expect(done.message).toBe("succ\uFFFDess");
    atrip.faults = { ...NO_FAULTS } as typeof atrip.faults;
  });

  it.skipIf(!open)("a keyed cancel whose answer holds one: the repeat replays that answer, with one call to the supplier", async () => {
    const ctt = t.sandbox.ctt!.server;
    ctt.faults = { ...NO_FAULTS, rewrite: { from: "(cancelled)", to: "(can\\u0000celled)" } };
    const orderNo = `CTT-CANCEL-OK-${Date.now().toString(36)}`;
    const before = ctt.stats.byOperation["api/order/cancel"] ?? 0;
    const first = await gql<{ cancelOrder: { message: string; cancelledAt: string } }>(t.url, CANCEL, { orderNo, key: `k-${orderNo}` });
    expect(first.errors).toBeUndefined();
    expect(first.data?.cancelOrder.message).toContain("(can\uFFFDcelled)");
    const again = await gql<{ cancelOrder: { message: string; cancelledAt: string } }>(t.url, CANCEL, { orderNo, key: `k-${orderNo}` });
    expect(again.errors).toBeUndefined();
    expect(again.data).toEqual(first.data);
    expect((ctt.stats.byOperation["api/order/cancel"] ?? 0) - before).toBe(1);
    ctt.faults = { ...NO_FAULTS };
  });
});
