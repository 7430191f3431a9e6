/** Watch marks on the real embedded store: a subscription pulls its record's next check forward. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import type { Store } from "../../src/store/index.js";
import { Watchers } from "../../src/tracking/watchers.js";
import { eventually } from "../helpers/atrip.js";
import { newVoid, voidData, voidKey } from "../helpers/records.js";
import { pgliteStore } from "../helpers/store.js";

let store: Store;
beforeAll(async () => {
  store = await pgliteStore();
});
afterAll(async () => store?.close());

it("targets added together are all marked, by reference and by order, and only the watched ones", async () => {
  const tenant = `t-${Math.random()}`;
  const ds = [voidData(), voidData(), voidData(), voidData()];
  for (const d of ds) await store.tracked.insert(newVoid(tenant, d, { firstCheckInMs: 3_600_000 }));
  const watchers = new Watchers("void", store.tracked, 1_000, createLogger("silent"));
  const stops = [
    watchers.add(tenant, { ref: ds[0].voidCode }),
    watchers.add(tenant, { ref: ds[1].voidCode }),
    watchers.add(tenant, { orderNo: ds[2].orderNo }),
  ];
  const get = (i: number) => store.tracked.get(voidKey(tenant, ds[i]));
  await eventually(async () => ((await get(2))?.watchedUntil ? true : undefined));
  for (const i of [0, 1, 2]) {
    const r = await get(i);
    expect(r!.watchedUntil!.getTime()).toBeGreaterThan(Date.now());
    expect(r!.nextCheckAt!.getTime()).toBeLessThan(Date.now() + 5_000);
  }
  const unwatched = await get(3);
  expect(unwatched!.watchedUntil).toBeNull();
  expect(unwatched!.nextCheckAt!.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
  expect(watchers.size).toBe(3);
  for (const stop of stops) stop();
  expect(watchers.size).toBe(0);
});
