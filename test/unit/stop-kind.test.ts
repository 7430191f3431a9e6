/**
 * The stop kind's merge of a later report over the stored one: the supplier's message is kept
 * until it says another; the gateway's own "unknown" text, which stops recorded before
 * 2026-12-06 carry, goes once the outcome is known.
 */
import { describe, expect, it } from "vitest";
import type { SupplierRegistry } from "../../datasources/registry.js";
import { OUTCOME_UNKNOWN_MESSAGE, stopDefinition, type StopReport } from "../../src/tracking/kinds/stop.js";

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
