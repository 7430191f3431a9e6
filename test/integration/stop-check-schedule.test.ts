/**
 * A stop request's own schedule (issue 21, item 5): with the simulator's clock at real speed
 * (SANDBOX_TIME_SCALE=1), STOP_CHECK_DELAY_MS=1000 and the void poll settings at their defaults
 * (60 s), the first queryOrderDetails.do is sent at checkAfter — one second after the request —
 * not a void poll interval later; the checks after it follow STOP_POLL_MIN_MS, not
 * VOID_POLL_MIN_MS. Against a real supplier (a simulator the gateway does not run, so it
 * cannot know it is one) STOP_CHECK_DELAY_MS cannot shorten ATRIP's documented 8 minutes:
 * before them the order's state does not tell the stop's outcome (seed 000).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AtripSimulator } from "../../src/sandbox/atrip/server.js";
import { CREDS, eventually, fresh } from "../helpers/atrip.js";
import { API_KEYS, bearer, KEYS } from "../helpers/auth.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql } from "../helpers/graphql.js";
import { simRequests } from "../helpers/process.js";

const SHORT = { API_KEYS, STOP_CHECK_DELAY_MS: "1000", STOP_POLL_MIN_MS: "700" };
let sim: AtripSimulator;
let t: TestGateway;
let real: TestGateway;
beforeAll(async () => {
  // Real time: the stop's outcome is known only 8 minutes after the request, so it stays PENDING here.
  t = await startTestGateway({ ...SHORT, SANDBOX_TIME_SCALE: "1" });
  sim = await AtripSimulator.start({ ...CREDS, timeScale: 1 });
  real = await startTestGateway({
    ...SHORT,
    ATRIP_BASE_URL: sim.url,
    ATRIP_CLIENT_ID: CREDS.clientId,
    ATRIP_CLIENT_SECRET: CREDS.clientSecret,
  });
});
afterAll(async () => {
  await t?.close();
  await real?.close();
  await sim?.close();
});

async function requestStop(gw: TestGateway, orderNo: string): Promise<{ requestedAt: number; checkAfter: number }> {
  const requestedAt = Date.now();
  const r = await gql<{ stopTicketIssuance: { state: string; checkAfter: string } }>(
    gw.url,
    `mutation { stopTicketIssuance(input: { supplier: ATRIP, orderNo: "${orderNo}" }) { state checkAfter } }`,
    {},
    bearer(KEYS.acmeWrite),
  );
  expect(r.errors).toBeUndefined();
  return { requestedAt, checkAfter: new Date(r.data!.stopTicketIssuance.checkAfter).getTime() };
}

describe("a stop request's checks", () => {
  it("the first is at checkAfter, the next STOP_POLL_MIN_MS later, whatever VOID_POLL_MIN_MS says", async () => {
    const orderNo = fresh("ATR-STOP-OK");
    const { requestedAt, checkAfter } = await requestStop(t, orderNo);
    expect(checkAfter - requestedAt).toBeGreaterThanOrEqual(900);
    expect(checkAfter - requestedAt).toBeLessThan(2_000);

    const checks = await eventually(async () => {
      const asked = (await simRequests(t.sandbox.atrip!.url)).filter(
        (q) => q.operation === "queryOrderDetails.do" && q.body.includes(orderNo),
      );
      return asked.length >= 2 ? asked.map((q) => q.at).sort((a, b) => a - b) : null;
    }, 8_000);
    // Not before checkAfter, and within the scheduler's tick of it (the void default would be 60 s).
    expect(checks[0]).toBeGreaterThanOrEqual(checkAfter - 50);
    expect(checks[0] - checkAfter).toBeLessThan(1_500);
    // The next check: STOP_POLL_MIN_MS (700 ms, up to 10 % jitter shorter), plus a tick.
    expect(checks[1] - checks[0]).toBeGreaterThanOrEqual(600);
    expect(checks[1] - checks[0]).toBeLessThan(2_000);
  });

  it("checks that keep failing leave the stop PENDING, and its tracking says why and since when", async () => {
    // ATR-DETAILS-701: stopTicket.do accepts; queryOrderDetails.do always answers 701.
    const orderNo = fresh("ATR-DETAILS-701");
    await requestStop(t, orderNo);
    const READ = `{ ticketIssuanceStop(supplier: ATRIP, orderNo: "${orderNo}") {
      state tracking { lastCheckedAt nextCheckAt failure { code supplierCode message since } } } }`;
    type Read = {
      ticketIssuanceStop: {
        state: string;
        tracking: {
          lastCheckedAt: string | null;
          nextCheckAt: string | null;
          failure: { code: string; supplierCode: string | null; message: string; since: string } | null;
        };
      };
    };
    const read = async () => (await gql<Read>(t.url, READ, {}, bearer(KEYS.acmeRead))).data!.ticketIssuanceStop;
    const before = await read();
    expect(before.tracking).toMatchObject({ lastCheckedAt: null, failure: null });
    expect(before.tracking.nextCheckAt).not.toBeNull();
    const failed = await eventually(async () => {
      const s = await read();
      return s.tracking.failure ? s : null;
    }, 8_000);
    expect(failed.state).toBe("PENDING");
    expect(failed.tracking.failure).toMatchObject({ code: "SUPPLIER_REJECTED_REQUEST", supplierCode: "701" });
    expect(failed.tracking.failure!.message).toContain("701");
    expect(new Date(failed.tracking.nextCheckAt!).getTime()).toBeGreaterThan(new Date(failed.tracking.lastCheckedAt!).getTime());
    // The next failed check: a later lastCheckedAt, the same since.
    const again = await eventually(async () => {
      const s = await read();
      return s.tracking.lastCheckedAt !== failed.tracking.lastCheckedAt ? s : null;
    }, 8_000);
    expect(again.tracking.failure?.since).toBe(failed.tracking.failure!.since);
    expect(again.state).toBe("PENDING");
  });

  it("against a real supplier, STOP_CHECK_DELAY_MS does not bring the first check before its documented delay", async () => {
    const orderNo = fresh("ATR-STOP-OK");
    const { requestedAt, checkAfter } = await requestStop(real, orderNo);
    expect(checkAfter - requestedAt).toBeGreaterThanOrEqual(8 * 60_000 - 1_000);
    expect(checkAfter - requestedAt).toBeLessThan(8 * 60_000 + 5_000);
    // Nothing asks the order's state meanwhile.
    await new Promise((r) => setTimeout(r, 2_500));
    const asked = (await simRequests(sim.url)).filter((q) => q.operation === "queryOrderDetails.do" && q.body.includes(orderNo));
    expect(asked).toEqual([]);
  });
});
