/**
 * Every field of ATRIP's documented replies (../shared/seeds/002_*, 000_*) through the wire
 * schemas and the mapping. The sample texts are written as ATRIP would send them.
 */
import { describe, expect, it } from "vitest";
import { toDate, toStopOutcome, toVoidQuote, voidReplyToOrder, wireVoidOrderToOrder, MappingError } from "../../datasources/atrip/mapping.js";
import { orderDetailsReply, queryVoidOrdersReply, voidQuotationReply, voidReply } from "../../datasources/atrip/wire.js";
import { parseJson } from "../../datasources/json.js";

const QUOTE_TEXT = `{
  "status": 0, "msg": null,
  "fastConfirmation": 1,
  "expectedConfirmationDate": "20250513",
  "expectedRefundDate": "20250520",
  "voidOfferId": "v_b893711fcfae4e9d949e9965576bfd3a",
  "voidMethod": "CashBackToOriginalPayment",
  "voidTickets": [{"lastName": "WANG", "firstName": "LEI", "ticketNo": "999-2140000001"}],
  "voidFareAmount": {"currency": "CNY", "originalFareAmount": 1280.50, "estimatedRefundAmount": 1180.10},
  "voidPostTicketingServiceAmounts": [
    {"postTicketingOrderNo": "PT2025001", "currency": "CNY", "originalPostTicketingServiceAmount": 35.00, "estimatedRefundAmount": 30.5}
  ],
  "serviceFee": {"currency": "CNY", "transactionFee": 100},
  "voidWindow": {"supportVoid": true, "allowVoid": false, "voidTimeAfterIssure": "24h",
                 "voidTimeBeforeDepature": "2h", "sameDayDeadlineTime": "23:59", "sameDayTimezone": "GMT+8"},
  "orderNo": "TESTA20250512100600259",
  "isVoidable": true
}`;

