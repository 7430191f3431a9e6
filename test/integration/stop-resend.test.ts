/**
 * A stop request the supplier may never have taken (its reply lost; the gateway killed between
 * claiming the order and sending) is tracked PENDING with its outcome unknown. Once an answered
 * check, twice the supplier's delay after the request, shows the order still at 0 or 1 (where a
 * stop ATRIP took shows -3 or 2 by then: seed 000), the next request sends it again; before,
 * such a stop stayed PENDING for ever and asking again sent nothing (crash probe, thirty-second
 * session). The simulator resets the connection before it reads the request, so it never acts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_FAULTS } from "../../src/sandbox/http-kit.js";
import { eventually, fresh } from "../helpers/atrip.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql } from "../helpers/graphql.js";

let t: TestGateway;
beforeAll(async () => {
  // ATRIP's 8 minutes are 800 ms here; the checks after the first come every 200 ms or so.
  t = await startTestGateway({ SUPPLIER_TIMEOUT_MS: "1500", SANDBOX_TIME_SCALE: "600", STOP_POLL_MIN_MS: "100", STOP_POLL_MAX_MS: "200" });
});
afterAll(async () => t?.close());

const DELAY_MS = 800;
const STOP = `mutation S($orderNo: String!) { stopTicketIssuance(input: { supplier: ATRIP, orderNo: $orderNo }) { state checkAfter } }`;
const STATE = `query Q($orderNo: String!) {
  ticketIssuanceStop(supplier: ATRIP, orderNo: $orderNo) { state supplierOrderStatus checkAfter tracking { lastCheckedAt } history { state } }
}`;
interface Stop {
  state: string;
  supplierOrderStatus: string | null;
  checkAfter: string;
  tracking: { lastCheckedAt: string | null };
  history: Array<{ state: string }>;
}

const sends = () => t.sandbox.atrip!.server.stats.byOperation["stopTicket.do"] ?? 0;
const stopOf = async (orderNo: string) =>
  (await gql<{ ticketIssuanceStop: Stop | null }>(t.url, STATE, { orderNo })).data?.ticketIssuanceStop ?? undefined;
/** The stop once `ok` holds of it (polled). */
const stopWhen = (orderNo: string, ok: (s: Stop) => boolean) =>
  eventually(
    async () => {
      const s = await stopOf(orderNo);
      return s && ok(s) ? s : undefined;
    },
    15_000,
    20,
  );
const checkedLate = (s: Stop) =>
  s.tracking.lastCheckedAt !== null && Date.parse(s.tracking.lastCheckedAt) >= Date.parse(s.checkAfter) + DELAY_MS;

/**
 * Requests a stop of a fresh demo order under `fault` on stopTicket.do (the connection reset
 * before ATRIP reads it: never taken; or the reply late after ATRIP took it), then clears the
 * faults. Returns the order and the request's answer.
 */
async function lostStop(fault: { resetRate: number } | { replyDelayMs: number }) {
  const orderNo = fresh("ATR-STOP-OK");
  const atrip = t.sandbox.atrip!.server;
  atrip.faults = { ...NO_FAULTS, ...fault, operations: ["stopTicket.do"] };
  try {
    return { orderNo, atrip, lost: await gql(t.url, STOP, { orderNo }) };
  } finally {
    atrip.faults = { ...NO_FAULTS };
  }
}

