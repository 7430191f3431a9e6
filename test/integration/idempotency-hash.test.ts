/**
 * The input hash of idempotency keys: null and absent fields are the same input, and a key
 * stored while they were not (before 2026-12-05, kept 24 hours) still matches its repeat.
 * A real (PGlite) store.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { Idempotency, requestHash } from "../../src/reliability/idempotency.js";
import type { Store } from "../../src/store/index.js";
import { pgliteStore } from "../helpers/store.js";

let store: Store;
beforeAll(async () => {
  store = await pgliteStore();
});
afterAll(async () => store?.close());

describe("idempotency input hash", () => {
  it("null and absent fields hash alike; other values do not", () => {
    expect(requestHash("cancelOrder", { orderNo: "O", reason: null })).toBe(requestHash("cancelOrder", { orderNo: "O" }));
    expect(requestHash("cancelOrder", { orderNo: "O", reason: "" })).not.toBe(requestHash("cancelOrder", { orderNo: "O" }));
    expect(requestHash("cancelOrder", { orderNo: "O", reason: null }, true)).not.toBe(requestHash("cancelOrder", { orderNo: "O" }));
  });

  it("a key stored under the earlier hash (an explicit null kept) is replayed, not called REUSED", async () => {
    const idempotency = new Idempotency(store.idempotency, createLogger("silent"));
    const input = { supplier: "CTT", orderNo: "CTT-1", reason: null };
    await store.db.query(
      "INSERT INTO idempotency_keys (tenant, operation, key, request_hash, state, response) VALUES ('acme', 'cancelOrder', 'k-old', $1, 'DONE', $2::jsonb)",
      [requestHash("cancelOrder", input, true), JSON.stringify({ ok: { orderNo: "CTT-1", first: true } })],
    );
    let calls = 0;
    const again = await idempotency.run("acme", "cancelOrder", "k-old", input, async () => {
      calls += 1;
      return { orderNo: "CTT-1", first: false };
    });
    expect(again).toEqual({ orderNo: "CTT-1", first: true });
    expect(calls).toBe(0);
    await expect(idempotency.run("acme", "cancelOrder", "k-old", { ...input, orderNo: "CTT-2" }, async () => ({}))).rejects.toMatchObject({
      code: "IDEMPOTENCY_KEY_REUSED",
    });
  });
});
