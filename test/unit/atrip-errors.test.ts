import { describe, expect, it } from "vitest";
import { atripError, ATRIP_STATUS_TABLE } from "../../datasources/atrip/errors.js";

/** API.md "Errors", written out again by hand: ATRIP status → gateway code. */
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
};

describe("ATRIP error table", () => {
  it("covers exactly the documented statuses", () => {
    expect(Object.keys(ATRIP_STATUS_TABLE).map(Number).sort((a, b) => a - b)).toEqual(
      Object.keys(EXPECTED).map(Number).sort((a, b) => a - b),
    );
  });

  it.each(Object.entries(EXPECTED))("status %s → %s with the supplier's code and message", (status, code) => {
    const err = atripError("void.do", Number(status), "supplier text", false);
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

  it("gives hints where the client has something to do", () => {
    expect(atripError("void.do", 805, null, true).hint).toMatch(/quote again/i);
    expect(atripError("void.do", 816, null, true).hint).toMatch(/voidOrder/);
  });

  it("stopTicket.do: status 2 (and any non-common code) is STOP_ISSUANCE_REJECTED", () => {
    expect(atripError("stopTicket.do", 2, "System error", true).code).toBe("STOP_ISSUANCE_REJECTED");
    expect(atripError("stopTicket.do", 801, null, true).code).toBe("STOP_ISSUANCE_REJECTED");
    expect(atripError("stopTicket.do", 900, null, true).code).toBe("SUPPLIER_AUTH_FAILED");
  });

  it("an undocumented status is a bad response, not a guess", () => {
    expect(atripError("void.do", 4242, null, true).code).toBe("SUPPLIER_BAD_RESPONSE");
  });
});
