/**
 * A stop request that may never have reached ATRIP (its reply lost; the gateway killed between
 * claiming the order and sending) is tracked PENDING with its outcome unknown. Once the order's
 * state, checked after the supplier's delay, shows no stop (orderStatus 0 or 1, where a stop
 * ATRIP took shows -3 or 2 by then: seed 000), the next request sends it again; before, such a
 * stop stayed PENDING for ever and asking again sent nothing (crash probe, thirty-second
 * session). The simulator resets the connection before it reads the request, so it never acts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_FAULTS } from "../../src/sandbox/http-kit.js";
import { eventually, fresh } from "../helpers/atrip.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql } from "../helpers/graphql.js";

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ SUPPLIER_TIMEOUT_MS: "1500", SANDBOX_TIME_SCALE: "600" });
});
afterAll(async () => t?.close());

const STOP = `mutation S($orderNo: String!) { stopTicketIssuance(input: { supplier: ATRIP, orderNo: $orderNo }) { state checkAfter } }`;
const STATE = `query Q($orderNo: String!) { ticketIssuanceStop(supplier: ATRIP, orderNo: $orderNo) { state supplierOrderStatus checkAfter history { state } } }`;
type Stop = { state: string; supplierOrderStatus: string | null; checkAfter: string; history: Array<{ state: string }> };

const sends = () => t.sandbox.atrip!.server.stats.byOperation["stopTicket.do"] ?? 0;
const stopOf = async (orderNo: string) =>
  (await gql<{ ticketIssuanceStop: Stop | null }>(t.url, STATE, { orderNo })).data?.ticketIssuanceStop;

describe("a stop request that may never have reached the supplier", () => {
  it("is sent again once the order's state shows no stop, then followed to its outcome; never before that evidence", async () => {
    const orderNo = fresh("ATR-STOP-OK");
    const atrip = t.sandbox.atrip!.server;
    atrip.faults = { ...NO_FAULTS, resetRate: 1, operations: ["stopTicket.do"] };
    const first = await gql(t.url, STOP, { orderNo });
    expect(first.errors?.[0]?.extensions).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN" });
    atrip.faults = { ...NO_FAULTS };
    const before = sends();
    // Before the supplier's delay nothing says whether it arrived: the record, nothing sent.
    const early = await gql<{ stopTicketIssuance: { state: string } }>(t.url, STOP, { orderNo });
    expect(early.data?.stopTicketIssuance.state).toBe("PENDING");
    expect(sends()).toBe(before);
    // Checked after the delay: ticketing in process (1), no stop.
    const checked = await eventually(
      async () => ((await stopOf(orderNo))?.supplierOrderStatus === "1" ? stopOf(orderNo) : undefined),
      15_000,
      100,
    );
    expect(checked?.state).toBe("PENDING");
    // Asked again: sent once more, and checked anew the delay after this send.
    const again = await gql<{ stopTicketIssuance: { state: string; checkAfter: string } }>(t.url, STOP, { orderNo });
    expect(again.errors).toBeUndefined();
    expect(again.data?.stopTicketIssuance.state).toBe("PENDING");
    expect(sends()).toBe(before + 1);
    expect(Date.parse(again.data!.stopTicketIssuance.checkAfter)).toBeGreaterThan(Date.parse(checked!.checkAfter));
    // Asked once more before the new delay: nothing sent.
    await gql(t.url, STOP, { orderNo });
    expect(sends()).toBe(before + 1);
    const done = await eventually(async () => ((await stopOf(orderNo))?.state === "STOPPED" ? stopOf(orderNo) : undefined), 15_000, 100);
    expect(done?.history.map((h) => h.state)).toEqual(["PENDING", "STOPPED"]);
    await gql(t.url, STOP, { orderNo });
    expect(sends()).toBe(before + 1);
  });

  it("a stop whose reply was lost after ATRIP took it is not sent again: its order shows the stop", async () => {
    const orderNo = fresh("ATR-STOP-OK");
    const atrip = t.sandbox.atrip!.server;
    atrip.faults = { ...NO_FAULTS, replyDelayMs: 2500, operations: ["stopTicket.do"] };
    const first = await gql(t.url, STOP, { orderNo });
    expect(first.errors?.[0]?.extensions).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN" });
    atrip.faults = { ...NO_FAULTS };
    const before = sends();
    const done = await eventually(async () => ((await stopOf(orderNo))?.state === "STOPPED" ? stopOf(orderNo) : undefined), 15_000, 100);
    expect(done?.supplierOrderStatus).toBe("-3");
    await gql(t.url, STOP, { orderNo });
    expect(sends()).toBe(before);
  });
});
