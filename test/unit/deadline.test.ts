/** The call deadline (datasources/deadline.ts) and the retry decision that respects it (issue B.12). */
import { describe, expect, it } from "vitest";
import { Deadline, withinDeadline } from "../../datasources/deadline.js";
import { SupplierError } from "../../src/vocabulary/errors.js";
import { DEFAULT_RETRY, readRetry, retryDelayMs } from "../../datasources/resilience/retry.js";

const retryable = (extra: Record<string, unknown> = {}) =>
  new SupplierError("SUPPLIER_UNAVAILABLE", "x", { supplier: "ATRIP", retryable: true, extra });

describe("call deadline", () => {
  it("a nested call never gets more time than its caller, and keeps the caller's request id", () => {
    const outer = withinDeadline({ requestId: "r-1" }, 1000);
    expect(outer).toMatchObject({ requestId: "r-1", deadline: { budgetMs: 1000 } });
    expect(outer.deadline.remainingMs()).toBeLessThanOrEqual(1000);
    const longer = withinDeadline(outer, 60_000);
    expect(longer.deadline).toBe(outer.deadline);
    expect(longer.requestId).toBe("r-1");
    const shorter = withinDeadline(outer, 10);
    expect(shorter.deadline).not.toBe(outer.deadline);
    expect(shorter.deadline.remainingMs()).toBeLessThanOrEqual(10);
    expect(withinDeadline(undefined, 50).deadline.budgetMs).toBe(50);
    expect(withinDeadline(undefined, 50).requestId).toBeUndefined();
    expect(new Deadline(Date.now() - 5, 1).remainingMs()).toBe(0);
  });
});

describe("read retries", () => {
  it("waits only for retryable errors and for Retry-After within maxRetryAfterMs", () => {
    expect(retryDelayMs(DEFAULT_RETRY, 0, new Error("bug"))).toBeUndefined();
    expect(retryDelayMs(DEFAULT_RETRY, 0, new SupplierError("NOT_VOIDABLE", "x", { supplier: "ATRIP", retryable: false }))).toBeUndefined();
    expect(retryDelayMs(DEFAULT_RETRY, 0, retryable({ retryAfterSeconds: 3 }))).toBe(3000);
    expect(retryDelayMs(DEFAULT_RETRY, 0, retryable({ retryAfterSeconds: 60 }))).toBeUndefined();
    // Retry-After: 0 (or a date passed) asks for no wait, so the backoff still applies.
    expect(retryDelayMs(DEFAULT_RETRY, 3, retryable({ retryAfterSeconds: 0 }))).toBeGreaterThanOrEqual(400);
    const d = retryDelayMs(DEFAULT_RETRY, 3, retryable())!;
    expect(d).toBeGreaterThanOrEqual(400);
    expect(d).toBeLessThanOrEqual(800);
  });

  it("a rate limit is waited for only when it says how long (Retry-After); an answer's own cap on retries holds", () => {
    const limited = (extra: Record<string, unknown> = {}) =>
      new SupplierError("SUPPLIER_RATE_LIMITED", "x", { supplier: "ATRIP", retryable: true, extra });
    expect(retryDelayMs(DEFAULT_RETRY, 0, limited())).toBeUndefined();
    expect(retryDelayMs(DEFAULT_RETRY, 0, limited({ retryAfterSeconds: 2 }))).toBe(2000);
    expect(retryDelayMs(DEFAULT_RETRY, 0, limited({ retryAfterSeconds: 0 }))).toBeGreaterThanOrEqual(50);
    const once = new SupplierError("SUPPLIER_UNAVAILABLE", "x", { supplier: "ATRIP", retryable: true, retriesAllowed: 1 });
    expect(retryDelayMs(DEFAULT_RETRY, 0, once)).toBeGreaterThanOrEqual(50);
    expect(retryDelayMs(DEFAULT_RETRY, 1, once)).toBeUndefined();
    const never = new SupplierError("SUPPLIER_UNAVAILABLE", "x", { supplier: "ATRIP", retryable: true, retriesAllowed: 0 });
    expect(retryDelayMs(DEFAULT_RETRY, 0, never)).toBeUndefined();
  });

  it("gives up with the real error when the deadline leaves no room for the wait and an attempt", async () => {
    const retry = readRetry({ ...DEFAULT_RETRY, maxRetries: 5, initialDelayMs: 50, maxDelayMs: 50, minAttemptMs: 100 });
    let attempts = 0;
    const err = await retry(async () => {
      attempts += 1;
      throw retryable();
    }, withinDeadline(undefined, 120).deadline).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SupplierError);
    expect(attempts).toBe(1);
    attempts = 0;
    await retry(async () => {
      attempts += 1;
      if (attempts < 3) throw retryable();
    }, withinDeadline(undefined, 10_000).deadline);
    expect(attempts).toBe(3);
  });

  it("a retry that was never sent (its time ran out while it waited) leaves the client the failure that made it retry", async () => {
    const retry = readRetry({ ...DEFAULT_RETRY, maxRetries: 3, initialDelayMs: 1, maxDelayMs: 1, minAttemptMs: 0 });
    const first = retryable({ first: true });
    const unsent = new SupplierError("SUPPLIER_TIMEOUT", "not sent", { supplier: "ATRIP", retryable: true, notSent: true });
    let attempts = 0;
    const err = await retry(async () => {
      attempts += 1;
      throw attempts === 1 ? first : unsent;
    }).catch((e: unknown) => e);
    expect(err).toBe(first);
    expect(attempts).toBe(2);
    // A first attempt that was never sent is the answer itself.
    expect(await retry(() => Promise.reject(unsent)).catch((e: unknown) => e)).toBe(unsent);
  });
});
