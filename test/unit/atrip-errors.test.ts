import { describe, expect, it } from "vitest";
import { atripError, ATRIP_STATUS_TABLE } from "../../datasources/atrip/errors.js";
import { DEFAULT_RETRY, retryDelayMs } from "../../datasources/resilience/retry.js";
import { OUTCOME_HINT } from "../../src/vocabulary/errors.js";

/** docs/errors.md, written out again by hand: ATRIP status → gateway code, for the calls documenting it. */
const EXPECTED: Record<number, string> = {
  [-1]: "SUPPLIER_UNAVAILABLE",
  100: "SUPPLIER_REJECTED_REQUEST",
  110: "SUPPLIER_RATE_LIMITED",
  900: "SUPPLIER_AUTH_FAILED",
  901: "SUPPLIER_REJECTED_REQUEST",
  902: "SUPPLIER_AUTH_FAILED",
  9999: "SUPPLIER_UNAVAILABLE",
  703: "ORDER_NOT_FOUND",
  800: "ORDER_NOT_FOUND",
  801: "ORDER_NOT_FOUND",
  803: "VOID_ALREADY_SUBMITTED",
  805: "VOID_OFFER_EXPIRED",
  808: "NOT_VOIDABLE",
  810: "SUPPLIER_REJECTED_REQUEST",
  814: "VOID_IN_PROGRESS",
  815: "TICKET_NOT_FOUND",
  816: "VOID_ALREADY_SUBMITTED",
  817: "VOID_ALREADY_SUBMITTED",
  818: "VOID_ALREADY_SUBMITTED",
  820: "TICKET_ALREADY_USED",
  822: "VOID_DEADLINE_EXCEEDED",
  824: "WRONG_ORDER_NUMBER",
  841: "VOID_PAYMENT_METHOD_UNSUPPORTED",
  843: "VOID_ROUTE_UNSUPPORTED",
  2: "SUPPLIER_UNAVAILABLE",
  701: "SUPPLIER_REJECTED_REQUEST",
  702: "SUPPLIER_REJECTED_REQUEST",
  704: "SUPPLIER_REJECTED_REQUEST",
  705: "SUPPLIER_TIMEOUT",
};

/** The call whose documentation lists a status (docs/suppliers/atrip.md, seeds 000 and 002). */
function callOf(status: number): string {
  if (status === 2) return "stopTicket.do";
  if ([701, 702, 703, 704, 705, 800].includes(status)) return "queryOrderDetails.do";
  return "void.do";
}

