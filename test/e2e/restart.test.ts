/**
 * Restart: stop the gateway mid-tracking and start it again on the same DATA_DIR. Records,
 * events and schedules survive; tracking resumes; nothing is recorded or published twice.
 * The ATRIP simulator runs in the test process so it outlives the gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AtripSimulator } from "../../src/sandbox/atrip/server.js";
import { API_KEYS, bearer, KEYS } from "../helpers/auth.js";
import { CREDS, fresh } from "../helpers/atrip.js";
import { wsClient } from "../helpers/clients.js";
import { gql, quoteAndSubmit, VOID_EVENTS, type EventOut } from "../helpers/graphql.js";
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

describe("gateway restart", () => {
  it("resumes tracking from the store and publishes each change once", async () => {
    const env = {
      DATA_DIR: freshDataDir(),
      ATRIP_BASE_URL: sim.url,
      ATRIP_CLIENT_ID: CREDS.clientId,
      ATRIP_CLIENT_SECRET: CREDS.clientSecret,
      API_KEYS,
      VOID_POLL_MIN_MS: "300",
      VOID_POLL_MAX_MS: "600",
      SCHEDULER_TICK_MS: "100",
    };
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
