/**
 * The fidelity items through the gateway (issue B.6, B.7, B.12): an answer the gateway cannot
 * interpret to a state-changing call reaches the client as SUPPLIER_OUTCOME_UNKNOWN with the
 * supplier's code, and is followed up as one; stopTicket.do's "System error" is retryable and
 * leaves nothing tracked; a stop's check the gateway cannot read fails visibly; and the
 * configured timeout bounds what a client waits.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { NO_FAULTS } from "../../src/sandbox/http-kit.js";
import { eventually, fresh } from "../helpers/atrip.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql, QUOTE } from "../helpers/graphql.js";

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ SUPPLIER_TIMEOUT_MS: "1500", SANDBOX_TIME_SCALE: "600" });
});
afterAll(async () => t?.close());
afterEach(() => {
  t.sandbox.atrip!.server.faults = { ...NO_FAULTS };
});

const STOP = `mutation S($orderNo: String!) { stopTicketIssuance(input: { supplier: ATRIP, orderNo: $orderNo }) { state } }`;
const STOP_STATE = `query Q($orderNo: String!) { ticketIssuanceStop(supplier: ATRIP, orderNo: $orderNo) { state } }`;
const SUBMIT = `mutation S($orderNo: String!, $offer: String!) { submitVoid(input: { supplier: ATRIP, orderNo: $orderNo, voidOfferId: $offer }) { voidCode } }`;
const CANCEL = `mutation C($supplier: Supplier!, $orderNo: String!) { cancelOrder(input: { supplier: $supplier, orderNo: $orderNo, subChannel: "corp001" }) { orderNo } }`;
const ext = (r: { errors?: Array<{ extensions?: Record<string, unknown> }> }) => r.errors?.[0]?.extensions;

describe("undocumented answers to state-changing calls", () => {
  it("stopTicket.do status 3: SUPPLIER_OUTCOME_UNKNOWN with the code, the stop tracked as PENDING and followed to its outcome", async () => {
    const orderNo = fresh("ATR-STOP-ODD");
    const refused = ext(await gql(t.url, STOP, { orderNo }));
    expect(refused).toMatchObject({
      code: "SUPPLIER_OUTCOME_UNKNOWN",
      supplier: "ATRIP",
      supplierCode: "3",
      retryable: false,
    });
    // Its message is what ATRIP said, never the gateway's own words.
    const withMessage = `query Q($orderNo: String!) { ticketIssuanceStop(supplier: ATRIP, orderNo: $orderNo) { state message } }`;
    const tracked = await gql<{ ticketIssuanceStop: { state: string; message: string | null } | null }>(t.url, withMessage, { orderNo });
    expect(tracked.data?.ticketIssuanceStop).toEqual({ state: "PENDING", message: refused?.supplierMessage });
    expect(refused?.supplierMessage).toEqual(expect.any(String));
    const done = await eventually(
      async () => {
        const r = await gql<{ ticketIssuanceStop: { state: string } | null }>(t.url, STOP_STATE, { orderNo });
        return r.data?.ticketIssuanceStop?.state !== "PENDING" ? r.data?.ticketIssuanceStop : undefined;
      },
      15_000,
      100,
    );
    expect(done.state).toBe("STOPPED");
  });

  it("a queryOrderDetails.do orderStatus ATRIP does not document fails the stop's check visibly; good replies then resolve it", async () => {
    const orderNo = fresh("ATR-STOP-OK");
    const atrip = t.sandbox.atrip!.server;
    // "1" and "-3" become "x1" and "x-3": values no document gives.
    atrip.faults = { ...NO_FAULTS, operations: ["queryOrderDetails.do"], rewrite: { from: '"orderStatus":"', to: '"orderStatus":"x' } };
    expect((await gql<{ stopTicketIssuance: { state: string } }>(t.url, STOP, { orderNo })).data?.stopTicketIssuance.state).toBe("PENDING");
    const TRACKED = `query Q($orderNo: String!) { ticketIssuanceStop(supplier: ATRIP, orderNo: $orderNo) { state tracking { failure { code } } } }`;
    type Tracked = { ticketIssuanceStop: { state: string; tracking: { failure: { code: string } | null } } | null };
    const failed = await eventually(
      async () => {
        const r = await gql<Tracked>(t.url, TRACKED, { orderNo });
        return r.data?.ticketIssuanceStop?.tracking.failure ? r.data.ticketIssuanceStop : undefined;
      },
      15_000,
      100,
    );
    expect(failed).toEqual({ state: "PENDING", tracking: { failure: { code: "SUPPLIER_BAD_RESPONSE" } } });
    atrip.faults = { ...NO_FAULTS };
    const done = await eventually(
      async () => {
        const r = await gql<Tracked>(t.url, TRACKED, { orderNo });
        return r.data?.ticketIssuanceStop?.state !== "PENDING" ? r.data?.ticketIssuanceStop : undefined;
      },
      20_000,
      100,
    );
    expect(done).toEqual({ state: "STOPPED", tracking: { failure: null } });
  });

  it("stopTicket.do status 2 (System error): SUPPLIER_UNAVAILABLE, retryable, nothing tracked; asking again works", async () => {
    const orderNo = fresh("ATR-STOP-BUSY");
    expect(ext(await gql(t.url, STOP, { orderNo }))).toMatchObject({ code: "SUPPLIER_UNAVAILABLE", supplierCode: "2", retryable: true });
    expect((await gql<{ ticketIssuanceStop: unknown }>(t.url, STOP_STATE, { orderNo })).data?.ticketIssuanceStop).toBeNull();
    expect((await gql<{ stopTicketIssuance: { state: string } }>(t.url, STOP, { orderNo })).data?.stopTicketIssuance.state).toBe("PENDING");
  });

  it("stopTicket.do status 9999 (a common system error): a failure there too, SUPPLIER_UNAVAILABLE, retryable, nothing tracked", async () => {
    const orderNo = fresh("ATR-STOP-9999");
    expect(ext(await gql(t.url, STOP, { orderNo }))).toMatchObject({ code: "SUPPLIER_UNAVAILABLE", supplierCode: "9999", retryable: true });
    expect((await gql<{ ticketIssuanceStop: unknown }>(t.url, STOP_STATE, { orderNo })).data?.ticketIssuanceStop).toBeNull();
    expect((await gql<{ stopTicketIssuance: { state: string } }>(t.url, STOP, { orderNo })).data?.stopTicketIssuance.state).toBe("PENDING");
    expect(t.sandbox.atrip!.server.stats.byOperation["stopTicket.do"]).toBeGreaterThanOrEqual(2);
  });

  it("void.do status 830: SUPPLIER_OUTCOME_UNKNOWN with the code; the next submission finds the void instead of resending", async () => {
    const orderNo = fresh("ATR-VOID-ODD");
    const offer = (await gql<{ voidQuote: { voidOfferId: string } }>(t.url, QUOTE, { orderNo })).data!.voidQuote.voidOfferId;
    expect(ext(await gql(t.url, SUBMIT, { orderNo, offer }))).toMatchObject({
      code: "SUPPLIER_OUTCOME_UNKNOWN",
      supplierCode: "830",
      retryable: false,
    });
    const sent = t.sandbox.atrip!.server.stats.byOperation["void.do"];
    expect(ext(await gql(t.url, SUBMIT, { orderNo, offer }))).toMatchObject({ code: "VOID_ALREADY_SUBMITTED" });
    expect(t.sandbox.atrip!.server.stats.byOperation["void.do"]).toBe(sent);
    // ATRIP's webhook names the void: it is the one the gateway submitted, learned from the webhook.
    type Listed = { voidOrders: Array<{ submittedAt: string | null; history: Array<{ source: string }> }> };
    const listed = await eventually(async () => {
      const r = await gql<Listed>(
        t.url,
        `query L($orderNo: String!) { voidOrders(orderNo: $orderNo) { submittedAt history { source } } }`,
        {
          orderNo,
        },
      );
      return r.data?.voidOrders.length ? r.data.voidOrders : undefined;
    });
    expect(listed).toHaveLength(1);
    expect(listed[0].history[0].source).toBe("WEBHOOK");
    expect(Date.now() - new Date(listed[0].submittedAt ?? 0).getTime()).toBeLessThan(60_000);
  });

  it.each([
    ["ALITRIP", "ALI-ODD-ERROR", "77"],
    ["ALITRIP", "ALI-NO-SUCCESS", null],
    ["CTT", "CTT-ODD-CODE", "2"],
    ["CTT", "CTT-NO-CODE", null],
  ])("cancelOrder at %s for %s: SUPPLIER_OUTCOME_UNKNOWN (supplierCode %s)", async (supplier, template, supplierCode) => {
    const e = ext(await gql(t.url, CANCEL, { supplier, orderNo: fresh(template) }));
    expect(e).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN", supplier, retryable: false });
    expect(e?.supplierCode).toBe(supplierCode);
  });
});

describe("one deadline per client call", () => {
  it("SUPPLIER_TIMEOUT_MS=1500: a voidQuote to a supplier that never answers returns SUPPLIER_TIMEOUT after ~1.5 s, not ~4.8 s", async () => {
    t.sandbox.atrip!.server.faults = { ...NO_FAULTS, latencyMs: 10_000, operations: ["voidQuotation.do"] };
    const before = t.sandbox.atrip!.server.stats.byOperation["voidQuotation.do"] ?? 0;
    const started = performance.now();
    const r = await gql(t.url, QUOTE, { orderNo: fresh("ATR-VOID-DEPOSIT") });
    const waited = performance.now() - started;
    expect(ext(r)).toMatchObject({ code: "SUPPLIER_TIMEOUT", supplier: "ATRIP" });
    expect(waited).toBeGreaterThanOrEqual(1450);
    expect(waited).toBeLessThan(2000);
    expect((t.sandbox.atrip!.server.stats.byOperation["voidQuotation.do"] ?? 0) - before).toBe(1);
  });
});

describe("operations a supplier does not offer", () => {
  it("ticketIssuanceStop at CTT (no stop issuance): UNSUPPORTED_OPERATION naming ATRIP, not null", async () => {
    const r = await gql(t.url, `{ ticketIssuanceStop(supplier: CTT, orderNo: "CTT-1") { state } }`);
    expect(ext(r)).toMatchObject({
      code: "UNSUPPORTED_OPERATION",
      supportedBy: ["ATRIP"],
      retryable: false,
      supplierCode: null,
      supplierMessage: null,
    });
  });
});
