/** The void kind's merge of a newer report into the stored one (src/tracking/kinds/void.ts). */
import { describe, expect, it } from "vitest";
import type { SupplierRegistry } from "../../datasources/registry.js";
import { markUnsaid } from "../../datasources/model.js";
import { voidDefinition } from "../../src/tracking/kinds/void.js";
import { voidData } from "../helpers/records.js";

const kind = voidDefinition.create({} as SupplierRegistry, { minMs: 1000, maxMs: 8000, watchedMs: 500 });
const refund = { amount: "950.00", currency: "USD" };

describe("the void kind's merge", () => {
  it("a later answer of the same status without the refund amount keeps the one given (a final void is touched on refresh)", () => {
    const stored = voidData({ status: "REFUNDED", isFinal: true, actualRefund: refund });
    expect(kind.merge!(stored, { ...stored, actualRefund: null }).actualRefund).toEqual(refund);
    const newer = { amount: "951.00", currency: "USD" };
    expect(kind.merge!(stored, { ...stored, actualRefund: newer }).actualRefund).toEqual(newer);
  });

  it("a report of another status takes its own refund amount, none included", () => {
    const stored = voidData({ status: "AIRLINE_REFUNDING", actualRefund: refund });
    expect(kind.merge!(stored, { ...stored, status: "REFUNDED", isFinal: true, actualRefund: null }).actualRefund).toBeNull();
  });

  it("a field the report did not say keeps the stored one; a field it says is empty replaces it", () => {
    const tickets = [{ firstName: "LEI", lastName: "WANG", ticketNo: "999-1" }];
    const fee = { amount: "60.90", currency: "USD" };
    const services = [{ postTicketingOrderNo: "PT1", currency: "USD", originalAmount: "120.0", estimatedRefund: "100" }];
    const stored = voidData({ tickets, serviceFee: fee, postTicketingServices: services, expectedRefundDate: "2025-05-20" });
    const bare = {
      ...stored,
      status: "AIRLINE_PROCESSING" as const,
      tickets: [],
      serviceFee: null,
      postTicketingServices: [],
      expectedRefundDate: null,
    };
    const unsaid = markUnsaid({ ...bare }, ["tickets", "serviceFee", "postTicketingServices", "expectedRefundDate"]);
    const merged = kind.merge!(stored, unsaid);
    expect(merged).toMatchObject({
      status: "AIRLINE_PROCESSING",
      tickets,
      serviceFee: fee,
      postTicketingServices: services,
      expectedRefundDate: "2025-05-20",
    });
    // The mark is nobody's data: not stored, not carried on.
    expect(JSON.stringify(unsaid)).not.toContain("unsaid");
    expect(Object.keys(merged)).not.toContain("unsaid");
    expect(kind.merge!(stored, bare)).toMatchObject({ tickets: [], serviceFee: null, postTicketingServices: [], expectedRefundDate: null });
  });
});