describe("ATRIP mapping", () => {
  it("maps every field of a voidQuotation.do reply", () => {
    const reply = voidQuotationReply.parse(parseJson(QUOTE_TEXT));
    const at = new Date("2025-05-12T10:00:00Z");
    expect(toVoidQuote(reply, at)).toEqual({
      supplier: "ATRIP",
      orderNo: "TESTA20250512100600259",
      isVoidable: true,
      voidOfferId: "v_b893711fcfae4e9d949e9965576bfd3a",
      refundMethod: "ORIGINAL_PAYMENT",
      fastConfirmation: true,
      expectedConfirmationDate: "2025-05-13",
      expectedRefundDate: "2025-05-20",
      tickets: [{ firstName: "LEI", lastName: "WANG", ticketNo: "999-2140000001" }],
      fare: { currency: "CNY", originalAmount: "1280.50", estimatedRefund: "1180.10" },
      postTicketingServices: [{ postTicketingOrderNo: "PT2025001", currency: "CNY", originalAmount: "35.00", estimatedRefund: "30.5" }],
      serviceFee: { amount: "100", currency: "CNY" },
      window: {
        supportVoid: true,
        allowVoid: false,
        voidTimeAfterIssue: "24h",
        voidTimeBeforeDeparture: "2h",
        sameDayDeadlineTime: "23:59",
        sameDayTimezone: "GMT+8",
      },
      quotedAt: at,
    });
  });

  it("maps a void.do reply (Voucher, fastConfirmation 0, status 0)", () => {
    const text = QUOTE_TEXT.replace('"fastConfirmation": 1', '"fastConfirmation": 0')
      .replace('"CashBackToOriginalPayment"', '"Voucher"')
      .replace('"isVoidable": true', '"isVoidable": true, "voidCode": "202505-0012", "voidStatus": 0, "cancelReason": ""');
    const order = voidReplyToOrder(voidReply.parse(parseJson(text)));
    expect(order).toMatchObject({
      supplier: "ATRIP",
      voidCode: "202505-0012",
      orderNo: "TESTA20250512100600259",
      status: "SUPPLIER_PROCESSING",
      supplierStatus: 0,
      isFinal: false,
      refundMethod: "VOUCHER",
      cancelReason: null,
      actualRefund: null,
      serviceFee: { amount: "100", currency: "CNY" },
      expectedConfirmationDate: "2025-05-13",
      expectedRefundDate: "2025-05-20",
      voidOfferId: "v_b893711fcfae4e9d949e9965576bfd3a",
    });
  });

  it.each([
    [0, "SUPPLIER_PROCESSING", false],
    [1, "AIRLINE_PROCESSING", false],
    [2, "REFUNDED", true],
    [3, "AIRLINE_REFUNDING", false],
    [4, "REJECTED", true],
    [5, "COMPLETED", true],
    [6, "WITHDRAWN", true],
  ])("queryVoidOrders.do voidStatus %i → %s (final: %s)", (n, status, isFinal) => {
    const text = `{"status": 0, "msg": "success", "voidOrders": [{
      "orderNo": "TESTA1", "voidCode": "202505-0012", "expectedConfirmationDate": "20250513",
      "expectedRefundDate": null, "voidTickets": [{"lastName": "LI", "firstName": "NA", "ticketNo": "999-1"}],
      "voidFareAmount": {"currency": "USD", "originalFareAmount": 412.30, "estimatedRefundAmount": 387.3},
      "voidPostTicketingServiceAmounts": [], "serviceFee": {"currency": "USD", "transactionFee": 25},
      "voidStatus": ${n}, "cancelReason": "${n === 4 ? "airline said no" : ""}", "voidOfferId": "v_1",
      "voidMethod": "CashBackToOriginalPayment", "actualRefundAmount": 387.30 }]}`;
    const reply = queryVoidOrdersReply.parse(parseJson(text));
    const order = wireVoidOrderToOrder(reply.voidOrders![0], reply.msg);
    expect(order).toMatchObject({
      status,
      supplierStatus: n,
      isFinal,
      expectedRefundDate: null,
      fare: { currency: "USD", originalAmount: "412.30", estimatedRefund: "387.3" },
      actualRefund: { amount: "387.30", currency: "USD" },
      cancelReason: n === 4 ? "airline said no" : null,
      message: "success",
      tickets: [{ firstName: "NA", lastName: "LI", ticketNo: "999-1" }],
    });
  });

  it("rejects an undocumented voidStatus and impossible dates", () => {
    const bad = queryVoidOrdersReply.parse(
      parseJson('{"status":0,"msg":"","voidOrders":[{"orderNo":"A","voidCode":"C","voidStatus":7,"expectedConfirmationDate":"20250513","voidMethod":"Voucher"}]}'),
    );
    expect(() => wireVoidOrderToOrder(bad.voidOrders![0], null)).toThrow(MappingError);
    expect(() => toDate("d", "20250230")).toThrow(MappingError);
    expect(() => toDate("d", "2025-05-13")).toThrow(MappingError);
    expect(toDate("d", null)).toBeNull();
  });

  it.each([
    ['"-3"', "STOPPED"],
    ['"2"', "ISSUED"],
    ['"1"', "PENDING"],
    ["-3", "STOPPED"],
    ["2", "ISSUED"],
  ])("queryOrderDetails.do orderStatus %s after a stop → %s", (raw, state) => {
    const reply = orderDetailsReply.parse(parseJson(`{"status":0,"msg":"ok","orderNo":"ZNMKU1","orderStatus":${raw},"ticketStatus":"0"}`));
    expect(toStopOutcome("ZNMKU1", reply).state).toBe(state);
  });

  it("refuses replies of the wrong shape", () => {
    expect(voidReply.safeParse(parseJson('{"status":0,"msg":"ok","orderNo":"A","isVoidable":true}')).success).toBe(false);
    expect(voidQuotationReply.safeParse(parseJson('{"status":"zero","orderNo":"A","isVoidable":true}')).success).toBe(false);
  });
});
