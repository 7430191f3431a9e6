/**
 * Every field of ATRIP's documented replies (seed 002 (docs/suppliers/atrip.md "Sources"), 000_*) through the wire
 * schemas and the mapping. The sample texts are written as ATRIP would send them.
 */
import { describe, expect, it } from "vitest";
import { toStopOutcome, toVoidQuote, voidReplyToOrder, wireVoidOrderToOrder, MappingError } from "../../datasources/atrip/mapping.js";
import { atripDate, orderDetailsReply, queryVoidOrdersReply, voidQuotationReply, voidReply } from "../../datasources/atrip/wire.js";
import { parseJson } from "../../datasources/json.js";

/** Collects what the mappers note about odd optional fields. */
function notes() {
  const seen: Array<{ field: string; problem: string }> = [];
  return { seen, note: (field: string, problem: string) => void seen.push({ field, problem }) };
}

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
    const n = notes();
    expect(toVoidQuote(reply, at, n.note)).toEqual({
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
      voidDeadline: null,
      quotedAt: at,
    });
    expect(n.seen).toEqual([]);
  });

  it("a quotation's voidDeadline (seed 002: trust the quote's voidDeadline) is kept as ATRIP wrote it", () => {
    const reply = voidQuotationReply.parse(
      parseJson(QUOTE_TEXT.replace(`"isVoidable": true`, `"isVoidable": true, "voidDeadline": "23:59"`)),
    );
    expect(toVoidQuote(reply, new Date(0), notes().note).voidDeadline).toBe("23:59");
  });

  it.each([
    { what: "a space", offer: "v b", readable: false },
    { what: "non-ASCII", offer: "v_é", readable: false },
    { what: "257 characters", offer: "v".repeat(257), readable: false },
    { what: "256 visible ASCII characters", offer: "/+=~".repeat(64), readable: true },
    { what: "nothing in it (no offer)", offer: "", readable: true },
  ])(
    "a quotation's voidOfferId with $what is readable: $readable (the gateway hands out only an offer submitVoid takes back)",
    ({ offer, readable }) => {
      const r = voidQuotationReply.safeParse(parseJson(QUOTE_TEXT.replace("v_b893711fcfae4e9d949e9965576bfd3a", offer)));
      expect(r.success).toBe(readable);
      if (!r.success) expect(r.error.issues[0]?.path).toEqual(["voidOfferId"]);
    },
  );

  it("a quotation that is not voidable is read whatever its voidOfferId: nobody submits it", () => {
    const text = QUOTE_TEXT.replace(`"isVoidable": true`, `"isVoidable": false`).replace("v_b893711fcfae4e9d949e9965576bfd3a", "v b");
    expect(voidQuotationReply.safeParse(parseJson(text)).success).toBe(true);
  });

  it("a quoted ticket without a name is still quoted (seed 002 requires the names in void.do's and queryVoidOrders.do's tickets, not the quote's)", () => {
    const n = notes();
    const reply = voidQuotationReply.parse(
      parseJson(
        QUOTE_TEXT.replace(
          `"voidTickets": [{"lastName": "WANG", "firstName": "LEI", "ticketNo": "999-2140000001"}]`,
          `"voidTickets": [{"lastName": "WANG", "ticketNo": "999-1"}, {"firstName": null, "ticketNo": "999-2"}, {"firstName": "NA"}]`,
        ),
      ),
    );
    expect(toVoidQuote(reply, new Date(0), n.note).tickets).toEqual([
      { firstName: "", lastName: "WANG", ticketNo: "999-1" },
      { firstName: "", lastName: "", ticketNo: "999-2" },
    ]);
    // Without its number a ticket cannot be shown (VoidTicket.ticketNo is non-null): left out, and noted.
    expect(n.seen.map((x) => x.field)).toEqual(["voidTickets.2"]);
  });

  it("maps a void.do reply (Voucher, fastConfirmation 0, status 0)", () => {
    const text = QUOTE_TEXT.replace('"fastConfirmation": 1', '"fastConfirmation": 0')
      .replace('"CashBackToOriginalPayment"', '"Voucher"')
      .replace('"isVoidable": true', '"isVoidable": true, "voidCode": "202505-0012", "voidStatus": 0, "cancelReason": ""');
    const order = voidReplyToOrder(voidReply.parse(parseJson(text)), notes().note);
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
      fastConfirmation: false,
      postTicketingServices: [{ postTicketingOrderNo: "PT2025001", currency: "CNY", originalAmount: "35.00", estimatedRefund: "30.5" }],
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
    const noted = notes();
    const order = wireVoidOrderToOrder(reply.voidOrders![0], reply.msg, noted.note);
    expect(noted.seen).toEqual([]);
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
      postTicketingServices: [],
      fastConfirmation: null,
    });
  });

  it("rejects an undocumented voidStatus and a missing vital field", () => {
    const bad = queryVoidOrdersReply.parse(
      parseJson(
        '{"status":0,"msg":"","voidOrders":[{"orderNo":"A","voidCode":"C","voidStatus":7,"expectedConfirmationDate":"20250513","voidMethod":"Voucher"}]}',
      ),
    );
    expect(() => wireVoidOrderToOrder(bad.voidOrders![0], null, notes().note)).toThrow(MappingError);
    expect(() => wireVoidOrderToOrder(parseJson('{"voidCode":"C","voidStatus":2}'), null, notes().note)).toThrow(/orderNo/);
    expect(() => wireVoidOrderToOrder(parseJson('{"orderNo":"A","voidCode":"C","voidStatus":"two"}'), null, notes().note)).toThrow(
      /voidStatus/,
    );
  });

  it("marks the optional fields a query entry leaves out (seed 002 requires five) as unsaid, not the ones it gives empty", () => {
    const bare = wireVoidOrderToOrder(refunded('"expectedRefundDate": "", "serviceFee": {"currency": 1}'), "success", notes().note);
    expect(bare).toMatchObject({ tickets: [], fare: null, postTicketingServices: [], serviceFee: null, voidOfferId: null });
    expect([...(bare.unsaid ?? [])].sort()).toEqual(["fare", "postTicketingServices", "serviceFee", "tickets", "voidOfferId"]);
    const given = wireVoidOrderToOrder(
      refunded(
        `${FARE}, "voidTickets": [], "voidPostTicketingServiceAmounts": [], "serviceFee": {"currency": "CNY", "transactionFee": 0}, "voidOfferId": "v_1", "expectedRefundDate": "20250520"`,
      ),
      "success",
      notes().note,
    );
    expect(given.unsaid).toBeUndefined();
    expect(JSON.stringify(bare)).not.toContain("unsaid");
  });

  it("reads an explicit null expectedRefundDate (seed 002: nullable) as no date, said, so a stored date does not stay", () => {
    const withdrawn = wireVoidOrderToOrder(refunded('"expectedRefundDate": null'), "success", notes().note);
    expect(withdrawn.expectedRefundDate).toBeNull();
    expect([...(withdrawn.unsaid ?? [])]).not.toContain("expectedRefundDate");
    const absent = wireVoidOrderToOrder(refunded('"voidOfferId": "v_1"'), "success", notes().note);
    expect([...(absent.unsaid ?? [])]).toContain("expectedRefundDate");
  });

  it("reads yyyyMMdd dates and refuses impossible ones", () => {
    expect(atripDate.parse("20250513")).toBe("2025-05-13");
    expect(atripDate.parse("")).toBeNull();
    expect(atripDate.safeParse("20250230").success).toBe(false);
    expect(atripDate.safeParse("2025-05-13").success).toBe(false);
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

  it.each([
    ['"orderStatus":"abc"', /not a documented ATRIP order status/],
    ['"orderStatus":"-1"', /not a documented ATRIP order status/],
    ['"orderStatus":"+2"', /not a documented ATRIP order status/],
    ['"ticketStatus":"0"', /orderStatus is missing/],
    ['"orderStatus":"-3","orderNo":"ANOTHER-ORDER"', /^the reply is about another order than the one asked about$/],
    ['"orderStatus":""', /orderStatus is missing/],
  ])("queryOrderDetails.do with %s decides nothing: a MappingError, so the check fails visibly", (fields, problem) => {
    const reply = orderDetailsReply.parse(parseJson(`{"status":0,"msg":"ok",${fields}}`));
    expect(() => toStopOutcome("ZNMKU1", reply)).toThrow(MappingError);
    expect(() => toStopOutcome("ZNMKU1", reply)).toThrow(problem);
  });

  it("queryOrderDetails.do naming the order asked about in another case or with spaces decides", () => {
    const reply = orderDetailsReply.parse(parseJson('{"status":0,"msg":"ok","orderNo":" ZNMKU1 ","orderStatus":"-3"}'));
    expect(toStopOutcome("znmku1", reply).state).toBe("STOPPED");
  });

  it("queryOrderDetails.do orderStatus 0 (unpaid) keeps a stop PENDING", () => {
    const reply = orderDetailsReply.parse(parseJson('{"status":0,"msg":"ok","orderNo":"ZNMKU1","orderStatus":"0"}'));
    expect(toStopOutcome("ZNMKU1", reply)).toEqual({ orderNo: "ZNMKU1", state: "PENDING", supplierOrderStatus: "0", showsNoStop: true });
  });

  it("queryOrderDetails.do: only 0 and 1 show no sign of a stop (the evidence a lost stop may be sent again)", () => {
    const shows = (status: string) =>
      toStopOutcome("ZNMKU1", orderDetailsReply.parse(parseJson(`{"status":0,"msg":"ok","orderNo":"ZNMKU1","orderStatus":"${status}"}`)));
    expect(shows("1")).toMatchObject({ state: "PENDING", showsNoStop: true });
    expect(shows("2")).toMatchObject({ state: "ISSUED", showsNoStop: false });
    expect(shows("-3")).toMatchObject({ state: "STOPPED", showsNoStop: false });
  });

  it("refuses replies of the wrong shape", () => {
    expect(voidReply.safeParse(parseJson('{"status":0,"msg":"ok","orderNo":"A","isVoidable":true}')).success).toBe(false);
    expect(voidQuotationReply.safeParse(parseJson('{"status":"zero","orderNo":"A","isVoidable":true}')).success).toBe(false);
  });
});

