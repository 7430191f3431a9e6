/**
 * Delivery across instances through a Redis outage (issue 11): two gateways on one
 * PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL) and a private redis-server, N graphql-ws
 * clients (BENCH_SUBSCRIBERS, default 10,000) each on its own void, split between the two
 * gateways. Status changes arrive by webhook at BENCH_EVENT_RATE per second (default 500), each
 * at the gateway its subscriber is NOT on, so every event crosses instances; Redis is killed
 * for BENCH_OUTAGE_S seconds (default 10) in the middle. Target: change recorded → client
 * p99 ≤ 50 ms outside the outage, and ≤ EVENT_CATCHUP_MS + 1 s during it; every event once.
 * Also reports what delivery costs: log reads and events read per instance, per event.
 */
import { randomBytes } from "node:crypto";
import { AtripSimulator } from "../src/sandbox/atrip/server.js";
import { openStore } from "../src/store/index.js";
import { freePort } from "../test/helpers/net.js";
import { PrivateRedis } from "../test/helpers/redis.js";
import { atripGatewayEnv, BENCH_ATRIP, BENCH_KEY, inParallel, submitDepositVoid } from "./gateway-client.js";
import { cpuSeconds, deliveryShares, histogram, metric, record } from "./lib.js";
import { startGateway, stop } from "./processes.js";
import { openSubscribers } from "./ws-clients.js";

const N = Number(process.env.BENCH_SUBSCRIBERS ?? "10000");
const RATE = Number(process.env.BENCH_EVENT_RATE ?? "500");
const OUTAGE_S = Number(process.env.BENCH_OUTAGE_S ?? "10");
const CATCH_UP_MS = 1000;
const TOKEN = "bench-webhook-token-0123456789";
const STEP_MS = 60_000;
const HOUR = "3600000";
const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (!databaseUrl) throw new Error("bench:delivery needs PostgreSQL: set BENCH_DATABASE_URL or TEST_DATABASE_URL");

const schema = `bench_${randomBytes(4).toString("hex")}`;
const redis = new PrivateRedis(await freePort());
await redis.start();
const sim = await AtripSimulator.start({ ...BENCH_ATRIP, timeScale: 0.001, timing: { voidStepMs: STEP_MS } });
const env = {
  ...atripGatewayEnv(sim.url),
  DATABASE_URL: databaseUrl,
  DATABASE_SCHEMA: schema,
  REDIS_URL: redis.url,
  REDIS_PREFIX: `${schema}:`,
  ATRIP_WEBHOOK_TOKEN: TOKEN,
  WEBHOOK_RATE_LIMIT: "1000000",
  EVENT_CATCHUP_MS: String(CATCH_UP_MS),
  VOID_POLL_MIN_MS: HOUR,
  VOID_POLL_MAX_MS: HOUR,
  VOID_POLL_WATCHED_MS: HOUR,
};
const first = await startGateway(env);
const gateways = [first, await startGateway(env)];

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

