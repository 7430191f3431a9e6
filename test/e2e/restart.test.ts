/**
 * Restart: stop the gateway mid-tracking and start it again on the same DATA_DIR. Records,
 * events and schedules survive; tracking resumes; nothing is recorded or published twice.
 * The ATRIP simulator runs in the test process so it outlives the gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AtripSimulator } from "../../src/sandbox/atrip/server.js";
import { NO_FAULTS } from "../../src/sandbox/http-kit.js";
import { API_KEYS, bearer, KEYS } from "../helpers/auth.js";
import { CREDS, eventually, fresh } from "../helpers/atrip.js";
import { wsClient } from "../helpers/clients.js";
import { gql, QUOTE, quoteAndSubmit, SUBMIT, VOID_EVENTS, type EventOut } from "../helpers/graphql.js";
import { startGatewayProcess, type GatewayProcess } from "../helpers/process.js";
import { freshDataDir } from "../helpers/store.js";
import { collect } from "../helpers/subscribe.js";

const AUTH = bearer(KEYS.acmeWrite);
let sim: AtripSimulator;
let gw: GatewayProcess | undefined;
beforeAll(async () => {
  // The supplier's clock stands still: the void moves one step (60 simulated seconds) only when
  // the test advances it, so a slow restart cannot let it pass a status unseen.
  sim = await AtripSimulator.start({ ...CREDS, timeScale: 0.001, timing: { voidStepMs: 60_000 } });
});
afterAll(async () => {
  await gw?.stop();
  await sim.close();
});

/** The gateway's settings against the test's simulator, on one DATA_DIR. */
function gatewayEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATA_DIR: freshDataDir(),
    ATRIP_BASE_URL: sim.url,
    ATRIP_CLIENT_ID: CREDS.clientId,
    ATRIP_CLIENT_SECRET: CREDS.clientSecret,
    API_KEYS,
    ...extra,
  };
}

/** How many `operation` calls for the order the simulator has received. */
const sentFor = (operation: string, orderNo: string) => () =>
  sim.server.recent.filter((r) => r.operation === operation && r.body.includes(orderNo)).length;

/** Sends `request`, whose `operation` call ATRIP answers slowly, and kills the gateway once the call has arrived. */
async function killMidCall(operation: string, sent: () => number, request: () => Promise<unknown>): Promise<void> {
  sim.server.faults = { ...NO_FAULTS, latencyMs: 1500, operations: [operation] };
  try {
    const first = request().catch(() => null);
    await eventually(async () => (sent() === 1 ? true : undefined), 10_000);
    await gw!.stop("SIGKILL");
    await first;
    await new Promise((r) => setTimeout(r, 1700));
  } finally {
    sim.server.faults = { ...NO_FAULTS };
  }
}

describe("gateway restart", () => {
  it("a gateway killed while void.do is in flight: after the restart the order's void.do is not sent again", async () => {
    // The claim stays in flight for the timeout plus 10 s: 40 s, ample for a restart on a loaded machine.
    const env = gatewayEnv({ SUPPLIER_TIMEOUT_MS: "30000" });
    gw = await startGatewayProcess(env);
    const orderNo = fresh("ATR-VOID-VCC");
    const quote = await gql<{ voidQuote: { voidOfferId: string } }>(gw.url, QUOTE, { orderNo }, AUTH);
    const offer = quote.data!.voidQuote.voidOfferId;
    const voidDo = sentFor("void.do", orderNo);
    // ATRIP has the request and will accept it; the gateway dies before it hears back.
    await killMidCall("void.do", voidDo, () => gql(gw!.url, SUBMIT, { orderNo, offer }, AUTH));
    gw = await startGatewayProcess(env);
    const again = await gql(gw.url, SUBMIT, { orderNo, offer }, AUTH);
    // The mark written before void.do outlived the process: the earlier call may still be in
    // flight as far as the gateway knows, so nothing is sent and the client is told when to ask again.
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: "REQUEST_IN_PROGRESS", retryable: true });
    expect(Number(again.errors?.[0]?.extensions?.retryAfterSeconds)).toBeGreaterThan(0);
    expect(voidDo()).toBe(1);
    await gw.stop();
    gw = undefined;
  });

  it("a gateway killed while stopTicket.do is in flight: after the restart the order's stop is not sent again", async () => {
    const env = gatewayEnv({ SUPPLIER_TIMEOUT_MS: "30000" });
    gw = await startGatewayProcess(env);
    const orderNo = fresh("ATR-STOP-OK");
    const STOP = `mutation { stopTicketIssuance(input: { supplier: ATRIP, orderNo: "${orderNo}" }) { state } }`;
    const stopDo = sentFor("stopTicket.do", orderNo);
    await killMidCall("stopTicket.do", stopDo, () => gql(gw!.url, STOP, {}, AUTH));
    gw = await startGatewayProcess(env);
    const again = await gql(gw.url, STOP, {}, AUTH);
    // The claim written before stopTicket.do outlived the process: nothing is sent again.
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: "REQUEST_IN_PROGRESS", retryable: true });
    expect(stopDo()).toBe(1);
    await gw.stop();
    gw = undefined;
  });

  it("resumes tracking from the store and publishes each change once", async () => {
    const env = gatewayEnv({ VOID_POLL_MIN_MS: "300", VOID_POLL_MAX_MS: "600", SCHEDULER_TICK_MS: "100" });
    gw = await startGatewayProcess(env);
    const orderNo = fresh("ATR-VOID-VCC");
    const voidCode = await quoteAndSubmit(gw.url, orderNo, AUTH);
    const before = await gql<{ voidOrder: { history: EventOut[] } }>(
      gw.url,
      `{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}") { history { id status } } }`,
      {},
      AUTH,
    );
    const submitted = before.data!.voidOrder.history[0];
    expect(await gw.stop("SIGTERM")).toBe(0);

    gw = await startGatewayProcess(env);
    const client = wsClient(gw.wsUrl, AUTH);
    const sub = collect<EventOut>(client, VOID_EVENTS, { voidCode, after: submitted.id }, (d) => d.voidStatusChanged as EventOut);
    // Each step after the restart; whether the subscription is live yet or not, the replay
    // from afterEventId covers what was recorded before it was.
    sim.clock.advance(60_000);
    await sub.waitUntil((e) => e.status === "AIRLINE_PROCESSING", 20_000);
    sim.clock.advance(60_000);
    await sub.waitUntil((e) => e.isFinal, 20_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(sub.items.map((e) => [e.status, e.source])).toEqual([
      ["AIRLINE_PROCESSING", "POLL"],
      ["COMPLETED", "POLL"],
    ]);
    const after = await gql<{ voidOrder: { submittedAt: string; history: EventOut[] } }>(
      gw.url,
      `{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}") { submittedAt history { id status } } }`,
      {},
      AUTH,
    );
    expect(after.data!.voidOrder.history.map((e) => e.status)).toEqual(["SUPPLIER_PROCESSING", "AIRLINE_PROCESSING", "COMPLETED"]);
    expect(after.data!.voidOrder.history[0].id).toBe(submitted.id);
    expect(after.data!.voidOrder.submittedAt).toBeTruthy();
    sub.stop();
    await client.dispose();
  });
});
