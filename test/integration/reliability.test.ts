/** Idempotency keys, and never a second state-changing supplier call by accident. */
import { afterEach, describe, expect, it } from "vitest";
import { API_KEYS, bearer, KEYS } from "../helpers/auth.js";
import { eventually, fresh } from "../helpers/atrip.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql, QUOTE } from "../helpers/graphql.js";

/** The gateway_unsettled_orders gauge of voids, as a scrape reads it. */
async function unsettledVoids(url: string): Promise<number> {
  const text = await (await fetch(url.replace("/graphql", "/metrics"))).text();
  return Number(/^gateway_unsettled_orders\{operation="VOID"\} (\S+)$/m.exec(text)?.[1]);
}

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const ACME = bearer(KEYS.acmeWrite);
const GLOBEX = bearer(KEYS.globexWrite);
const SUBMIT = `mutation S($orderNo: String!, $offer: String!, $key: String) {
  submitVoid(input: { supplier: ATRIP, orderNo: $orderNo, voidOfferId: $offer, idempotencyKey: $key }) { voidCode status submittedAt }
}`;
const CANCEL = `mutation C($orderNo: String!, $key: String) {
  cancelOrder(input: { supplier: ALITRIP, orderNo: $orderNo, subChannel: "corp001", idempotencyKey: $key }) { orderNo cancelledAt }
}`;
type R = Awaited<ReturnType<typeof gql>>;
const codeOf = (r: R) => r.errors?.[0]?.extensions?.code;

/** The order's voids as the gateway lists them, once there is one. */
function listedVoids(orderNo: string, auth: Record<string, string>, timeoutMs?: number) {
  return eventually(async () => {
    const r = await gql<{ voidOrders: Array<{ voidCode: string; submittedAt: string | null; history: Array<{ source: string }> }> }>(
      t!.url,
      `{ voidOrders(orderNo: "${orderNo}") { voidCode submittedAt history { source } } }`,
      {},
      auth,
    );
    return r.data?.voidOrders.length ? r.data.voidOrders : undefined;
  }, timeoutMs);
}

async function quote(orderNo: string, auth: Record<string, string> = ACME): Promise<string> {
  const q = await gql<{ voidQuote: { voidOfferId: string } }>(t!.url, QUOTE, { orderNo }, auth);
  return q.data!.voidQuote.voidOfferId;
}
/**
 * Submits a void for a fresh order as `auth`'s tenant, then makes the simulator a stand-in ATRIP
 * that answers every later void.do with that void's code again.
 */
async function voidThenReissue(auth: Record<string, string>): Promise<{ first: string; taken: string }> {
  const first = fresh("ATR-VOID-DEPOSIT");
  const a = await gql<{ submitVoid: { voidCode: string } }>(t!.url, SUBMIT, { orderNo: first, offer: await quote(first, auth) }, auth);
  const taken = a.data!.submitVoid.voidCode;
  const state = t!.sandbox.atrip!.state;
  const submit = state.submit.bind(state);
  state.submit = (orderNo, offerId) => {
    const reply = submit(orderNo, offerId);
    return "voidCode" in reply ? { ...reply, voidCode: taken } : reply;
  };
  return { first, taken };
}
const calls = (op: string) => t!.sandbox.atrip!.server.stats.byOperation[op] ?? 0;
/** Moves an order's unsettled void submission `ms` into the past, as if that much time had gone by. */
const backdate = (orderNo: string, ms: number) =>
  t!.store.db.query("UPDATE unsettled_submissions SET since = since - $2::int * interval '1 millisecond' WHERE order_no = $1", [
    orderNo,
    ms,
  ]);