describe("ATRIP error table", () => {
  it("covers exactly the documented statuses", () => {
    expect(
      Object.keys(ATRIP_STATUS_TABLE)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(
      Object.keys(EXPECTED)
        .map(Number)
        .sort((a, b) => a - b),
    );
  });

  it.each(Object.entries(EXPECTED))("status %s → %s with the supplier's code and message", (status, code) => {
    const err = atripError(callOf(Number(status)), Number(status), "supplier text", false);
    expect(err.code).toBe(code);
    const ext = err.extensions();
    expect(ext).toMatchObject({ code, supplier: "ATRIP", supplierCode: status, supplierMessage: "supplier text" });
    expect(typeof ext.retryable).toBe("boolean");
  });

  it("marks only transient failures retryable for read-only calls", () => {
    expect(atripError("voidQuotation.do", 110, null, false).retryable).toBe(true);
    expect(atripError("voidQuotation.do", 9999, null, false).retryable).toBe(true);
    expect(atripError("voidQuotation.do", -1, null, false).retryable).toBe(true);
    expect(atripError("voidQuotation.do", 822, null, false).retryable).toBe(false);
  });

  it("never calls a failed state-changing call retryable unless the supplier proved nothing happened", () => {
    expect(atripError("void.do", 9999, null, true).retryable).toBe(false);
    expect(atripError("void.do", -1, null, true).retryable).toBe(false);
    expect(atripError("void.do", 110, null, true).retryable).toBe(true);
    expect(atripError("void.do", 814, null, true).retryable).toBe(true);
  });

  it('814 ("Wait before retrying") is retryable by the client, never repeated within its call', () => {
    for (const [operation, changesState] of [
      ["voidQuotation.do", false],
      ["queryVoidOrders.do", false],
      ["void.do", true],
    ] as const) {
      const err = atripError(operation, 814, null, changesState);
      expect(err).toMatchObject({ code: "VOID_IN_PROGRESS", retryable: true, retriesAllowed: 0 });
      expect(retryDelayMs(DEFAULT_RETRY, 0, err)).toBeUndefined();
    }
    expect(retryDelayMs(DEFAULT_RETRY, 0, atripError("voidQuotation.do", 9999, null, false))).toBeGreaterThan(0);
  });

  it("a generic failure of a state-changing call says to query before trying again; of a read, nothing of the kind", () => {
    expect(atripError("void.do", 9999, null, true).hint).toBe(OUTCOME_HINT);
    expect(atripError("voidQuotation.do", 9999, null, false).hint).toBeUndefined();
    expect(atripError("stopTicket.do", 2, null, true).hint).not.toBe(OUTCOME_HINT);
  });

  it("stopTicket.do -1 and 9999 are failures, as any non-zero status there (docs/suppliers/atrip.md): not taken, retryable, ask again", () => {
    for (const status of [-1, 9999]) {
      const err = atripError("stopTicket.do", status, "System error", true);
      expect(err).toMatchObject({ code: "SUPPLIER_UNAVAILABLE", retryable: true, supplierCode: String(status) });
      expect(err.hint).toMatch(/did not accept the stop request: ask again/);
    }
  });

  it("gives hints where the client has something to do", () => {
    expect(atripError("void.do", 805, null, true).hint).toMatch(/quote again/i);
    expect(atripError("void.do", 816, null, true).hint).toMatch(/voidOrder/);
    // 803 is about a passenger or segment (seed 002), 816-818 about the order.
    expect(atripError("void.do", 803, null, true).hint).toMatch(/passenger or segment/);
    expect(atripError("void.do", 816, null, true).hint).toMatch(/for this order/);
  });

  it("stopTicket.do status 2 (seed 000: System error) is a retryable SUPPLIER_UNAVAILABLE, not a refusal", () => {
    const err = atripError("stopTicket.do", 2, "System error", true);
    expect(err).toMatchObject({ code: "SUPPLIER_UNAVAILABLE", retryable: true, supplierCode: "2", supplierMessage: "System error" });
    expect(err.hint).toMatch(/ask again/i);
    expect(err.transportFailure).toBe(false);
    expect(atripError("stopTicket.do", 900, null, true).code).toBe("SUPPLIER_AUTH_FAILED");
  });

  it("queryOrderDetails.do 705 (ATRIP timed out) is retryable; 701, 702, 704 are not", () => {
    expect(atripError("queryOrderDetails.do", 705, "timeout", false)).toMatchObject({ code: "SUPPLIER_TIMEOUT", retryable: true });
    for (const s of [701, 702, 704]) expect(atripError("queryOrderDetails.do", s, null, false).retryable).toBe(false);
  });

  it.each([
    ["void.do", 4242],
    ["void.do", 2],
    ["void.do", 705],
    ["stopTicket.do", 3],
    ["stopTicket.do", 801],
    ["stopTicket.do", 800],
  ])(
    "an undocumented status from a state-changing call (%s %i) is an unknown outcome, with the supplier's code and message",
    (call, status) => {
      const err = atripError(call, status, "odd", true);
      expect(err).toMatchObject({
        code: "SUPPLIER_OUTCOME_UNKNOWN",
        retryable: false,
        supplierCode: String(status),
        supplierMessage: "odd",
      });
      expect(err.hint).toMatch(/query/i);
    },
  );

  it.each([
    ["voidQuotation.do", 4242],
    ["voidQuotation.do", 800],
    ["queryOrderDetails.do", 801],
    ["queryVoidOrders.do", 2],
  ])("an undocumented status from a read (%s %i) is a bad response, not a guess", (call, status) => {
    expect(atripError(call, status, null, false)).toMatchObject({ code: "SUPPLIER_BAD_RESPONSE", supplierCode: String(status) });
  });

  it("no status is a stop refusal: none is documented (docs/api.md)", () => {
    for (const s of [...Object.keys(ATRIP_STATUS_TABLE).map(Number), 3, 4242]) {
      expect(atripError("stopTicket.do", s, null, true).code).not.toBe("STOP_ISSUANCE_REJECTED");
    }
  });
});