try {
  const t0 = Date.now();
  const codes = (await inParallel(N, 32, (i) => submitDepositVoid(gateways[i % 2].url, `dv${i}`))).map((v) => v.voidCode);
  const createS = (Date.now() - t0) / 1000;

  const received: number[] = new Array<number>(N).fill(0);
  const latency: Array<{ sentAt: number; ms: number }> = [];
  const sentAt: number[] = new Array<number>(N);
  let listening = false;
  const clients = (
    await Promise.all(
      [0, 1].map((g) =>
        openSubscribers(
          gateways[g].url.replace(/^http/, "ws"),
          N / 2,
          (k) => `subscription { voidStatusChanged(voidCode: "${codes[2 * k + g]}") { status occurredAt } }`,
          (k, data) => {
            if (!listening) return;
            const i = 2 * k + g;
            const e = (data as { voidStatusChanged: { status: string; occurredAt: string } }).voidStatusChanged;
            received[i] += 1;
            latency.push({ sentAt: sentAt[i], ms: Date.now() - Date.parse(e.occurredAt) });
          },
          { authorization: `Bearer ${BENCH_KEY}` },
        ),
      ),
    )
  ).flat();

  const reads0 = await Promise.all(gateways.map((g) => metric(g.url, "gateway_event_log_read_seconds_count")));
  const eventsRead0 = await Promise.all(gateways.map((g) => metric(g.url, "gateway_event_log_events_read_total")));
  const delivered0 = await Promise.all(gateways.map((g) => histogram(g.url, "gateway_event_delivery_seconds")));
  const cpu0 = gateways.map((g) => cpuSeconds(g.child.pid));
  listening = true;
  sim.clock.advance(STEP_MS);
  const start = performance.now();
  const wallStart = Date.now();
  const phaseStartUs = process.hrtime.bigint() / 1000n;
  const sendS = N / RATE;
  const outageFrom = start + ((sendS - OUTAGE_S) / 2) * 1000;
  const outageTo = outageFrom + OUTAGE_S * 1000;
  let killedAt = 0;
  let restartedAt = 0;
  for (let i = 0; i < N; i++) {
    const due = start + (i * 1000) / RATE;
    if (!killedAt && due >= outageFrom) {
      await redis.kill();
      killedAt = Date.now();
    }
    if (killedAt && !restartedAt && due >= outageTo) {
      await redis.start();
      restartedAt = Date.now();
    }
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    sentAt[i] = Date.now();
    // The change is announced to the gateway the void's subscriber is not on.
    sim.webhookUrl = gateways[(i + 1) % 2].url.replace("/graphql", `/webhooks/atrip/${TOKEN}`);
    sim.state.announceVoid(codes[i]);
  }
  const deadline = Date.now() + 60_000;
  while (latency.length < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 2000)); // duplicates would arrive by now
  const phaseS = (performance.now() - start) / 1000;
  if (process.env.BENCH_CPU_PROF)
    console.log(`phase (CLOCK_MONOTONIC µs, for the CPU profiles): WSTART=${phaseStartUs} WEND=${process.hrtime.bigint() / 1000n}`);
  const cpu1 = gateways.map((g) => cpuSeconds(g.child.pid));
  const served = await Promise.all(
    gateways.map(async (g, i) => deliveryShares(delivered0[i], await histogram(g.url, "gateway_event_delivery_seconds"))),
  );
  const reads = (await Promise.all(gateways.map((g) => metric(g.url, "gateway_event_log_read_seconds_count")))).map(
    (n, i) => n - reads0[i],
  );
  const eventsRead = (await Promise.all(gateways.map((g) => metric(g.url, "gateway_event_log_events_read_total")))).map(
    (n, i) => n - eventsRead0[i],
  );

  const during = (l: { sentAt: number }) => l.sentAt >= killedAt && l.sentAt < restartedAt;
  const rows = [
    ["all", latency.map((l) => l.ms)],
    ["before and after the outage", latency.filter((l) => !during(l)).map((l) => l.ms)],
    [`during the outage (${OUTAGE_S} s, Redis killed)`, latency.filter(during).map((l) => l.ms)],
  ].map(([name, list]) => {
    const s = [...(list as number[])].sort((a, b) => a - b);
    return [name as string, s.length, percentile(s, 50), percentile(s, 95), percentile(s, 99), s[s.length - 1] ?? NaN];
  });
  const missing = received.filter((n) => n === 0).length;
  const twice = received.filter((n) => n > 1).length;
  const outside = rows[1][4] as number;
  const inside = rows[2][4] as number;
  const met = missing === 0 && twice === 0 && outside <= 50 && inside <= CATCH_UP_MS + 1000;
  const busy = (i: number) =>
    cpu0[i] === undefined || cpu1[i] === undefined ? "n/a" : `${(((cpu1[i]! - cpu0[i]!) / phaseS) * 100).toFixed(0)} %`;
  await Promise.all(clients.map((c) => c.dispose()));
  for (const g of gateways) await stop(g.child);
  const store = await openStore({ databaseUrl, databaseSchema: schema });
  const inbox = await store.inbox.countByState();
  await store.db.query(`DROP SCHEMA ${schema} CASCADE`);
  await store.close();
  record(
    `delivery across two instances through a Redis outage: ${N} clients on their own voids, ${RATE} changes/s, PostgreSQL`,
    ["events", "count", "p50 (ms)", "p95", "p99", "max"],
    rows,
    [
      `change recorded → client. Each change was announced to the gateway its subscriber is not on, so every event crossed instances; Redis was killed ${((killedAt - wallStart) / 1000).toFixed(1)} s into the ${sendS.toFixed(0)} s of webhooks and restarted ${((restartedAt - killedAt) / 1000).toFixed(1)} s later.`,
      `${latency.length} of ${N} events delivered; ${missing} never, ${twice} more than once.`,
      `target (every event once; p99 ≤ 50 ms outside the outage, ≤ EVENT_CATCHUP_MS + 1 s = ${CATCH_UP_MS + 1000} ms during it): ${met ? "met" : "NOT met"}`,
      `delivery cost: gateway 1 read the log ${reads[0]} times for ${eventsRead[0]} events, gateway 2 ${reads[1]} times for ${eventsRead[1]} (${((reads[0] + reads[1]) / (2 * N)).toFixed(2)} reads per event per instance; each read serves all of that instance's subscribers).`,
      `CPU of one core while the changes flowed (${phaseS.toFixed(1)} s): gateway 1 ${busy(0)}, gateway 2 ${busy(1)}.`,
      `in each gateway, recorded → the subscriber's resolver (before the socket; all events, outage included): gateway 1 ${served[0]}; gateway 2 ${served[1]}.`,
      `the ${N} voids were created through the gateways in ${createS.toFixed(0)} s; webhooks only (polling an hour); inbox afterwards ${JSON.stringify(inbox)}.`,
      `2 cores in all: the bench process (simulator, ${N} clients), two gateways, PostgreSQL and Redis.`,
    ],
  );
} finally {
  for (const g of gateways) await stop(g.child);
  await sim.close();
  await redis.kill();
}