describe("idempotency keys", () => {
  it("same key, same input: one supplier call, the same answer", async () => {
    t = await startTestGateway({ API_KEYS });
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const offer = await quote(orderNo);
    const a = await gql(t.url, SUBMIT, { orderNo, offer, key: "k-1" }, ACME);
    const b = await gql(t.url, SUBMIT, { orderNo, offer, key: "k-1" }, ACME);
    expect(a.errors).toBeUndefined();
    expect(b).toEqual(a);
    expect(calls("void.do")).toBe(1);
  });

  it("a replayed answer agrees with itself after the record moved on: its history ends where its status was", async () => {
    t = await startTestGateway({ API_KEYS, VOID_POLL_MIN_MS: "200" });
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const offer = await quote(orderNo);
    const SUBMIT_H = `mutation S($orderNo: String!, $offer: String!, $key: String) {
      submitVoid(input: { supplier: ATRIP, orderNo: $orderNo, voidOfferId: $offer, idempotencyKey: $key }) { voidCode status isFinal history { status } }
    }`;
    const stopOrder = fresh("ATR-STOP-OK");
    const STOP_H = `mutation { stopTicketIssuance(input: { supplier: ATRIP, orderNo: "${stopOrder}", idempotencyKey: "k-stop" }) { state resolvedAt history { state } } }`;
    type Void = { submitVoid: { voidCode: string; status: string; isFinal: boolean; history: Array<{ status: string }> } };
    type Stop = { stopTicketIssuance: { state: string; resolvedAt: string | null; history: Array<{ state: string }> } };
    const first = await gql<Void>(t.url, SUBMIT_H, { orderNo, offer, key: "k-moved" }, ACME);
    const firstStop = await gql<Stop>(t.url, STOP_H, {}, ACME);
    expect(first.data?.submitVoid).toMatchObject({
      status: "SUPPLIER_PROCESSING",
      isFinal: false,
      history: [{ status: "SUPPLIER_PROCESSING" }],
    });
    expect(firstStop.data?.stopTicketIssuance).toMatchObject({ state: "PENDING", resolvedAt: null, history: [{ state: "PENDING" }] });
    const { voidCode } = first.data!.submitVoid;
    await eventually(async () => {
      const now = await gql<{ voidOrder: { isFinal: boolean } }>(
        t!.url,
        `{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}") { isFinal } }`,
        {},
        ACME,
      );
      return now.data?.voidOrder.isFinal;
    }, 20_000);
    await eventually(async () => {
      const now = await gql<{ ticketIssuanceStop: { resolvedAt: string | null } }>(
        t!.url,
        `{ ticketIssuanceStop(supplier: ATRIP, orderNo: "${stopOrder}") { resolvedAt } }`,
        {},
        ACME,
      );
      return now.data?.ticketIssuanceStop.resolvedAt;
    }, 20_000);
    // The first answer again, whole: not its status beside the history as it is now.
    expect(await gql(t.url, SUBMIT_H, { orderNo, offer, key: "k-moved" }, ACME)).toEqual(first);
    expect(await gql(t.url, STOP_H, {}, ACME)).toEqual(firstStop);
  }, 40_000);

  it("replays a supplier error too", async () => {
    t = await startTestGateway({ API_KEYS });
    const a = await gql(t.url, CANCEL, { orderNo: "ALI-TICKETED", key: "c-1" }, ACME);
    const b = await gql(t.url, CANCEL, { orderNo: "ALI-TICKETED", key: "c-1" }, ACME);
    expect(codeOf(a)).toBe("CANCEL_REJECTED");
    expect(b.errors?.[0]?.extensions).toEqual(a.errors?.[0]?.extensions);
    expect(b.errors?.[0]?.message).toBe(a.errors?.[0]?.message);
    expect(t.sandbox.alitrip!.server.stats.total).toBe(1);
  });

  it("same key, different input → IDEMPOTENCY_KEY_REUSED, no call; keys are per tenant", async () => {
    t = await startTestGateway({ API_KEYS });
    const first = fresh("ALI-CANCEL-OK");
    expect((await gql(t.url, CANCEL, { orderNo: first, key: "c-2" }, ACME)).errors).toBeUndefined();
    const reused = await gql(t.url, CANCEL, { orderNo: fresh("ALI-CANCEL-OK"), key: "c-2" }, ACME);
    expect(codeOf(reused)).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(t.sandbox.alitrip!.server.stats.total).toBe(1);
    // Another tenant's identical key is its own.
    const other = await gql<{ cancelOrder: unknown }>(t.url, CANCEL, { orderNo: fresh("ALI-CANCEL-OK"), key: "c-2" }, GLOBEX);
    expect(other.errors).toBeUndefined();
  });

  it("an answer that says to try again is not kept: the same key tries again, and an explicit null is the same input", async () => {
    t = await startTestGateway({ API_KEYS });
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const offer = await quote(orderNo);
    t.sandbox.atrip!.server.faults = { ...t.sandbox.atrip!.server.faults, failNext: { status: 429, count: 1 }, operations: ["void.do"] };
    const limited = await gql(t.url, SUBMIT, { orderNo, offer, key: "k-3" }, ACME);
    expect(limited.errors?.[0]?.extensions).toMatchObject({ code: "SUPPLIER_RATE_LIMITED", retryable: true });
    const again = await gql<{ submitVoid: { voidCode: string } }>(t.url, SUBMIT, { orderNo, offer, key: "k-3" }, ACME);
    expect(again.errors).toBeUndefined();
    expect(calls("void.do")).toBe(2);
    // The answer is now kept: a repeat replays it, and so does one whose reason is an explicit null.
    const cancel = `mutation C($orderNo: String!, $key: String, $reason: String) {
      cancelOrder(input: { supplier: ALITRIP, orderNo: $orderNo, subChannel: "corp001", idempotencyKey: $key, reason: $reason }) { orderNo }
    }`;
    const cancelled = fresh("ALI-CANCEL-OK");
    expect((await gql(t.url, cancel, { orderNo: cancelled, key: "c-3" }, ACME)).errors).toBeUndefined();
    expect((await gql(t.url, cancel, { orderNo: cancelled, key: "c-3", reason: null }, ACME)).errors).toBeUndefined();
    // A field ALITRIP ignores (reason) is the same input too: ALITRIP is sent the same; one it uses is not.
    expect((await gql(t.url, cancel, { orderNo: cancelled, key: "c-3", reason: "changed plans" }, ACME)).errors).toBeUndefined();
    expect(t.sandbox.alitrip!.server.stats.total).toBe(1);
    const otherChannel = cancel.replace('subChannel: "corp001"', 'subChannel: "corp002"');
    expect(codeOf(await gql(t.url, otherChannel, { orderNo: cancelled, key: "c-3" }, ACME))).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(t.sandbox.alitrip!.server.stats.total).toBe(1);
  });

  it("concurrent requests with one key: one supplier call, the others REQUEST_IN_PROGRESS or the same answer", async () => {
    t = await startTestGateway({ API_KEYS });
    const orderNo = fresh("ATR-VOID-VCC");
    const offer = await quote(orderNo);
    t.sandbox.atrip!.server.faults = { ...t.sandbox.atrip!.server.faults, latencyMs: 400, operations: ["void.do"] };
    const results = await Promise.all(Array.from({ length: 5 }, () => gql(t!.url, SUBMIT, { orderNo, offer, key: "k-2" }, ACME)));
    const ok = results.filter((r) => !r.errors);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of results.filter((x) => x.errors)) {
      expect(codeOf(r)).toBe("REQUEST_IN_PROGRESS");
      expect(r.errors?.[0]?.extensions).toMatchObject({ retryable: true, retryAfterSeconds: 10 });
    }
    expect(calls("void.do")).toBe(1);
  });
});

