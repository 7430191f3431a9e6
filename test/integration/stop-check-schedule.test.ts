/**
 * A stop request's own schedule (issue 21, item 5): with a real supplier (no sandbox clock),
 * STOP_CHECK_DELAY_MS=1000 and the void poll settings at their defaults (60 s), the first
 * queryOrderDetails.do is sent at checkAfter — one second after the request — not a void poll
 * interval later; the checks after it follow STOP_POLL_MIN_MS, not VOID_POLL_MIN_MS.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AtripSimulator } from "../../src/sandbox/atrip/server.js";
import { CREDS, eventually, fresh } from "../helpers/atrip.js";
import { API_KEYS, bearer, KEYS } from "../helpers/auth.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql } from "../helpers/graphql.js";
import { simRequests } from "../helpers/process.js";

let sim: AtripSimulator;
let t: TestGateway;
beforeAll(async () => {
  // Real time: the stop's outcome is known only 8 minutes after the request, so it stays PENDING here.
  sim = await AtripSimulator.start({ ...CREDS, timeScale: 1 });
  t = await startTestGateway({
    API_KEYS,
    ATRIP_BASE_URL: sim.url,
    ATRIP_CLIENT_ID: CREDS.clientId,
    ATRIP_CLIENT_SECRET: CREDS.clientSecret,
    STOP_CHECK_DELAY_MS: "1000",
    STOP_POLL_MIN_MS: "700",
  });
});
afterAll(async () => {
  await t?.close();
  await sim?.close();
});

describe("a stop request's checks", () => {
  it("the first is at checkAfter, the next STOP_POLL_MIN_MS later, whatever VOID_POLL_MIN_MS says", async () => {
    const orderNo = fresh("ATR-STOP-OK");
    const requestedAt = Date.now();
    const r = await gql<{ stopTicketIssuance: { state: string; checkAfter: string } }>(
      t.url,
      `mutation { stopTicketIssuance(input: { supplier: ATRIP, orderNo: "${orderNo}" }) { state checkAfter } }`,
      {},
      bearer(KEYS.acmeWrite),
    );
    expect(r.errors).toBeUndefined();
    const checkAfter = new Date(r.data!.stopTicketIssuance.checkAfter).getTime();
    expect(checkAfter - requestedAt).toBeGreaterThanOrEqual(900);
    expect(checkAfter - requestedAt).toBeLessThan(2_000);

    const checks = await eventually(async () => {
      const asked = (await simRequests(sim.url)).filter((q) => q.operation === "queryOrderDetails.do" && q.body.includes(orderNo));
      return asked.length >= 2 ? asked.map((q) => q.at).sort((a, b) => a - b) : null;
    }, 8_000);
    // Not before checkAfter, and within the scheduler's tick of it (the void default would be 60 s).
    expect(checks[0]).toBeGreaterThanOrEqual(checkAfter - 50);
    expect(checks[0] - checkAfter).toBeLessThan(1_500);
    // The next check: STOP_POLL_MIN_MS (700 ms, up to 10 % jitter shorter), plus a tick.
    expect(checks[1] - checks[0]).toBeGreaterThanOrEqual(600);
    expect(checks[1] - checks[0]).toBeLessThan(2_000);
  });
});
