/**
 * The store fails just after a supplier call that changed (or may have changed) state: the
 * client is answered what the supplier did — never SERVICE_UNAVAILABLE, which says "retry" —
 * and the call is not sent twice. A real gateway and simulators; the store's writes after the
 * call are made to throw.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { NO_FAULTS } from "../../src/sandbox/http-kit.js";
import { StoreUnavailableError } from "../../src/store/errors.js";
import { eventually, fresh } from "../helpers/atrip.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql, QUOTE } from "../helpers/graphql.js";

let t: TestGateway;
const restore: Array<() => void> = [];
beforeAll(async () => {
  t = await startTestGateway({ ATRIP_TIMEOUT_MS: "300", VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000" });
});
afterAll(async () => t?.close());
afterEach(() => {
  for (const r of restore.splice(0)) r();
  t.sandbox.atrip!.server.faults = { ...NO_FAULTS };
});

/** Makes `obj[name]` throw until the test ends. */
function breakMethod<T extends object>(obj: T, name: keyof T & string): void {
  const original = obj[name];
  (obj as Record<string, unknown>)[name] = async () => {
    throw new Error("store down (test)");
  };
  restore.push(() => ((obj as Record<string, unknown>)[name] = original));
}
const ext = (r: { errors?: Array<{ extensions?: Record<string, unknown> }> }) => r.errors?.[0]?.extensions;
const sent = (op: string) => t.sandbox.atrip!.server.stats.byOperation[op] ?? 0;
const SUBMIT = `mutation S($orderNo: String!, $offer: String!) { submitVoid(input: { supplier: ATRIP, orderNo: $orderNo, voidOfferId: $offer }) { voidCode status } }`;
const STOP = `mutation S($orderNo: String!) { stopTicketIssuance(input: { supplier: ATRIP, orderNo: $orderNo }) { state checkAfter } }`;