describe("never a second state-changing call", () => {
  it("the gateway's own record answers VOID_ALREADY_SUBMITTED with the voidCode", async () => {
    t = await startTestGateway({ VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000" });
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const offer = await quote(orderNo, {});
    const first = await gql<{ submitVoid: { voidCode: string } }>(t.url, SUBMIT, { orderNo, offer }, {});
    const second = await gql(t.url, SUBMIT, { orderNo, offer }, {});
    expect(second.errors?.[0]?.extensions).toMatchObject({ code: "VOID_ALREADY_SUBMITTED", voidCode: first.data!.submitVoid.voidCode });
    // The gateway's own answer about a supplier: ATRIP said nothing, so its code and message are null.
    expect(second.errors?.[0]?.extensions).toMatchObject({ supplier: "ATRIP", supplierCode: null, supplierMessage: null });
    expect(calls("void.do")).toBe(1);
    // A quote now meets ATRIP's "already submitted" (816), which names no void: the gateway adds the one it holds.
    const quoted = await gql(t.url, QUOTE, { orderNo }, {});
    expect(quoted.errors?.[0]?.extensions).toMatchObject({
      code: "VOID_ALREADY_SUBMITTED",
      supplierCode: "816",
      voidCode: first.data!.submitVoid.voidCode,
    });
  });

  it("simultaneous submissions for one order (no key): one void.do, the rest VOID_ALREADY_SUBMITTED; one stopTicket.do", async () => {
    t = await startTestGateway({ VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000" });
    const sim = t.sandbox.atrip!.server;
    sim.faults = { ...sim.faults, latencyMs: 200, operations: ["void.do", "stopTicket.do"] };
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const offer = await quote(orderNo, {});
    const results = await Promise.all(Array.from({ length: 5 }, () => gql(t!.url, SUBMIT, { orderNo, offer }, {})));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    for (const r of results.filter((x) => x.errors)) expect(codeOf(r)).toBe("VOID_ALREADY_SUBMITTED");
    expect(calls("void.do")).toBe(1);
    const stopOrder = fresh("ATR-STOP-OK");
    const STOP = `mutation { stopTicketIssuance(input: { supplier: ATRIP, orderNo: "${stopOrder}" }) { state } }`;
    const stops = await Promise.all(Array.from({ length: 5 }, () => gql<{ stopTicketIssuance: { state: string } }>(t!.url, STOP, {}, {})));
    for (const r of stops) expect(r.data?.stopTicketIssuance.state).toBe("PENDING");
    expect(calls("stopTicket.do")).toBe(1);
  });

  it("stopTicket.do answering HTTP 500: not retryable (ATRIP may have acted), tracked as PENDING, and the 500's body is not the stop's message", async () => {
    t = await startTestGateway();
    const sim = t.sandbox.atrip!.server;
    const orderNo = fresh("ATR-STOP-OK");
    sim.faults = {
      ...sim.faults,
      operations: ["stopTicket.do"],
      failNext: { status: 500, count: 1, body: "oops", contentType: "text/plain" },
    };
    const STOP = `mutation { stopTicketIssuance(input: { supplier: ATRIP, orderNo: "${orderNo}" }) { state message } }`;
    const failed = await gql(t.url, STOP, {}, {});
    expect(failed.errors?.[0]?.extensions).toMatchObject({ code: "SUPPLIER_UNAVAILABLE", retryable: false, supplierMessage: "oops" });
    const tracked = await gql<{
      ticketIssuanceStop: { state: string; message: string | null; history: Array<{ message: string | null }> };
    }>(t.url, `{ ticketIssuanceStop(supplier: ATRIP, orderNo: "${orderNo}") { state message history { message } } }`);
    expect(tracked.data?.ticketIssuanceStop).toEqual({ state: "PENDING", message: null, history: [{ message: null }] });
    expect(calls("stopTicket.do")).toBe(1);
  });

  it("void.do timing out → SUPPLIER_OUTCOME_UNKNOWN; the next submission reconciles instead of resending, and the webhook settles it", async () => {
    t = await startTestGateway({ ATRIP_TIMEOUT_MS: "300", VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000" });
    const sim = t.sandbox.atrip!.server;
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const offer = await quote(orderNo, {});
    sim.faults = { ...sim.faults, latencyMs: 700, operations: ["void.do"] };
    const lost = await gql(t.url, SUBMIT, { orderNo, offer }, {});
    expect(lost.errors?.[0]?.extensions).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN", retryable: false, supplierCode: null });
    // Operators see it (gateway_unsettled_orders; the GatewayVoidOutcomeUnknown alert after 30 minutes).
    expect(await unsettledVoids(t.url)).toBe(1);
    sim.faults = { ...sim.faults, latencyMs: 0, operations: [] };
    await new Promise((r) => setTimeout(r, 600)); // the supplier did process it, late
    const again = await gql(t.url, SUBMIT, { orderNo, offer }, {});
    expect(codeOf(again)).toBe("VOID_ALREADY_SUBMITTED");
    expect(calls("void.do")).toBe(1);
    // The supplier's webhook for the new void settles the order: the gateway adopts it.
    const listed = await eventually(async () => {
      const r = await gql<{ voidOrders: Array<{ voidCode: string; submittedAt: string | null }> }>(
        t!.url,
        `{ voidOrders(orderNo: "${orderNo}") { voidCode submittedAt } }`,
      );
      return r.data?.voidOrders.length ? r.data.voidOrders : undefined;
    });
    expect(listed).toHaveLength(1);
    // The gateway's own submission, whose reply was lost: submitted through the gateway.
    expect(listed[0].submittedAt).not.toBeNull();
    expect(calls("void.do")).toBe(1);
    expect(await unsettledVoids(t.url)).toBe(0);
  });

  it("a lost reply's void that ATRIP does not show yet when its only webhook arrives: the webhook is read again once ATRIP should show it, and adopts it", async () => {
    t = await startTestGateway({ ATRIP_TIMEOUT_MS: "300", VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000" });
    const atrip = t.sandbox.atrip!;
    const sim = atrip.server;
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const offer = await quote(orderNo, {});
    // ATRIP's webhooks are best effort: every one of its own is lost here but the one sent below.
    sim.faults = { ...sim.faults, latencyMs: 700, operations: ["void.do"], webhookDropRate: 1 };
    const lost = await gql(t.url, SUBMIT, { orderNo, offer }, {});
    expect(lost.errors?.[0]?.extensions).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN" });
    const voidCode = await eventually(async () => atrip.state.voidCodeOf(orderNo));
    // Its first query after the webhook does not show the void yet (seed 002: usually within 5 minutes).
    atrip.state.hideNextQueries = 1;
    sim.faults = { ...sim.faults, latencyMs: 0, operations: [], webhookDropRate: 0 };
    expect(atrip.state.announceVoid(voidCode)).toBe(true);
    sim.faults = { ...sim.faults, webhookDropRate: 1 };
    const listed = await eventually(async () => {
      const r = await gql<{ voidOrders: Array<{ voidCode: string; history: Array<{ source: string }> }> }>(
        t!.url,
        `{ voidOrders(orderNo: "${orderNo}") { voidCode history { source } } }`,
      );
      return r.data?.voidOrders.length ? r.data.voidOrders : undefined;
    }, 15_000);
    expect(listed).toEqual([{ voidCode, history: [expect.objectContaining({ source: "WEBHOOK" })] }]);
    expect(atrip.state.hideNextQueries).toBe(0);
    expect(calls("void.do")).toBe(1);
  });

  it("submittedAt and requestedAt are when the call went out, not when its slow answer came back; checkAfter counts from there", async () => {
    t = await startTestGateway({ STOP_CHECK_DELAY_MS: "60000" });
    const sim = t.sandbox.atrip!.server;
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const offer = await quote(orderNo, {});
    sim.faults = { ...sim.faults, replyDelayMs: 1500, operations: ["void.do", "stopTicket.do"] };
    const sentVoid = Date.now();
    const v = await gql<{ submitVoid: { submittedAt: string } }>(t.url, SUBMIT, { orderNo, offer }, {});
    expect(Date.now() - sentVoid).toBeGreaterThanOrEqual(1500);
    expect(Date.parse(v.data!.submitVoid.submittedAt) - sentVoid).toBeLessThan(1000);
    const sentStop = Date.now();
    const s = await gql<{ stopTicketIssuance: { requestedAt: string; checkAfter: string } }>(
      t.url,
      `mutation { stopTicketIssuance(input: { supplier: ATRIP, orderNo: "${fresh("ATR-STOP-OK")}" }) { requestedAt checkAfter } }`,
      {},
    );
    expect(Date.now() - sentStop).toBeGreaterThanOrEqual(1500);
    const requestedAt = Date.parse(s.data!.stopTicketIssuance.requestedAt);
    expect(requestedAt - sentStop).toBeLessThan(1000);
    expect(Math.abs(Date.parse(s.data!.stopTicketIssuance.checkAfter) - (requestedAt + 60_000))).toBeLessThan(1000);
  });

  it("a webhook that arrives while void.do's reply is still on its way is confirmed within seconds of that reply, not when the submission's claim expires", async () => {
    // The claim lasts the supplier timeout + 10 s (15 s here): the webhook used to wait all of it.
    t = await startTestGateway({ ATRIP_TIMEOUT_MS: "5000", VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000" });
    const atrip = t.sandbox.atrip!;
    const sim = atrip.server;
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const offer = await quote(orderNo, {});
    // ATRIP acts on void.do at once and answers 2 s later; of its webhooks only the one below arrives.
    sim.faults = { ...sim.faults, replyDelayMs: 2000, operations: ["void.do"], webhookDropRate: 1 };
    const submitting = gql<{ submitVoid: { voidCode: string; status: string } }>(t.url, SUBMIT, { orderNo, offer }, {});
    const voidCode = await eventually(async () => atrip.state.voidCodeOf(orderNo));
    sim.faults = { ...sim.faults, webhookDropRate: 0 };
    expect(atrip.state.announceVoid(voidCode)).toBe(true);
    sim.faults = { ...sim.faults, webhookDropRate: 1 };
    const submitted = await submitting;
    expect(submitted.data?.submitVoid).toMatchObject({ voidCode, status: "SUPPLIER_PROCESSING" });
    const answeredAt = Date.now();
    // Its void moved on meanwhile (one step a second here): the webhook's confirmation records where it is.
    const history = await eventually(async () => {
      const r = await gql<{ voidOrder: { history: Array<{ status: string; source: string }> } }>(
        t!.url,
        `{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}") { history { status source } } }`,
      );
      const h = r.data?.voidOrder.history ?? [];
      return h.some((e) => e.source === "WEBHOOK") ? h : undefined;
    }, 8_000);
    expect(Date.now() - answeredAt).toBeLessThan(5_000);
    expect(history[0]).toEqual({ status: "SUPPLIER_PROCESSING", source: "SUBMIT" });
    expect(history.at(-1)?.source).toBe("WEBHOOK");
    expect(calls("void.do")).toBe(1);
  });

  it("void.do answering 'already submitted' for a void the gateway never recorded: the order stays marked, and ATRIP's webhook for that void adopts it", async () => {
    t = await startTestGateway({ API_KEYS, VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000" });
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const offer = await quote(orderNo);
    // The void reaches ATRIP without the gateway (another system on the same account).
    const port = t.gw.services.registry.voids("ATRIP", "acme");
    const theirs = await port.submit(orderNo, (await port.quote(orderNo)).voidOfferId!);
    const refused = await gql(t.url, SUBMIT, { orderNo, offer }, ACME);
    expect(codeOf(refused)).toBe("VOID_ALREADY_SUBMITTED");
    expect(calls("void.do")).toBe(2);
    const listed = await listedVoids(orderNo, ACME);
    // Learned from the webhook, and submitted elsewhere: not the gateway's submission.
    expect(listed).toEqual([{ voidCode: theirs.voidCode, submittedAt: null, history: [{ source: "WEBHOOK" }] }]);
    // Now it is the gateway's: a repeat answers with its voidCode and calls nothing.
    const again = await gql(t.url, SUBMIT, { orderNo, offer }, ACME);
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: "VOID_ALREADY_SUBMITTED", voidCode: theirs.voidCode });
    expect(calls("void.do")).toBe(2);
  });

  it("void.do answering 'already submitted' after the void's only webhook came and was kept as unknown: that webhook is read again and adopts the void", async () => {
    t = await startTestGateway({ API_KEYS, VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000" });
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const offer = await quote(orderNo);
    const port = t.gw.services.registry.voids("ATRIP", "acme");
    const theirs = await port.submit(orderNo, (await port.quote(orderNo)).voidOfferId!);
    // Its first webhook comes before the gateway knows anything of the order: kept as a void no tenant knows.
    // ATRIP's later ones are lost (best effort): that one is all there is.
    const state = async () =>
      (
        await t!.store.db.query<{ state: string }>("SELECT state FROM webhook_inbox WHERE payload->'data'->>'voidCode' = $1", [
          theirs.voidCode,
        ])
      )[0]?.state;
    await eventually(async () => (await state()) === "UNKNOWN_VOID");
    const sim = t.sandbox.atrip!.server;
    sim.faults = { ...sim.faults, webhookDropRate: 1 };
    expect(codeOf(await gql(t.url, SUBMIT, { orderNo, offer }, ACME))).toBe("VOID_ALREADY_SUBMITTED");
    const listed = await listedVoids(orderNo, ACME);
    expect(listed).toEqual([{ voidCode: theirs.voidCode, submittedAt: null, history: [{ source: "WEBHOOK" }] }]);
    expect(await state()).toBe("PROCESSED");
    expect(await t.store.unsettled.get("acme", "ATRIP", "VOID", orderNo)).toBeNull();
    expect(calls("void.do")).toBe(2);
  });

  it("a void accepted while its gateway died mid-call: its webhook, arriving while the dead request's claim still counts as in flight, adopts it once the claim has expired", async () => {
    t = await startTestGateway({ VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000" });
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    // A request (on an instance that is about to die) claims the order and sends void.do; ATRIP accepts it.
    const claimedAt = Date.now();
    expect(await t.store.unsettled.claim("demo", "ATRIP", "VOID", orderNo, 1_500)).toHaveProperty("claimId");
    const port = t.gw.services.registry.voids("ATRIP", "demo");
    const accepted = await port.submit(orderNo, (await port.quote(orderNo)).voidOfferId!);
    // Its first webhook reaches this gateway at once, while the claim still counts as in flight;
    // ATRIP's later ones are lost (best effort): that first one is all there is.
    await eventually(async () =>
      Number(
        (
          await t!.store.db.query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_inbox WHERE payload->'data'->>'voidCode' = $1", [
            accepted.voidCode,
          ])
        )[0].n,
      ),
    );
    const sim = t.sandbox.atrip!.server;
    sim.faults = { ...sim.faults, webhookDropRate: 1 };
    const listed = await listedVoids(orderNo, {}, 15_000);
    expect(listed).toMatchObject([{ voidCode: accepted.voidCode, history: [{ source: "WEBHOOK" }] }]);
    // Submitted when that request sent it.
    expect(Math.abs(new Date(listed[0].submittedAt!).getTime() - claimedAt)).toBeLessThan(500);
    expect(await t.store.unsettled.get("demo", "ATRIP", "VOID", orderNo)).toBeNull();
  });

  it("voidOrder(refresh: true) while a request holds the order's submission: REQUEST_IN_PROGRESS, then, once the claim has expired, adopted as the gateway's", async () => {
    t = await startTestGateway({ VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000" });
    const sim = t.sandbox.atrip!.server;
    sim.faults = { ...sim.faults, webhookDropRate: 1 };
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const claimedAt = Date.now();
    expect(await t.store.unsettled.claim("demo", "ATRIP", "VOID", orderNo, 60_000)).toHaveProperty("claimId");
    const port = t.gw.services.registry.voids("ATRIP", "demo");
    const { voidCode } = await port.submit(orderNo, (await port.quote(orderNo)).voidOfferId!);
    const READ = `{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}", refresh: true) { submittedAt } }`;
    const busy = await gql(t.url, READ);
    expect(busy.errors?.[0]?.extensions).toMatchObject({ code: "REQUEST_IN_PROGRESS", retryable: true, supplier: "ATRIP" });
    expect(Number(busy.errors?.[0]?.extensions?.retryAfterSeconds)).toBeGreaterThan(50);
    expect((await gql<{ voidOrders: unknown[] }>(t.url, `{ voidOrders(orderNo: "${orderNo}") { voidCode } }`)).data?.voidOrders).toEqual(
      [],
    );
    // The request's gateway died: once its claim expires, the void is adopted, dated when it was sent.
    await t.store.db.query("UPDATE unsettled_submissions SET in_flight_until = now() - interval '1 second' WHERE order_no = $1", [orderNo]);
    const adopted = await gql<{ voidOrder: { submittedAt: string | null } | null }>(t.url, READ);
    expect(Math.abs(new Date(adopted.data!.voidOrder!.submittedAt!).getTime() - claimedAt)).toBeLessThan(500);
    expect(await t.store.unsettled.get("demo", "ATRIP", "VOID", orderNo)).toBeNull();
  });

  it("a void whose void.do reply was lost, adopted by voidOrder(refresh: true): submitted through the gateway, and the order's mark goes", async () => {
    t = await startTestGateway({ ATRIP_TIMEOUT_MS: "300", VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000" });
    const sim = t.sandbox.atrip!.server;
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const offer = await quote(orderNo, {});
    sim.faults = { ...sim.faults, latencyMs: 700, operations: ["void.do"], webhookDropRate: 1 };
    expect(codeOf(await gql(t.url, SUBMIT, { orderNo, offer }, {}))).toBe("SUPPLIER_OUTCOME_UNKNOWN");
    sim.faults = { ...sim.faults, latencyMs: 0, operations: [] };
    const voidCode = await eventually(async () => t!.sandbox.atrip!.state.voidCodeOf(orderNo));
    const READ = `query R($code: String!) { voidOrder(supplier: ATRIP, voidCode: $code, refresh: true) { voidCode submittedAt history { source } } }`;
    const r = await gql<{ voidOrder: { voidCode: string; submittedAt: string | null; history: Array<{ source: string }> } | null }>(
      t.url,
      READ,
      { code: voidCode },
    );
    expect(r.data?.voidOrder).toMatchObject({ voidCode, history: [{ source: "QUERY" }] });
    expect(r.data?.voidOrder?.submittedAt).not.toBeNull();
    expect(await t.store.unsettled.get("demo", "ATRIP", "VOID", orderNo)).toBeNull();
    // The gateway's record answers a repeat now, with the voidCode, without asking the supplier.
    const again = await gql(t.url, SUBMIT, { orderNo, offer }, {});
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: "VOID_ALREADY_SUBMITTED", voidCode });
    expect(calls("void.do")).toBe(1);
  });

  it("a void ATRIP shows on an order number no client could send is not adopted with a tenant's own account: SUPPLIER_BAD_RESPONSE, nothing recorded", async () => {
    // acme's own account, where any order of it may be adopted: adopted, "O X" could not be
    // listed, and an order number of some KB could not be stored (black-box probe, thirty-third session).
    const own = JSON.stringify({ acme: { ATRIP: { clientId: "acme-own", clientSecret: "acme-own-secret" } } });
    t = await startTestGateway({ API_KEYS, TENANT_SUPPLIER_ACCOUNTS: own, ATRIP_TIMEOUT_MS: "300" });
    const sim = t.sandbox.atrip!.server;
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const offer = await quote(orderNo);
    sim.faults = { ...sim.faults, latencyMs: 700, operations: ["void.do"], webhookDropRate: 1 };
    expect(codeOf(await gql(t.url, SUBMIT, { orderNo, offer }, ACME))).toBe("SUPPLIER_OUTCOME_UNKNOWN");
    const voidCode = await eventually(async () => t!.sandbox.atrip!.stateOf("acme-own")!.voidCodeOf(orderNo));
    const READ = `query R($code: String!) { voidOrder(supplier: ATRIP, voidCode: $code, refresh: true) { voidCode orderNo } }`;
    for (const named of [`${orderNo} X`, "x".repeat(4000)]) {
      sim.faults = {
        ...sim.faults,
        latencyMs: 0,
        operations: ["queryVoidOrders.do"],
        rewrite: { from: `"orderNo":"${orderNo}"`, to: `"orderNo":"${named}"` },
      };
      const r = await gql<{ voidOrder: unknown }>(t.url, READ, { code: voidCode }, ACME);
      expect(r.data?.voidOrder ?? null).toBeNull();
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: "SUPPLIER_BAD_RESPONSE" });
    }
    expect(await t.store.tracked.get({ kind: "void", tenant: "acme", supplier: "ATRIP", ref: voidCode })).toBeNull();
    // As ATRIP writes it, the void is adopted.
    sim.faults = { ...sim.faults, operations: [], rewrite: undefined };
    const adopted = await gql<{ voidOrder: { voidCode: string; orderNo: string } | null }>(t.url, READ, { code: voidCode }, ACME);
    expect(adopted.data?.voidOrder).toEqual({ voidCode, orderNo });
  });

  it("a void submitted elsewhere (void.do refused as already submitted), adopted by voidOrder(refresh: true): submittedAt null, and the mark goes", async () => {
    t = await startTestGateway({ API_KEYS, VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000" });
    t.sandbox.atrip!.server.faults = { ...t.sandbox.atrip!.server.faults, webhookDropRate: 1 };
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const offer = await quote(orderNo);
    const port = t.gw.services.registry.voids("ATRIP", "acme");
    const theirs = await port.submit(orderNo, (await port.quote(orderNo)).voidOfferId!);
    expect(codeOf(await gql(t.url, SUBMIT, { orderNo, offer }, ACME))).toBe("VOID_ALREADY_SUBMITTED");
    const r = await gql<{ voidOrder: { submittedAt: string | null; history: Array<{ source: string }> } | null }>(
      t.url,
      `{ voidOrder(supplier: ATRIP, voidCode: "${theirs.voidCode}", refresh: true) { submittedAt history { source } } }`,
      {},
      ACME,
    );
    expect(r.data?.voidOrder).toEqual({ submittedAt: null, history: [{ source: "QUERY" }] });
    expect(await t.store.unsettled.get("acme", "ATRIP", "VOID", orderNo)).toBeNull();
  });

  it("void.do accepted with status 0 but an answer the gateway cannot read whole: the void is read by its voidCode and recorded", async () => {
    t = await startTestGateway({ VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000" });
    const orderNo = fresh("ATR-VOID-ODD-STATUS");
    const offer = await quote(orderNo, {});
    const r = await gql<{ submitVoid: { voidCode: string; status: string } }>(t.url, SUBMIT, { orderNo, offer }, {});
    expect(r.errors).toBeUndefined();
    expect(r.data!.submitVoid.status).toBe("SUPPLIER_PROCESSING");
    const asked = t.sandbox.atrip!.server.recent.filter(
      (x) => x.operation === "queryVoidOrders.do" && x.body.includes(r.data!.submitVoid.voidCode),
    );
    expect(asked.length).toBeGreaterThan(0);
    expect(calls("void.do")).toBe(1);
    // Its status came from that query, and the event says so; it was submitted here.
    const read = await gql<{ voidOrder: { submittedAt: string | null; history: Array<{ source: string }> } }>(
      t.url,
      `{ voidOrder(supplier: ATRIP, voidCode: "${r.data!.submitVoid.voidCode}") { submittedAt history { source } } }`,
    );
    expect(read.data!.voidOrder.history).toEqual([{ source: "QUERY" }]);
    expect(read.data!.voidOrder.submittedAt).not.toBeNull();
    // Recorded and settled: a repeat answers from the record and sends nothing.
    const again = await gql(t.url, SUBMIT, { orderNo, offer }, {});
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: "VOID_ALREADY_SUBMITTED", voidCode: r.data!.submitVoid.voidCode });
    expect(calls("void.do")).toBe(1);
    expect(await t.store.unsettled.get("demo", "ATRIP", "VOID", orderNo)).toBeNull();
  });

  it("a void accepted under a voidCode the gateway holds for another order: SUPPLIER_OUTCOME_UNKNOWN, the other order's record untouched, and the order marked so nothing is sent twice", async () => {
    t = await startTestGateway({ VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000" });
    const { first, taken } = await voidThenReissue({});
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const offer = await quote(orderNo, {});
    const r = await gql(t.url, SUBMIT, { orderNo, offer }, {});
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN", retryable: false, supplierCode: null });
    expect(r.errors?.[0]?.message).toContain("a voidCode the gateway holds for another order");
    expect(calls("void.do")).toBe(2);
    // Nothing of the other order's record is handed out as this order's, or changed.
    const other = await gql<{ voidOrder: { orderNo: string; history: unknown[] } }>(
      t.url,
      `{ voidOrder(supplier: ATRIP, voidCode: "${taken}") { orderNo history { status } } }`,
    );
    expect(other.data!.voidOrder).toMatchObject({ orderNo: first, history: [{ status: "SUPPLIER_PROCESSING" }] });
    // The order kept a lost reply's mark: the client's retry sends nothing, and ATRIP's webhook
    // for the void it really made adopts that void, under its own code.
    const again = await gql(t.url, SUBMIT, { orderNo, offer }, {});
    expect(codeOf(again)).toMatch(/^(VOID_ALREADY_SUBMITTED|SUPPLIER_OUTCOME_UNKNOWN|REQUEST_IN_PROGRESS)$/);
    const adopted = await eventually(async () => {
      const own = await gql<{ voidOrders: Array<{ voidCode: string; submittedAt: string | null }> }>(
        t!.url,
        `{ voidOrders(orderNo: "${orderNo}") { voidCode submittedAt } }`,
      );
      return own.data!.voidOrders.length ? own.data!.voidOrders : undefined;
    }, 20_000);
    expect(adopted).toHaveLength(1);
    expect(adopted[0].voidCode).not.toBe(taken);
    expect(adopted[0].submittedAt).not.toBeNull();
    expect(calls("void.do")).toBe(2);
  });

  it("a void accepted under a voidCode another tenant holds: SUPPLIER_OUTCOME_UNKNOWN (not a store failure, not a success), nothing of the other tenant shown, and no second void.do", async () => {
    t = await startTestGateway({ API_KEYS, VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000" });
    const { first, taken } = await voidThenReissue(ACME);
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const offer = await quote(orderNo, GLOBEX);
    const started = Date.now();
    const r = await gql(t.url, SUBMIT, { orderNo, offer }, GLOBEX);
    // Answered at once: not three store retries.
    expect(Date.now() - started).toBeLessThan(2000);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN", retryable: false, supplierCode: null });
    expect(r.errors?.[0]?.message).not.toContain(first);
    const seen = await gql<{ voidOrder: unknown }>(t.url, `{ voidOrder(supplier: ATRIP, voidCode: "${taken}") { orderNo } }`, {}, GLOBEX);
    expect(seen.data!.voidOrder).toBeNull();
    expect(await t.store.unsettled.get("globex", "ATRIP", "VOID", orderNo)).not.toBeNull();
    const again = await gql(t.url, SUBMIT, { orderNo, offer }, GLOBEX);
    expect(codeOf(again)).toMatch(/^(VOID_ALREADY_SUBMITTED|SUPPLIER_OUTCOME_UNKNOWN|REQUEST_IN_PROGRESS)$/);
    expect(calls("void.do")).toBe(2);
  });

  it("a rejected void is not submitted again (seed 002: never call void.do again after a successful submission)", async () => {
    t = await startTestGateway({ VOID_POLL_MIN_MS: "200", VOID_POLL_MAX_MS: "400" });
    const orderNo = fresh("ATR-VOID-REJECT");
    const offer = await quote(orderNo, {});
    const first = await gql<{ submitVoid: { voidCode: string } }>(t.url, SUBMIT, { orderNo, offer }, {});
    const voidCode = first.data!.submitVoid.voidCode;
    await eventually(async () => {
      const r = await gql<{ voidOrder: { status: string } }>(t!.url, `{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}") { status } }`);
      return r.data?.voidOrder.status === "REJECTED" ? true : undefined;
    }, 20_000);
    const again = await gql(t.url, SUBMIT, { orderNo, offer }, {});
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: "VOID_ALREADY_SUBMITTED", voidCode });
    expect(calls("void.do")).toBe(1);
  });

  it("a void.do that never arrived (connection reset): nothing is sent before ATRIP's 5 minutes to show a void, then it is reconciled as not done: quote again", async () => {
    // Simulated time at real speed: ATRIP's 5 minutes are 5 real minutes, moved on below by backdating the mark.
    t = await startTestGateway({ VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000", SANDBOX_TIME_SCALE: "1" });
    const sim = t.sandbox.atrip!.server;
    const orderNo = fresh("ATR-VOID-VCC");
    const offer = await quote(orderNo, {});
    sim.faults = { ...sim.faults, resetRate: 1, operations: ["void.do"] };
    expect(codeOf(await gql(t.url, SUBMIT, { orderNo, offer }, {}))).toBe("SUPPLIER_OUTCOME_UNKNOWN");
    sim.faults = { ...sim.faults, resetRate: 0, operations: [] };
    const early = (await gql(t.url, SUBMIT, { orderNo, offer }, {})).errors?.[0]?.extensions;
    expect(early).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN", retryable: true });
    expect(early?.retryAfterSeconds).toBeGreaterThan(280);
    expect(early?.retryAfterSeconds).toBeLessThanOrEqual(300);
    expect(calls("void.do")).toBe(1);
    await backdate(orderNo, 5 * 60_000);
    const checked = await gql(t.url, SUBMIT, { orderNo, offer }, {});
    expect(codeOf(checked)).toBe("VOID_OFFER_EXPIRED");
    expect(calls("void.do")).toBe(1);
    const ok = await gql<{ submitVoid: { status: string } }>(t.url, SUBMIT, { orderNo, offer: await quote(orderNo, {}) }, {});
    expect(ok.data?.submitVoid.status).toBe("SUPPLIER_PROCESSING");
    expect(calls("void.do")).toBe(2);
  });

  it("a void.do that went through but ATRIP does not show yet: the client following every hint never sends it twice", async () => {
    t = await startTestGateway({ VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000", SANDBOX_TIME_SCALE: "1" });
    // ATR-VOID-LATE: void.do records the void but answers 830; quotes show it only 4 (simulated)
    // minutes later. Its webhooks are lost here (with them, the gateway adopts the void at once).
    t.sandbox.atrip!.server.faults = { ...t.sandbox.atrip!.server.faults, webhookDropRate: 1 };
    const orderNo = fresh("ATR-VOID-LATE");
    expect(codeOf(await gql(t.url, SUBMIT, { orderNo, offer: await quote(orderNo, {}) }, {}))).toBe("SUPPLIER_OUTCOME_UNKNOWN");
    // Within ATRIP's 5 minutes a quote that shows no void proves nothing: nothing is sent, however often asked.
    for (let i = 0; i < 2; i++) {
      const r = await gql(t.url, SUBMIT, { orderNo, offer: await quote(orderNo, {}) }, {});
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN", retryable: true });
    }
    expect(calls("void.do")).toBe(1);
    // Five minutes on: ATRIP shows the void, and the gateway says so.
    t.sandbox.atrip!.clock.advance(5 * 60_000);
    await backdate(orderNo, 5 * 60_000);
    expect(codeOf(await gql(t.url, SUBMIT, { orderNo, offer: "any" }, {}))).toBe("VOID_ALREADY_SUBMITTED");
    expect(calls("void.do")).toBe(1);
  });

  it("a void.do answered as accepted, in an answer the gateway could not take whole: never sent again, even once a quote calls the order voidable", async () => {
    t = await startTestGateway({ VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000" });
    const sim = t.sandbox.atrip!.server;
    sim.faults = { ...sim.faults, webhookDropRate: 1 };
    // ATR-VOID-ODD-STATUS: status 0 and a voidCode, but voidStatus 9; ATRIP does not show the void yet.
    const orderNo = fresh("ATR-VOID-ODD-STATUS");
    const offer = await quote(orderNo, {});
    t.sandbox.atrip!.state.hideNextQueries = 1;
    const first = await gql(t.url, SUBMIT, { orderNo, offer }, {});
    expect(first.errors?.[0]?.extensions).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN", voidCode: expect.any(String) });
    const voidCode = first.errors![0].extensions!.voidCode as string;
    // Past ATRIP's 5 minutes, with a supplier whose quotes still call the order voidable (seeds
    // probe, thirty-third session: a stand-in answering as seed 002 allows). Seed 002: after a
    // successful submission, do not call void.do again.
    await backdate(orderNo, 6 * 60_000);
    sim.faults = {
      ...sim.faults,
      operations: ["voidQuotation.do"],
      rewrite: { from: '"status":816', to: `"status":0,"orderNo":"${orderNo}","isVoidable":true,"voidOfferId":"v_again"` },
    };
    const quotes = calls("voidQuotation.do");
    t.sandbox.atrip!.state.hideNextQueries = 1;
    const unseen = await gql(t.url, SUBMIT, { orderNo, offer: "v_again" }, {});
    expect(unseen.errors?.[0]?.extensions).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN", voidCode, retryable: false });
    // Once ATRIP shows it: already submitted, with its code. A client following the hints quotes again and submits.
    for (let i = 0; i < 2; i++) {
      expect((await gql(t.url, QUOTE, { orderNo }, {})).errors).toBeUndefined();
      const shown = await gql(t.url, SUBMIT, { orderNo, offer: "v_again" }, {});
      expect(shown.errors?.[0]?.extensions).toMatchObject({ code: "VOID_ALREADY_SUBMITTED", voidCode });
    }
    expect(calls("void.do")).toBe(1);
    expect(calls("voidQuotation.do") - quotes).toBe(2);
    // voidOrder(refresh: true) records it as the order's, and the mark goes.
    const READ = `query R($code: String!) { voidOrder(supplier: ATRIP, voidCode: $code, refresh: true) { voidCode orderNo } }`;
    expect((await gql<{ voidOrder: unknown }>(t.url, READ, { code: voidCode })).data?.voidOrder).toEqual({ voidCode, orderNo });
    expect(await t.store.unsettled.get("demo", "ATRIP", "VOID", orderNo)).toBeNull();
  });

  it("stopTicket.do timing out: tracked anyway, never sent again, resolved by the supplier's answer", async () => {
    t = await startTestGateway({ ATRIP_TIMEOUT_MS: "300", SANDBOX_TIME_SCALE: "240" });
    const sim = t.sandbox.atrip!.server;
    const orderNo = fresh("ATR-STOP-OK");
    sim.faults = { ...sim.faults, latencyMs: 700, operations: ["stopTicket.do"] };
    const STOP = `mutation { stopTicketIssuance(input: { supplier: ATRIP, orderNo: "${orderNo}" }) { state } }`;
    expect(codeOf(await gql(t.url, STOP, {}, {}))).toBe("SUPPLIER_OUTCOME_UNKNOWN");
    sim.faults = { ...sim.faults, latencyMs: 0, operations: [] };
    const again = await gql<{ stopTicketIssuance: { state: string } }>(t.url, STOP, {}, {});
    expect(again.data?.stopTicketIssuance.state).toBe("PENDING");
    expect(sim.stats.byOperation["stopTicket.do"]).toBe(1);
    const pending = await gql<{ ticketIssuanceStop: { message: string } }>(
      t.url,
      `{ ticketIssuanceStop(supplier: ATRIP, orderNo: "${orderNo}") { message } }`,
    );
    // The reply was lost: the supplier said nothing, and the field is the supplier's (never the gateway's words).
    expect(pending.data?.ticketIssuanceStop.message).toBeNull();
    const done = await eventually(async () => {
      const r = await gql<{ ticketIssuanceStop: { state: string; message: string | null } }>(
        t!.url,
        `{ ticketIssuanceStop(supplier: ATRIP, orderNo: "${orderNo}") { state message } }`,
      );
      return r.data?.ticketIssuanceStop.state !== "PENDING" ? r.data?.ticketIssuanceStop : undefined;
    });
    // The outcome is known now, and the supplier still said nothing of it.
    expect(done).toEqual({ state: "STOPPED", message: null });
  });

  it("a stop claimed by a request still in flight (another instance) is not sent; a claim its sender left behind is tracked, never resent", async () => {
    t = await startTestGateway();
    const orderNo = fresh("ATR-STOP-OK");
    const STOP = `mutation { stopTicketIssuance(input: { supplier: ATRIP, orderNo: "${orderNo}" }) { state message } }`;
    // Another instance is sending stopTicket.do for this order right now.
    const sentAt = Date.now();
    expect(await t.store.unsettled.claim("demo", "ATRIP", "STOP", orderNo, 60_000)).toHaveProperty("claimId");
    const busy = await gql(t.url, STOP, {}, {});
    expect(busy.errors?.[0]?.extensions).toMatchObject({ code: "REQUEST_IN_PROGRESS", retryable: true, supplier: "ATRIP" });
    expect(Number(busy.errors?.[0]?.extensions?.retryAfterSeconds)).toBeGreaterThan(50);
    expect(calls("stopTicket.do")).toBe(0);
    // That instance died without recording anything: its stopTicket.do may have reached ATRIP.
    // Once the claim expires, the stop is tracked as one whose outcome is unknown, not sent again.
    await new Promise((r) => setTimeout(r, 1_500));
    await t.store.db.query("UPDATE unsettled_submissions SET in_flight_until = now() - interval '1 second' WHERE order_no = $1", [orderNo]);
    const after = await gql<{ stopTicketIssuance: { state: string; message: string } }>(t.url, STOP, {}, {});
    expect(after.data?.stopTicketIssuance).toMatchObject({ state: "PENDING", message: null });
    // Requested when that instance sent it, not when this one took the order over; its outcome is checked the delay after that.
    const times = await gql<{ ticketIssuanceStop: { requestedAt: string; checkAfter: string } }>(
      t.url,
      `{ ticketIssuanceStop(supplier: ATRIP, orderNo: "${orderNo}") { requestedAt checkAfter } }`,
    );
    const requestedAt = new Date(times.data!.ticketIssuanceStop.requestedAt).getTime();
    expect(Math.abs(requestedAt - sentAt)).toBeLessThan(500);
    // ATRIP's 8 minutes at the tests' time scale (60×): 8 s.
    expect(Math.abs(new Date(times.data!.ticketIssuanceStop.checkAfter).getTime() - requestedAt - 8_000)).toBeLessThan(500);
    expect(calls("stopTicket.do")).toBe(0);
    expect(await t.store.unsettled.get("demo", "ATRIP", "STOP", orderNo)).toBeNull();
    // A fresh order's stop leaves no claim behind.
    const other = fresh("ATR-STOP-OK");
    const sent = await gql(t.url, `mutation { stopTicketIssuance(input: { supplier: ATRIP, orderNo: "${other}" }) { state } }`, {}, {});
    expect(sent.errors).toBeUndefined();
    expect(calls("stopTicket.do")).toBe(1);
    expect(await t.store.unsettled.get("demo", "ATRIP", "STOP", other)).toBeNull();
    // A mark left beside a recorded stop (its settle failed) goes with the order's next request.
    await t.store.unsettled.claim("demo", "ATRIP", "STOP", other, 1);
    await new Promise((r) => setTimeout(r, 20));
    const repeat = await gql(t.url, `mutation { stopTicketIssuance(input: { supplier: ATRIP, orderNo: "${other}" }) { state } }`, {}, {});
    expect(repeat.errors).toBeUndefined();
    expect(await t.store.unsettled.get("demo", "ATRIP", "STOP", other)).toBeNull();
    expect(calls("stopTicket.do")).toBe(1);
  });

  it("a stop its gateway may have sent but never recorded is tracked by housekeeping, though the client never asks again", async () => {
    t = await startTestGateway();
    const orderNo = fresh("ATR-STOP-OK");
    // A gateway that stopped mid-call left only the order's claim, now expired.
    await t.store.unsettled.claim("demo", "ATRIP", "STOP", orderNo, 1);
    await new Promise((r) => setTimeout(r, 20));
    t.gw.services.tracking.pollers.housekeeping.kick();
    const stop = await eventually(async () => {
      const r = await gql<{ ticketIssuanceStop: { state: string; message: string } | null }>(
        t!.url,
        `{ ticketIssuanceStop(supplier: ATRIP, orderNo: "${orderNo}") { state message } }`,
      );
      return r.data?.ticketIssuanceStop ?? undefined;
    });
    expect(stop).toMatchObject({ state: "PENDING", message: null });
    expect(calls("stopTicket.do")).toBe(0);
    expect(await t.store.unsettled.get("demo", "ATRIP", "STOP", orderNo)).toBeNull();
  });

  it("a cancel whose reply was lost: the repeat is read in that light", async () => {
    t = await startTestGateway({ ALITRIP_TIMEOUT_MS: "300" });
    const sim = t.sandbox.alitrip!.server;
    // Lost after the supplier cancelled: the repeat is refused, and says why that may be.
    const done = fresh("ALI-CANCEL-OK");
    sim.faults = { ...sim.faults, latencyMs: 700 };
    const lost = await gql(t.url, CANCEL, { orderNo: done }, {});
    expect(codeOf(lost)).toBe("SUPPLIER_OUTCOME_UNKNOWN");
    // There is no cancel record to query: the hint says what can be done instead.
    expect(String(lost.errors?.[0]?.extensions?.hint)).toMatch(/send cancelOrder again/);
    sim.faults = { ...sim.faults, latencyMs: 0 };
    await new Promise((r) => setTimeout(r, 600));
    const repeat = await gql(t.url, CANCEL, { orderNo: done }, {});
    expect(repeat.errors?.[0]?.extensions).toMatchObject({ code: "CANCEL_REJECTED", earlierOutcomeUnknown: true });
    expect(String(repeat.errors?.[0]?.extensions?.hint)).toMatch(/earlier cancel/);
    // Lost before it arrived: the repeat cancels.
    const notDone = fresh("ALI-CANCEL-OK");
    sim.faults = { ...sim.faults, resetRate: 1 };
    expect(codeOf(await gql(t.url, CANCEL, { orderNo: notDone }, {}))).toBe("SUPPLIER_OUTCOME_UNKNOWN");
    sim.faults = { ...sim.faults, resetRate: 0 };
    expect((await gql<{ cancelOrder: { orderNo: string } }>(t.url, CANCEL, { orderNo: notDone }, {})).data?.cancelOrder.orderNo).toBe(
      notDone,
    );
  });

  it("a cancel claimed by a request still in flight (another instance) is not sent; a claim its sender left behind is read as a lost reply", async () => {
    t = await startTestGateway();
    const sim = t.sandbox.alitrip!.server;
    const orderNo = fresh("ALI-CANCEL-OK");
    // Another instance is sending a cancel of this order right now.
    expect(await t.store.unsettled.claim("demo", "ALITRIP", "CANCEL", orderNo, 60_000)).toHaveProperty("claimId");
    const busy = await gql(t.url, CANCEL, { orderNo }, {});
    expect(busy.errors?.[0]?.extensions).toMatchObject({ code: "REQUEST_IN_PROGRESS", retryable: true, supplier: "ALITRIP" });
    expect(Number(busy.errors?.[0]?.extensions?.retryAfterSeconds)).toBeGreaterThan(50);
    // The gateway keeps no record of an answered cancel, so its hint promises none.
    expect(busy.errors?.[0]?.extensions?.hint).toMatch(/sent to the supplier/);
    expect(sim.stats.total).toBe(0);
    // That instance died before its cancel reached the supplier: once its claim expires, a cancel is sent.
    await t.store.db.query("UPDATE unsettled_submissions SET in_flight_until = now() - interval '1 second' WHERE order_no = $1", [orderNo]);
    expect((await gql(t.url, CANCEL, { orderNo }, {})).errors).toBeUndefined();
    expect(await t.store.unsettled.get("demo", "ALITRIP", "CANCEL", orderNo)).toBeNull();
    // One that died after the supplier cancelled: the repeat's refusal says the earlier cancel may be why.
    await t.store.unsettled.claim("demo", "ALITRIP", "CANCEL", orderNo, 1);
    const left = await t.store.unsettled.get("demo", "ALITRIP", "CANCEL", orderNo);
    await new Promise((r) => setTimeout(r, 20));
    const repeat = await gql(t.url, CANCEL, { orderNo }, {});
    expect(repeat.errors?.[0]?.extensions).toMatchObject({ code: "CANCEL_REJECTED", earlierOutcomeUnknown: true });
    // Dated when that cancel was sent, not when its sender's claim ran out (race probe).
    expect(repeat.errors?.[0]?.extensions?.hint).toContain(`(sent at ${left!.sentAt!.toISOString()})`);
    expect(sim.stats.total).toBe(2);
  });
});
