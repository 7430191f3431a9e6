/**
 * The input hash of idempotency keys: null, "", [] and absent fields are the same input, and a
 * key stored while they were not (before 2026-12-06, kept 24 hours) still matches its repeat.
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
  it("null, empty and absent fields hash alike; other values do not", () => {
    const absent = requestHash("cancelOrder", { orderNo: "O" });
    expect(requestHash("cancelOrder", { orderNo: "O", reason: null })).toBe(absent);
    expect(requestHash("cancelOrder", { orderNo: "O", reason: "", passengerIds: [] })).toBe(absent);
    expect(requestHash("cancelOrder", { orderNo: "O", reason: " " })).not.toBe(absent);
    expect(requestHash("cancelOrder", { orderNo: "O", passengerIds: ["P1"] })).not.toBe(absent);
    expect(requestHash("cancelOrder", { orderNo: "O", reason: "" }, "emptiesKept")).not.toBe(absent);
    expect(requestHash("cancelOrder", { orderNo: "O", reason: null }, "nullsKept")).not.toBe(absent);
  });

  it.each([
    ["an explicit null kept", "nullsKept", { reason: null }],
    ["an empty list kept", "emptiesKept", { passengerIds: [] }],
  ] as const)("a key stored under an earlier hash (%s) is replayed, not called REUSED", async (_, form, extra) => {
    const idempotency = new Idempotency(store.idempotency, createLogger("silent"));
    const input = { supplier: "CTT", orderNo: "CTT-1", ...extra };
    await store.db.query(
      "INSERT INTO idempotency_keys (tenant, operation, key, request_hash, state, response) VALUES ('acme', 'cancelOrder', $1, $2, 'DONE', $3::jsonb)",
      [`k-${form}`, requestHash("cancelOrder", input, form), JSON.stringify({ ok: { orderNo: "CTT-1", first: true } })],
    );
    let calls = 0;
    const again = await idempotency.run("acme", "cancelOrder", `k-${form}`, input, async () => {
      calls += 1;
      return { orderNo: "CTT-1", first: false };
    });
    expect(again).toEqual({ orderNo: "CTT-1", first: true });
    expect(calls).toBe(0);
    await expect(
      idempotency.run("acme", "cancelOrder", `k-${form}`, { ...input, orderNo: "CTT-2" }, async () => ({})),
    ).rejects.toMatchObject({
      code: "IDEMPOTENCY_KEY_REUSED",
    });
  });

  it("once a shutdown has begun, a new run is refused before anything is sent (SERVICE_UNAVAILABLE, retryable) and its key stays free", async () => {
    const idempotency = new Idempotency(store.idempotency, createLogger("silent"));
    idempotency.inFlight.close();
    let calls = 0;
    const run = () =>
      idempotency.run("acme", "cancelOrder", "k-stopping", { supplier: "CTT", orderNo: "CTT-9" }, async () => {
        calls += 1;
        return {};
      });
    await expect(run()).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE", extra: { retryable: true } });
    expect(calls).toBe(0);
    expect((await store.db.query("SELECT 1 FROM idempotency_keys WHERE key = 'k-stopping'")).length).toBe(0);
  });

  it("a cancel key stored while fields the supplier ignores were hashed (before 2026-12-06) still matches its repeat", async () => {
    const idempotency = new Idempotency(store.idempotency, createLogger("silent"));
    const given = { supplier: "CTT", orderNo: "CTT-3", subChannel: "ignored-by-ctt" };
    const sent = { supplier: "CTT", orderNo: "CTT-3" };
    await store.db.query(
      "INSERT INTO idempotency_keys (tenant, operation, key, request_hash, state, response) VALUES ('acme', 'cancelOrder', 'k-given', $1, 'DONE', $2::jsonb)",
      [requestHash("cancelOrder", given), JSON.stringify({ ok: { orderNo: "CTT-3", first: true } })],
    );
    const run = (input: Record<string, unknown>, asGiven?: Record<string, unknown>) =>
      idempotency.run("acme", "cancelOrder", "k-given", input, async () => ({ orderNo: "CTT-3", first: false }), asGiven);
    expect(await run(sent, given)).toEqual({ orderNo: "CTT-3", first: true });
    await expect(run(sent)).rejects.toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
  });
});
