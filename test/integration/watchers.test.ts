/** Watch marks on the real embedded store: a subscription pulls its void's next poll forward. */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { VoidOrderData } from "../../datasources/model.js";
import { createLogger } from "../../src/logger.js";
import type { Store } from "../../src/store/index.js";
import { Watchers } from "../../src/tracking/watchers.js";
import { eventually } from "../helpers/atrip.js";
import { pgliteStore } from "../helpers/store.js";

let store: Store;
beforeAll(async () => {
  store = await pgliteStore();
});
afterAll(async () => store?.close());

const data = (voidCode: string, orderNo: string): VoidOrderData => ({
  supplier: "ATRIP",
  voidCode,
  orderNo,
  status: "SUPPLIER_PROCESSING",
  supplierStatus: 0,
  isFinal: false,
  refundMethod: "ORIGINAL_PAYMENT",
  tickets: [],
  fare: null,
  actualRefund: null,
  serviceFee: null,
  expectedConfirmationDate: null,
  expectedRefundDate: null,
  cancelReason: null,
  message: null,
  voidOfferId: null,
});

it("targets added together are all marked, by code and by order, and only the watched ones", async () => {
  const tenant = `t-${Math.random()}`;
  const codes = ["W-1", "W-2", "W-3", "W-4"].map((c) => `${c}-${Math.random()}`);
  for (const [i, code] of codes.entries()) await store.voids.record(tenant, data(code, `ORD-${code}-${i}`), "SUBMIT", new Date(), 3_600_000);
  const watchers = new Watchers(store.voids, 1_000, createLogger("silent"));
  const stops = [watchers.add(tenant, { voidCode: codes[0] }), watchers.add(tenant, { voidCode: codes[1] }), watchers.add(tenant, { orderNo: `ORD-${codes[2]}-2` })];
  const get = (code: string) => store.voids.get({ tenant, supplier: "ATRIP", voidCode: code });
  await eventually(async () => ((await get(codes[2]))?.watchedUntil ? true : undefined));
  for (const code of codes.slice(0, 3)) {
    const r = await get(code);
    expect(r!.watchedUntil!.getTime()).toBeGreaterThan(Date.now());
    expect(r!.nextPollAt!.getTime()).toBeLessThan(Date.now() + 5_000);
  }
  const unwatched = await get(codes[3]);
  expect(unwatched!.watchedUntil).toBeNull();
  expect(unwatched!.nextPollAt!.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
  for (const stop of stops) stop();
});
