/**
 * Delivery driven by the event log, across instances and through a Redis outage (issue 11):
 * two gateway processes on one PostgreSQL and a private Redis, tenant-wide subscribers on
 * both; status changes arrive by webhooks at both instances before, during and after Redis is
 * killed and restarted. Every subscriber gets every change once, in order per void, without
 * resubscribing — while Redis is down too (from the catch-up reads of the log). Skipped, with
 * a printed reason, without TEST_DATABASE_URL / TEST_REDIS_URL or a redis-server binary.
 */
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { AtripSimulator } from "../../src/sandbox/atrip/server.js";
import { API_KEYS, bearer, KEYS } from "../helpers/auth.js";
import { CREDS, eventually } from "../helpers/atrip.js";
import { wsClient } from "../helpers/clients.js";
import { gql, quoteAndSubmit, VOID_EVENTS, type EventOut } from "../helpers/graphql.js";
import { freePort } from "../helpers/net.js";
import { startGatewayProcess, type GatewayProcess } from "../helpers/process.js";
import { hasRedisServer, PrivateRedis } from "../helpers/redis.js";
import { DATABASE_URL, REDIS_URL, skipReason } from "../helpers/store.js";
import { collect, type Collected } from "../helpers/subscribe.js";

const skip = !DATABASE_URL
  ? skipReason("scale-out delivery", "TEST_DATABASE_URL")
  : !REDIS_URL
    ? skipReason("scale-out delivery", "TEST_REDIS_URL")
    : !hasRedisServer
      ? skipReason("scale-out delivery", "redis-server (binary)")
      : false;

const AUTH = bearer(KEYS.acmeWrite);
const TOKEN = randomBytes(16).toString("hex");
const STEP_MS = 60_000;
/** Voids per phase (before, during and after the outage). */
const PER_PHASE = 6;

const running: GatewayProcess[] = [];
let sim: AtripSimulator | undefined;
let redis: PrivateRedis | undefined;
afterAll(async () => {
  await Promise.all(running.map((g) => g.stop("SIGKILL")));
  await sim?.close();
  await redis?.kill();
});

/** Announces each void's current supplier status by webhook, alternately to each gateway. */
function announce(s: AtripSimulator, codes: string[], gateways: GatewayProcess[]): void {
  codes.forEach((code, i) => {
    s.webhookUrl = gateways[i % gateways.length].url.replace("/graphql", `/webhooks/atrip/${TOKEN}`);
    s.state.announceVoid(code);
  });
}

/** What a void's history says, as (id, status) pairs. */
async function history(url: string, voidCode: string): Promise<Array<[string, string]>> {
  const r = await gql<{ voidOrder: { history: Array<{ id: string; status: string }> } }>(
    url,
    `{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}") { history { id status } } }`,
    {},
    AUTH,
  );
  return r.data!.voidOrder.history.map((e) => [e.id, e.status]);
}

describe.skipIf(skip)("two gateways, PostgreSQL + Redis, Redis killed and restarted", () => {
  it("every subscriber on both instances gets every change once, in order per void, through the outage", async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    // The supplier's clock stands still: statuses move only when the test advances it.
    sim = await AtripSimulator.start({ ...CREDS, timeScale: 0.001, timing: { voidStepMs: STEP_MS } });
    const env = {
      DATABASE_URL: DATABASE_URL!,
      DATABASE_SCHEMA: `deliv_${randomBytes(5).toString("hex")}`,
      REDIS_URL: redis.url,
      REDIS_PREFIX: `deliv-${randomBytes(4).toString("hex")}:`,
      ATRIP_BASE_URL: sim.url,
      ATRIP_CLIENT_ID: CREDS.clientId,
      ATRIP_CLIENT_SECRET: CREDS.clientSecret,
      ATRIP_WEBHOOK_TOKEN: TOKEN,
      API_KEYS,
      SCHEDULER_TICK_MS: "100",
      EVENT_CATCHUP_MS: "500",
      // Webhooks are the only source of changes.
      VOID_POLL_MIN_MS: "3600000",
      VOID_POLL_MAX_MS: "3600000",
      VOID_POLL_WATCHED_MS: "3600000",
    };
    const gateways = await Promise.all([startGatewayProcess(env), startGatewayProcess(env)]);
    running.push(...gateways);

    const clients = gateways.flatMap((g) => [wsClient(g.wsUrl, AUTH), wsClient(g.wsUrl, AUTH)]);
    const subs: Array<Collected<EventOut>> = clients.map((c) =>
      collect<EventOut>(c, VOID_EVENTS, {}, (d) => d.voidStatusChanged as EventOut),
    );
    await new Promise((r) => setTimeout(r, 500));

    const codes: string[] = [];
    for (let i = 0; i < 3 * PER_PHASE; i++)
      codes.push(await quoteAndSubmit(gateways[i % 2].url, `ATR-VOID-DEPOSIT-${randomBytes(4).toString("hex")}`, AUTH));
    const phase = (p: number) => codes.slice(p * PER_PHASE, (p + 1) * PER_PHASE);
    const reached = (status: string, which: string[]) =>
      Promise.all(subs.map((s) => Promise.all(which.map((c) => s.waitUntil((e) => e.voidCode === c && e.status === status, 20_000)))));
    await reached("SUPPLIER_PROCESSING", codes);

    // Before: the first voids move to 1 at the supplier; webhooks tell both gateways.
    sim.clock.advance(STEP_MS);
    announce(sim, phase(0), gateways);
    await reached("AIRLINE_PROCESSING", phase(0));

    // During: Redis is gone; the second voids' changes must still reach every subscriber.
    await redis.kill();
    announce(sim, phase(1), gateways);
    await reached("AIRLINE_PROCESSING", phase(1));

    // After: Redis is back; every void moves on to 2 (the third voids straight from 0).
    await redis.start();
    for (const g of gateways) await eventually(async () => (await fetch(g.url.replace("/graphql", "/readyz"))).status === 200, 15_000);
    sim.clock.advance(STEP_MS);
    announce(sim, codes, gateways);
    await reached("REFUNDED", codes);
    await new Promise((r) => setTimeout(r, 1500)); // a late duplicate would show up by now

    const truth = new Map<string, Array<[string, string]>>();
    for (const code of codes) truth.set(code, await history(gateways[0].url, code));
    for (const code of codes) {
      const statuses = truth.get(code)!.map(([, s]) => s);
      expect(statuses[0]).toBe("SUPPLIER_PROCESSING");
      expect(statuses.at(-1)).toBe("REFUNDED");
    }
    for (const s of subs) {
      expect(s.errors).toEqual([]);
      for (const code of codes) expect(s.items.filter((e) => e.voidCode === code).map((e) => [e.id, e.status])).toEqual(truth.get(code));
      expect(s.items).toHaveLength([...truth.values()].reduce((n, h) => n + h.length, 0));
    }
    subs.forEach((s) => s.stop());
    await Promise.all(clients.map((c) => c.dispose()));
  }, 120_000);
});
