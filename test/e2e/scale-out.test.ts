/**
 * Scale-out: two gateway processes sharing PostgreSQL and Redis (skipped, with a printed
 * reason, when TEST_DATABASE_URL / TEST_REDIS_URL are unset; .ci/run sets both).
 */
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { AtripSimulator } from "../../src/sandbox/atrip/server.js";
import { API_KEYS, bearer, KEYS } from "../helpers/auth.js";
import { CREDS, eventually, fresh } from "../helpers/atrip.js";
import { wsClient } from "../helpers/clients.js";
import { gql, quoteAndSubmit, VOID_EVENTS, type EventOut } from "../helpers/graphql.js";
import { startGatewayProcess, type GatewayProcess } from "../helpers/process.js";
import { DATABASE_URL, REDIS_URL, skipReason } from "../helpers/store.js";
import { freePort } from "../helpers/net.js";
import { collect } from "../helpers/subscribe.js";

const skip = !DATABASE_URL ? skipReason("scale-out", "TEST_DATABASE_URL") : !REDIS_URL ? skipReason("scale-out", "TEST_REDIS_URL") : false;

const AUTH = bearer(KEYS.acmeWrite);
const running: GatewayProcess[] = [];
const sims: AtripSimulator[] = [];
afterAll(async () => {
  await Promise.all(running.map((g) => g.stop("SIGKILL")));
  await Promise.all(sims.map((s) => s.close()));
});

function sharedEnv(sim: AtripSimulator, extra: Record<string, string>): Record<string, string> {
  return {
    DATABASE_URL: DATABASE_URL!,
    DATABASE_SCHEMA: `scale_${randomBytes(5).toString("hex")}`,
    REDIS_URL: REDIS_URL!,
    REDIS_PREFIX: `scale-${randomBytes(4).toString("hex")}:`,
    ATRIP_BASE_URL: sim.url,
    ATRIP_CLIENT_ID: CREDS.clientId,
    ATRIP_CLIENT_SECRET: CREDS.clientSecret,
    API_KEYS,
    SCHEDULER_TICK_MS: "100",
    ...extra,
  };
}

async function pair(
  sim: AtripSimulator,
  extra: Record<string, string>,
  withWebhooksOnA: boolean,
): Promise<[GatewayProcess, GatewayProcess]> {
  const env = sharedEnv(sim, extra);
  const portA = await freePort();
  const webhooks: Record<string, string> = withWebhooksOnA
    ? { WEBHOOK_PUBLIC_URL: `http://127.0.0.1:${portA}`, ATRIP_WEBHOOK_TOKEN: randomBytes(16).toString("hex") }
    : {};
  // Both start at once: migrations must not race.
  const [a, b] = await Promise.all([startGatewayProcess({ ...env, ...webhooks, PORT: String(portA) }), startGatewayProcess(env)]);
  running.push(a, b);
  return [a, b];
}

describe.skipIf(skip)("two gateways, PostgreSQL + Redis", () => {
  it("a webhook delivered to one gateway reaches a subscriber on the other", async () => {
    const sim = await AtripSimulator.start({ ...CREDS, timeScale: 60 });
    sims.push(sim);
    // No polling to speak of: only webhooks (to A) move the void.
    const [a, b] = await pair(sim, { VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000", VOID_POLL_WATCHED_MS: "3600000" }, true);
    const client = wsClient(b.wsUrl, AUTH);
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const sub = collect<EventOut>(client, VOID_EVENTS, { orderNo }, (d) => d.voidStatusChanged as EventOut);
    await new Promise((r) => setTimeout(r, 200));
    await quoteAndSubmit(a.url, orderNo, AUTH);
    await sub.waitUntil((e) => e.isFinal, 20_000);
    expect(sub.items.map((e) => [e.status, e.source])).toEqual([
      ["SUPPLIER_PROCESSING", "SUBMIT"],
      ["AIRLINE_PROCESSING", "WEBHOOK"],
      ["REFUNDED", "WEBHOOK"],
    ]);
    expect(sim.server.stats.events["webhook.sent"]).toBeGreaterThanOrEqual(2);
    sub.stop();
    await client.dispose();
  });

  it("each due void is polled by one instance at a time, and a killed instance's leases move to the other", async () => {
    // Real-time clock: the voids stay at status 0 until the test moves the clock.
    const sim = await AtripSimulator.start({ ...CREDS, timeScale: 1 });
    sims.push(sim);
    const [a, b] = await pair(sim, { VOID_POLL_MIN_MS: "400", VOID_POLL_MAX_MS: "400", LEASE_MS: "1500" }, false);
    const codes: string[] = [];
    for (let i = 0; i < 8; i++) codes.push(await quoteAndSubmit(i % 2 ? a.url : b.url, fresh("ATR-VOID-VCC"), AUTH));
    sim.server.recent.length = 0;
    await new Promise((r) => setTimeout(r, 3000));
    const asked = (code: string) =>
      sim.server.recent.filter((r) => r.operation === "queryVoidOrders.do" && r.body.includes(code)).map((r) => r.at);
    for (const code of codes) {
      const times = asked(code);
      expect(times.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(250);
    }
    // Kill A without a chance to release its leases; B must take over and finish every void.
    await a.stop("SIGKILL");
    sim.clock.advance(3 * 60_000);
    for (const code of codes) {
      const final = await eventually(async () => {
        const r = await gql<{ voidOrder: { isFinal: boolean; history: EventOut[] } }>(
          b.url,
          `{ voidOrder(supplier: ATRIP, voidCode: "${code}") { isFinal history { status } } }`,
          {},
          AUTH,
        );
        return r.data?.voidOrder.isFinal ? r.data.voidOrder : undefined;
      }, 15_000);
      expect(final.history.map((e) => e.status)).toEqual(["SUPPLIER_PROCESSING", "COMPLETED"]);
    }
  });
});