describe("a stop request the supplier may never have taken", () => {
  it("is sent again once an answered check, twice the delay after it, shows no stop; then followed to its outcome", async () => {
    const { orderNo, lost } = await lostStop({ resetRate: 1 });
    expect(lost.errors?.[0]?.extensions).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN" });
    const before = sends();
    // Before the supplier's delay nothing says whether it arrived: the record, nothing sent.
    const early = await gql<{ stopTicketIssuance: { state: string } }>(t.url, STOP, { orderNo });
    expect(early.data?.stopTicketIssuance.state).toBe("PENDING");
    expect(sends()).toBe(before);
    // The first check, at the delay, finds 1 (ticketing in process): not yet evidence, ATRIP may still be stopping.
    const first = await stopWhen(orderNo, (s) => s.supplierOrderStatus === "1");
    if (!checkedLate(first)) {
      await gql(t.url, STOP, { orderNo });
      expect(sends()).toBe(before);
    }
    // Still 1 twice the delay after the request: the stop was not taken. Asked again, it is sent once more.
    const checked = await stopWhen(orderNo, (s) => s.supplierOrderStatus === "1" && checkedLate(s));
    const again = await gql<{ stopTicketIssuance: { state: string; checkAfter: string } }>(t.url, STOP, { orderNo });
    expect(again.errors).toBeUndefined();
    expect(again.data?.stopTicketIssuance.state).toBe("PENDING");
    expect(sends()).toBe(before + 1);
    // Checked anew the delay after this send; asked once more before then, nothing is sent.
    expect(Date.parse(again.data!.stopTicketIssuance.checkAfter)).toBeGreaterThan(Date.parse(checked.checkAfter));
    await gql(t.url, STOP, { orderNo });
    expect(sends()).toBe(before + 1);
    const done = await stopWhen(orderNo, (s) => s.state === "STOPPED");
    expect(done.history.map((h) => h.state)).toEqual(["PENDING", "STOPPED"]);
    await gql(t.url, STOP, { orderNo });
    expect(sends()).toBe(before + 1);
  });

  it("a resend its gateway was killed in the middle of counts as sent: housekeeping moves its check, and nothing is sent", async () => {
    const { orderNo } = await lostStop({ resetRate: 1 });
    const checked = await stopWhen(orderNo, (s) => s.supplierOrderStatus === "1" && checkedLate(s));
    // A resend's claim, left by a gateway killed mid-call (in flight for 0 ms: nobody holds it).
    const [{ tenant }] = await t.store.db.query<{ tenant: string }>("SELECT tenant FROM tracked WHERE kind = 'stop' AND ref = $1", [
      orderNo,
    ]);
    expect(await t.store.unsettled.claim(tenant, "ATRIP", "STOP", orderNo, 0)).toHaveProperty("claimId");
    const before = sends();
    await t.gw.services.tracking.stopRequests.resumeLeft();
    const moved = (await stopOf(orderNo))!;
    expect(moved.supplierOrderStatus).toBeNull();
    expect(Date.parse(moved.checkAfter)).toBeGreaterThan(Date.parse(checked.checkAfter));
    expect(await t.store.unsettled.get(tenant, "ATRIP", "STOP", orderNo)).toBeNull();
    await gql(t.url, STOP, { orderNo });
    expect(sends()).toBe(before);
  });

  it("a resend's left mark counts as sent even while the stop's checks fail: the request moves its check, clears nothing unaccounted, sends nothing", async () => {
    const { orderNo, atrip } = await lostStop({ resetRate: 1 });
    await stopWhen(orderNo, (s) => s.supplierOrderStatus === "1" && checkedLate(s));
    // Its checks now fail (HTTP 500), and a resend's claim is left (its gateway killed mid-call).
    atrip.faults = { ...NO_FAULTS, http500Rate: 1, operations: ["queryOrderDetails.do"] };
    const failing = await eventually(async () => {
      const r = await gql<{ ticketIssuanceStop: { tracking: { failure: { code: string } | null } } }>(
        t.url,
        `query Q($o: String!) { ticketIssuanceStop(supplier: ATRIP, orderNo: $o) { tracking { failure { code } } } }`,
        { o: orderNo },
      );
      return r.data?.ticketIssuanceStop.tracking.failure ?? undefined;
    });
    expect(failing.code).toBe("SUPPLIER_UNAVAILABLE");
    const [{ tenant }] = await t.store.db.query<{ tenant: string }>("SELECT tenant FROM tracked WHERE kind = 'stop' AND ref = $1", [
      orderNo,
    ]);
    const leftAt = Date.now();
    expect(await t.store.unsettled.claim(tenant, "ATRIP", "STOP", orderNo, 0)).toHaveProperty("claimId");
    const before = sends();
    const answer = await gql<{ stopTicketIssuance: { state: string; checkAfter: string } }>(t.url, STOP, { orderNo });
    atrip.faults = { ...NO_FAULTS };
    expect(sends()).toBe(before);
    expect(answer.data?.stopTicketIssuance.state).toBe("PENDING");
    // Checked anew the delay after the left send, not cleared as if it had not been.
    expect(Date.parse(answer.data!.stopTicketIssuance.checkAfter)).toBeGreaterThanOrEqual(leftAt + DELAY_MS - 1000);
    expect(await t.store.unsettled.get(tenant, "ATRIP", "STOP", orderNo)).toBeNull();
    expect((await stopOf(orderNo))?.supplierOrderStatus).toBeNull();
  });

  it("a stop whose reply was lost after ATRIP took it is not sent again: its order shows the stop", async () => {
    const { orderNo, lost } = await lostStop({ replyDelayMs: 2500 });
    expect(lost.errors?.[0]?.extensions).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN" });
    const before = sends();
    const done = await stopWhen(orderNo, (s) => s.state === "STOPPED");
    expect(done.supplierOrderStatus).toBe("-3");
    await gql(t.url, STOP, { orderNo });
    expect(sends()).toBe(before);
  });
});
