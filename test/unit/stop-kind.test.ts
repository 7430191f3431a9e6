/**
 * The stop kind's merge of a later report over the stored one: the supplier's message is kept
 * until it says another; the gateway's own "unknown" text, which stops recorded before
 * 2026-12-06 carry, goes once the outcome is known.
 */
import { describe, expect, it } from "vitest";
import type { SupplierRegistry } from "../../datasources/registry.js";
import { mayResend, OUTCOME_UNKNOWN_MESSAGE, stopDefinition, type StopReport } from "../../src/tracking/kinds/stop.js";

const kind = stopDefinition.create({} as SupplierRegistry, { minMs: 1000, maxMs: 2000 } as never);
const merge = (stored: StopReport, report: StopReport) => kind.merge!(stored, report);
const pending = (message: string | null): StopReport => ({ status: "PENDING", message, supplierOrderStatus: null });
const stopped: StopReport = { status: "STOPPED", message: null, supplierOrderStatus: "-3" };

describe("the stop kind's merge", () => {
  it("keeps the supplier's message until it says another", () => {
    expect(merge(pending("Request queued"), stopped)).toEqual({ ...stopped, message: "Request queued" });
    expect(merge(pending("Request queued"), { ...stopped, message: "done" })).toEqual({ ...stopped, message: "done" });
  });

  it("drops the gateway's own 'unknown' of an older record once the outcome is known, not before", () => {
    expect(merge(pending(OUTCOME_UNKNOWN_MESSAGE), stopped)).toEqual(stopped);
    expect(merge(pending(OUTCOME_UNKNOWN_MESSAGE), pending(null)).message).toBe(OUTCOME_UNKNOWN_MESSAGE);
  });
});

describe("whether a stop may be sent again", () => {
  const now = Date.parse("2026-12-07T12:00:00Z");
  const delay = 480_000;
  // Requested at now - 2 × delay; checked, with an answer, just now.
  const record = (
    data: Partial<StopReport>,
    over: { notBefore?: number | null; lastCheckedAt?: number | null; checkFailure?: unknown; status?: string } = {},
  ) => {
    const status = over.status ?? "PENDING";
    const notBefore = over.notBefore === undefined ? now - delay : over.notBefore;
    const lastCheckedAt = over.lastCheckedAt === undefined ? now : over.lastCheckedAt;
    return {
      status,
      isFinal: status !== "PENDING",
      notBefore: notBefore === null ? null : new Date(notBefore),
      lastCheckedAt: lastCheckedAt === null ? null : new Date(lastCheckedAt),
      checkFailure: over.checkFailure ?? null,
      data: { ...pending(null), outcomeUnknown: true, supplierOrderStatus: "1", showsNoStop: true, ...data },
    };
  };

  it("only when the supplier may never have taken it and an answered check, twice its delay after the request, shows no stop", () => {
    expect(mayResend(record({}), delay)).toBe(true);
    // A stop recorded before 2026-12-06 says it by its message.
    expect(mayResend(record({ outcomeUnknown: undefined, message: OUTCOME_UNKNOWN_MESSAGE }), delay)).toBe(true);
    expect(mayResend(record({ outcomeUnknown: false }), delay)).toBe(false);
    expect(mayResend(record({ outcomeUnknown: undefined }), delay)).toBe(false);
    // The order's state, as the supplier's datasource reads it, decides; not the status itself.
    expect(mayResend(record({ showsNoStop: false }), delay)).toBe(false);
    expect(mayResend(record({ showsNoStop: false, supplierOrderStatus: "-3" }), delay)).toBe(false);
    // No check said so (or one recorded before 2026-12-08): the next check will.
    expect(mayResend(record({ showsNoStop: undefined }), delay)).toBe(false);
    expect(mayResend(record({ showsNoStop: undefined, supplierOrderStatus: null }), delay)).toBe(false);
    // Checked only once the delay had passed, not twice it (ATRIP may still be stopping).
    expect(mayResend(record({}, { lastCheckedAt: now - 1 }), delay)).toBe(false);
    // The last check got no answer: what it last said may be stale.
    expect(mayResend(record({}, { checkFailure: { code: "SUPPLIER_TIMEOUT" } }), delay)).toBe(false);
    expect(mayResend(record({}, { notBefore: null }), delay)).toBe(false);
    expect(mayResend(record({}, { lastCheckedAt: null }), delay)).toBe(false);
    expect(mayResend(record({ supplierOrderStatus: "2", showsNoStop: false }, { status: "ISSUED" }), delay)).toBe(false);
  });

  it("a check's report keeps what the request's record says of its outcome", () => {
    expect(
      merge({ ...pending(null), outcomeUnknown: true }, { ...pending(null), supplierOrderStatus: "1", showsNoStop: true }),
    ).toMatchObject({
      outcomeUnknown: true,
      supplierOrderStatus: "1",
      showsNoStop: true,
    });
    expect(merge(pending("ok"), stopped)).not.toHaveProperty("outcomeUnknown");
  });
});
