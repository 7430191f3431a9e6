/** The call deadline (datasources/deadline.ts) and the retry decision that respects it (issue B.12). */
import { describe, expect, it } from "vitest";
import { currentDeadline, Deadline, withinDeadline } from "../../datasources/deadline.js";
import { SupplierError } from "../../src/vocabulary/errors.js";
import { DEFAULT_RETRY, readRetry, retryDelayMs } from "../../datasources/resilience/retry.js";

const retryable = (extra: Record<string, unknown> = {}) =>
  new SupplierError("SUPPLIER_UNAVAILABLE", "x", { supplier: "ATRIP", retryable: true, extra });

describe("call deadline", () => {
  it("is carried through awaits, and a nested call never gets more time than its caller", async () => {
    expect(currentDeadline()).toBeUndefined();
    await withinDeadline(1000, async (outer) => {
      await new Promise((r) => setTimeout(r, 5));
      expect(currentDeadline()).toBe(outer);
      await withinDeadline(60_000, async (inner) => expect(inner).toBe(outer));
      await withinDeadline(10, async (inner) => {
        expect(inner).not.toBe(outer);
        expect(inner.remainingMs()).toBeLessThanOrEqual(10);
      });
    });
    expect(new Deadline(Date.now() - 5, 1).remainingMs()).toBe(0);
  });
});

describe("read retries", () => {
  it("waits only for retryable errors and for Retry-After within maxRetryAfterMs", () => {
    expect(retryDelayMs(DEFAULT_RETRY, 0, new Error("bug"))).toBeUndefined();
    expect(retryDelayMs(DEFAULT_RETRY, 0, new SupplierError("NOT_VOIDABLE", "x", { supplier: "ATRIP", retryable: false }))).toBeUndefined();
    expect(retryDelayMs(DEFAULT_RETRY, 0, retryable({ retryAfterSeconds: 3 }))).toBe(3000);
    expect(retryDelayMs(DEFAULT_RETRY, 0, retryable({ retryAfterSeconds: 60 }))).toBeUndefined();
    const d = retryDelayMs(DEFAULT_RETRY, 3, retryable())!;
    expect(d).toBeGreaterThanOrEqual(400);
    expect(d).toBeLessThanOrEqual(800);
  });

  it("gives up with the real error when the deadline leaves no room for the wait and an attempt", async () => {
    const retry = readRetry({ ...DEFAULT_RETRY, maxRetries: 5, initialDelayMs: 50, maxDelayMs: 50, minAttemptMs: 100 });
    let attempts = 0;
    const err = await withinDeadline(120, () =>
      retry(async () => {
        attempts += 1;
        throw retryable();
      }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SupplierError);
    expect(attempts).toBe(1);
    attempts = 0;
    await withinDeadline(10_000, () =>
      retry(async () => {
        attempts += 1;
        if (attempts < 3) throw retryable();
      }),
    );
    expect(attempts).toBe(3);
  });
});