describe("the store fails after a state-changing supplier call", () => {
  it("void.do accepted, the record not written: the client gets the void (its history empty, not read), not SERVICE_UNAVAILABLE; it is recorded once the store is back", async () => {
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const offer = (await gql<{ voidQuote: { voidOfferId: string } }>(t.url, QUOTE, { orderNo })).data!.voidQuote.voidOfferId;
    breakMethod(t.store.tracked, "insert");
    // Reads fail too (black-box probe: the history's read failed the whole answer, voidCode and all).
    breakMethod(t.store.events, "historyMany");
    const WITH_HISTORY = `mutation S($orderNo: String!, $offer: String!) { submitVoid(input: { supplier: ATRIP, orderNo: $orderNo, voidOfferId: $offer }) { voidCode status submittedAt history { status } } }`;
    const r = await gql<{ submitVoid: { voidCode: string; status: string; submittedAt: string; history: unknown[] } }>(
      t.url,
      WITH_HISTORY,
      {
        orderNo,
        offer,
      },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.submitVoid).toMatchObject({ status: "SUPPLIER_PROCESSING", history: [] });
    const { voidCode, submittedAt } = r.data!.submitVoid;
    expect(voidCode).toBeTruthy();
    expect(sent("void.do")).toBeGreaterThan(0);
    // The store takes writes again: the void is recorded (dated when ATRIP accepted it) and followed, with no request.
    for (const undo of restore.splice(0)) undo();
    const recorded = await eventually(async () => {
      const q = await gql<{ voidOrder: { submittedAt: string; history: Array<{ status: string; source: string }> } | null }>(
        t.url,
        `{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}") { submittedAt history { status source } } }`,
      );
      return q.data?.voidOrder ?? undefined;
    }, 5_000);
    expect(recorded.history[0]).toEqual({ status: "SUPPLIER_PROCESSING", source: "SUBMIT" });
    expect(Math.abs(Date.parse(recorded.submittedAt) - Date.parse(submittedAt))).toBeLessThan(1_000);
    expect(t.gw.services.tracking.laterWrites.pending).toBe(0);
    // Its order's mark is cleared: a repeat is answered from the record, nothing sent.
    const before = sent("void.do");
    expect(ext(await gql(t.url, SUBMIT, { orderNo, offer }))).toMatchObject({ code: "VOID_ALREADY_SUBMITTED", voidCode });
    expect(sent("void.do")).toBe(before);
  });

  it("with an idempotency key: the answer not stored is stored once the store is back, and a repeat with the key replays it", async () => {
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const offer = (await gql<{ voidQuote: { voidOfferId: string } }>(t.url, QUOTE, { orderNo })).data!.voidQuote.voidOfferId;
    const KEYED = `mutation S($orderNo: String!, $offer: String!, $key: String) { submitVoid(input: { supplier: ATRIP, orderNo: $orderNo, voidOfferId: $offer, idempotencyKey: $key }) { voidCode status } }`;
    const vars = { orderNo, offer, key: `k-${orderNo}` };
    breakMethod(t.store.tracked, "insert");
    breakMethod(t.store.idempotency, "complete");
    const first = await gql<{ submitVoid: { voidCode: string; status: string } }>(t.url, KEYED, vars);
    expect(first.errors).toBeUndefined();
    const sentThen = sent("void.do");
    // While the store fails, a repeat is told to wait, and sends nothing.
    expect(ext(await gql(t.url, KEYED, vars))).toMatchObject({ code: "REQUEST_IN_PROGRESS", retryable: true });
    for (const undo of restore.splice(0)) undo();
    await eventually(() => t.gw.services.tracking.laterWrites.pending === 0, 5_000);
    expect(await gql(t.url, KEYED, vars)).toEqual({ data: first.data });
    expect(sent("void.do")).toBe(sentThen);
  });

  it("void.do lost its reply, the mark not written: SUPPLIER_OUTCOME_UNKNOWN (not retryable), not SERVICE_UNAVAILABLE", async () => {
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const offer = (await gql<{ voidQuote: { voidOfferId: string } }>(t.url, QUOTE, { orderNo })).data!.voidQuote.voidOfferId;
    t.sandbox.atrip!.server.faults = { ...NO_FAULTS, latencyMs: 600, operations: ["void.do"] };
    breakMethod(t.store.unsettled, "mark");
    expect(ext(await gql(t.url, SUBMIT, { orderNo, offer }))).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN", retryable: false });
  });

  it("stopTicket.do accepted, the stop not written: the client gets the PENDING stop, not SERVICE_UNAVAILABLE", async () => {
    const orderNo = fresh("ATR-STOP-OK");
    breakMethod(t.store.tracked, "insert");
    const before = sent("stopTicket.do");
    const r = await gql<{ stopTicketIssuance: { state: string; checkAfter: string } }>(t.url, STOP, { orderNo });
    expect(r.errors).toBeUndefined();
    expect(r.data?.stopTicketIssuance.state).toBe("PENDING");
    expect(Date.parse(r.data!.stopTicketIssuance.checkAfter)).toBeGreaterThan(Date.now());
    expect(sent("stopTicket.do") - before).toBe(1);
    // The store is back: the order's mark outlived the unwritten record, so the repeat tracks
    // the stop (its outcome unknown to the gateway) and sends nothing.
    restore.pop()!();
    const again = await gql<{ stopTicketIssuance: { state: string } }>(t.url, STOP, { orderNo });
    expect(again.errors).toBeUndefined();
    expect(again.data?.stopTicketIssuance.state).toBe("PENDING");
    expect(sent("stopTicket.do") - before).toBe(1);
  });

  it("the store fails between the stop's claim and stopTicket.do: nothing is sent, and the order's next request sends it", async () => {
    const orderNo = fresh("ATR-STOP-OK");
    const records = t.store.tracked;
    const get = records.get.bind(records);
    let reads = 0;
    // The read before the claim works; the one after it fails.
    records.get = (async (...args: Parameters<typeof get>) => {
      reads += 1;
      if (reads === 2) throw new StoreUnavailableError("store down (test)");
      return get(...args);
    }) as typeof records.get;
    restore.push(() => (records.get = get));
    const before = sent("stopTicket.do");
    const first = await gql(t.url, STOP, { orderNo });
    expect(ext(first)).toMatchObject({ code: "SERVICE_UNAVAILABLE", retryable: true });
    expect(sent("stopTicket.do") - before).toBe(0);
    // The claim went back with the failure: the retry is sent, not tracked as a stop of unknown outcome.
    const again = await gql<{ stopTicketIssuance: { state: string; message: string | null } }>(
      t.url,
      `mutation S($orderNo: String!) { stopTicketIssuance(input: { supplier: ATRIP, orderNo: $orderNo }) { state message } }`,
      { orderNo },
    );
    expect(again.data?.stopTicketIssuance.state).toBe("PENDING");
    expect(again.data?.stopTicketIssuance.message ?? "").not.toMatch(/unknown/);
    expect(sent("stopTicket.do") - before).toBe(1);
  });

  it("a cancel whose reply was lost, the mark not written: SUPPLIER_OUTCOME_UNKNOWN, not SERVICE_UNAVAILABLE", async () => {
    const CANCEL = `mutation C($orderNo: String!) { cancelOrder(input: { supplier: ALITRIP, orderNo: $orderNo, subChannel: "corp001" }) { orderNo } }`;
    t.sandbox.alitrip!.server.faults = { ...NO_FAULTS, resetRate: 1 };
    restore.push(() => (t.sandbox.alitrip!.server.faults = { ...NO_FAULTS }));
    breakMethod(t.store.unsettled, "mark");
    expect(ext(await gql(t.url, CANCEL, { orderNo: fresh("ALI-CANCEL-OK") }))).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN" });
  });

  it("with an idempotencyKey, the answer not stored: the client gets the void; a repeat with the key sends nothing", async () => {
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const offer = (await gql<{ voidQuote: { voidOfferId: string } }>(t.url, QUOTE, { orderNo })).data!.voidQuote.voidOfferId;
    const KEYED = `mutation S($orderNo: String!, $offer: String!) { submitVoid(input: { supplier: ATRIP, orderNo: $orderNo, voidOfferId: $offer, idempotencyKey: "k-store-down" }) { voidCode } }`;
    breakMethod(t.store.idempotency, "complete");
    const before = sent("void.do");
    const first = await gql<{ submitVoid: { voidCode: string } }>(t.url, KEYED, { orderNo, offer });
    expect(first.errors).toBeUndefined();
    expect(first.data?.submitVoid.voidCode).toBeTruthy();
    const again = await gql(t.url, KEYED, { orderNo, offer });
    expect(ext(again)).toMatchObject({ code: "REQUEST_IN_PROGRESS" });
    expect(sent("void.do") - before).toBe(1);
  });
});