/** A queryVoidOrders.do entry with REFUNDED status and `extra` fields merged in. */
function refunded(extra: string): unknown {
  return parseJson(`{"orderNo": "TESTA1", "voidCode": "202505-0012", "voidStatus": 2, "voidMethod": "CashBackToOriginalPayment",
    "expectedConfirmationDate": "20250513", ${extra}}`);
}
const FARE = '"voidFareAmount": {"currency": "CNY", "originalFareAmount": 1280.50, "estimatedRefundAmount": 1180.50}';

describe("ATRIP mapping: tolerant where seed 002 is silent, strict where it speaks (issue B.5)", () => {
  it.each([
    ["a number (voidFareAmount's currency)", `${FARE}, "actualRefundAmount": 1180.50`, { amount: "1180.50", currency: "CNY" }],
    ["a decimal string", `${FARE}, "actualRefundAmount": "1180.50"`, { amount: "1180.50", currency: "CNY" }],
    ["an object {currency, amount}", `"actualRefundAmount": {"currency": "EUR", "amount": 96.00}`, { amount: "96.00", currency: "EUR" }],
  ])("actualRefundAmount as %s", (_name, extra, money) => {
    const n = notes();
    const order = wireVoidOrderToOrder(refunded(extra), "ok", n.note);
    expect(order).toMatchObject({ status: "REFUNDED", isFinal: true, actualRefund: money });
    expect(n.seen).toEqual([]);
  });

  it.each([
    ["a list", `${FARE}, "actualRefundAmount": [1180.50]`],
    ["an object of another shape", `${FARE}, "actualRefundAmount": {"value": 1180.50}`],
    ["text that is not an amount", `${FARE}, "actualRefundAmount": "CNY 1180.50"`],
    ["a bare amount with no currency anywhere (Voucher, no voidFareAmount)", `"actualRefundAmount": 96.00`],
  ])("actualRefundAmount as %s: the void is still REFUNDED, the amount null and noted", (_name, extra) => {
    const n = notes();
    const order = wireVoidOrderToOrder(refunded(extra), "ok", n.note);
    expect(order).toMatchObject({ voidCode: "202505-0012", status: "REFUNDED", isFinal: true, actualRefund: null });
    expect(n.seen.map((x) => x.field)).toEqual(["actualRefundAmount"]);
  });

  it("a Voucher void without voidFareAmount (seed 002 promises it only for CashBackToOriginalPayment) is read, with nothing noted", () => {
    const n = notes();
    const entry = parseJson(
      '{"orderNo": "A", "voidCode": "C", "voidStatus": 1, "voidMethod": "Voucher", "expectedConfirmationDate": "20250513"}',
    );
    expect(wireVoidOrderToOrder(entry, null, n.note)).toMatchObject({
      status: "AIRLINE_PROCESSING",
      refundMethod: "VOUCHER",
      fare: null,
      actualRefund: null,
    });
    expect(n.seen).toEqual([]);
    const submitted = voidReply.parse(
      parseJson('{"status":0,"msg":"ok","orderNo":"A","voidCode":"C","voidStatus":0,"voidMethod":"Voucher","fastConfirmation":1}'),
    );
    expect(voidReplyToOrder(submitted, n.note)).toMatchObject({
      fare: null,
      refundMethod: "VOUCHER",
      fastConfirmation: true,
      postTicketingServices: [],
    });
    expect(n.seen).toEqual([]);
  });

  it("every optional field of an odd shape is left out alone; the vital fields decide", () => {
    const n = notes();
    const entry = parseJson(`{"orderNo": "A", "voidCode": "C", "voidStatus": 2,
      "voidMethod": "Cash", "expectedConfirmationDate": "2025-05-13", "expectedRefundDate": 20250520,
      "voidTickets": [{"firstName": "LEI", "lastName": "WANG", "ticketNo": "999-1"}, {"firstName": "NA"}],
      "voidFareAmount": {"currency": "CNY", "originalFareAmount": "lots"},
      "voidPostTicketingServiceAmounts": {"postTicketingOrderNo": "PT1"},
      "serviceFee": 100, "cancelReason": 42, "voidOfferId": ["v_1"], "fastConfirmation": "yes",
      "actualRefundAmount": 10}`);
    const order = wireVoidOrderToOrder(entry, "ok", n.note);
    expect(order).toEqual({
      supplier: "ATRIP",
      voidCode: "C",
      orderNo: "A",
      status: "REFUNDED",
      supplierStatus: 2,
      isFinal: true,
      refundMethod: null,
      expectedConfirmationDate: null,
      expectedRefundDate: null,
      tickets: [{ firstName: "LEI", lastName: "WANG", ticketNo: "999-1" }],
      fare: null,
      postTicketingServices: [],
      serviceFee: null,
      fastConfirmation: null,
      actualRefund: null,
      cancelReason: null,
      message: "ok",
      voidOfferId: null,
    });
    expect(n.seen.map((x) => x.field).sort()).toEqual(
      [
        "actualRefundAmount",
        "cancelReason",
        "expectedConfirmationDate",
        "expectedRefundDate",
        "fastConfirmation",
        "serviceFee",
        "voidFareAmount",
        "voidMethod",
        "voidOfferId",
        "voidPostTicketingServiceAmounts",
        "voidTickets.1",
      ].sort(),
    );
  });

  it("a msg that is not text (seed 000: not to be used to check success) leaves the reply whole: a void.do acceptance is still one", () => {
    const reply = voidReply.parse(parseJson('{"status":0,"msg":5,"orderNo":"TESTA1","voidCode":"202505-0012","voidStatus":0}'));
    expect(reply.msg).toBeNull();
    expect(voidReplyToOrder(reply, notes().note)).toMatchObject({ voidCode: "202505-0012", status: "SUPPLIER_PROCESSING" });
    expect(voidReply.parse(parseJson('{"status":0,"msg":{"en":"ok"},"orderNo":"A","voidCode":"c","voidStatus":1}')).msg).toBeNull();
    expect(voidReply.parse(parseJson('{"status":0,"msg":"accepted","orderNo":"A","voidCode":"c","voidStatus":1}')).msg).toBe("accepted");
  });

  it("queryOrderDetails.do: a field the gateway does not read (ticketStatus) cannot lose a stop's outcome", () => {
    const reply = orderDetailsReply.parse(
      parseJson('{"status":0,"msg":"ok","orderNo":"ZNMKU1","orderStatus":"-3","ticketStatus":{"odd":true}}'),
    );
    expect(toStopOutcome("ZNMKU1", reply)).toEqual({ orderNo: "ZNMKU1", state: "STOPPED", supplierOrderStatus: "-3", showsNoStop: false });
  });

  it("queryOrderDetails.do: an orderNo written as a number names an order as written; one of another shape makes the reply unreadable", () => {
    // A number naming another order used to be passed over, and decided the stop (property-based probe).
    const other = orderDetailsReply.parse(parseJson('{"status":0,"msg":"ok","orderNo":20220119160129691,"orderStatus":"-3"}'));
    expect(() => toStopOutcome("ZNMKU20220119160129691", other)).toThrow(/about another order/);
    expect(toStopOutcome("20220119160129691", other).state).toBe("STOPPED");
    for (const odd of ['{"no":1}', "true", "[1]", "1.5"])
      expect(orderDetailsReply.safeParse(parseJson(`{"status":0,"msg":"ok","orderNo":${odd},"orderStatus":"-3"}`)).success).toBe(false);
  });

  it("a quotation with odd optional fields still quotes; its vital fields stay strict", () => {
    const n = notes();
    const reply = voidQuotationReply.parse(
      parseJson('{"status":0,"msg":null,"orderNo":"A","isVoidable":true,"voidOfferId":"v_1","voidWindow":"24h","fastConfirmation":7}'),
    );
    expect(toVoidQuote(reply, new Date(0), n.note)).toMatchObject({
      isVoidable: true,
      voidOfferId: "v_1",
      window: null,
      fastConfirmation: false,
    });
    expect(n.seen.map((x) => x.field)).toEqual(["fastConfirmation", "voidWindow"]);
    expect(voidQuotationReply.safeParse(parseJson('{"status":0,"msg":null,"orderNo":"A","isVoidable":true,"voidOfferId":5}')).success).toBe(
      false,
    );
  });

  it("a currency is a 3-letter ISO code (seed 002), given in upper case; an amount with anything else as its currency is odd, left out", () => {
    const n = notes();
    const quote = QUOTE_TEXT.replace('"voidFareAmount": {"currency": "CNY"', '"voidFareAmount": {"currency": "cny"')
      .replace('"currency": "CNY", "originalPostTicketingServiceAmount"', '"currency": "", "originalPostTicketingServiceAmount"')
      .replace('"serviceFee": {"currency": "CNY"', '"serviceFee": {"currency": "RMB1"');
    const mapped = toVoidQuote(voidQuotationReply.parse(parseJson(quote)), new Date(0), n.note);
    expect(mapped.fare).toEqual({ currency: "CNY", originalAmount: "1280.50", estimatedRefund: "1180.10" });
    expect(mapped.postTicketingServices).toEqual([]);
    expect(mapped.serviceFee).toBeNull();
    expect(n.seen.map((x) => x.field)).toEqual(["voidPostTicketingServiceAmounts.0", "serviceFee"]);
  });
});
