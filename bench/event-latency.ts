/**
 * Event-to-client latency: N graphql-ws clients (BENCH_SUBSCRIBERS, default 10,000), each
 * subscribed to its own real void, and status changes arriving at BENCH_EVENT_RATES per second
 * (default 500, then 1,000) the way ATRIP reports them: the simulator's status moves on, then an
 * order.void webhook, which the gateway stores, confirms with queryVoidOrders.do, records and
 * publishes. Target: p99 ≤ 50 ms at 1,000 events/s.
 *
 * Two latencies per event: from the gateway recording the change (the event's occurredAt) to
 * the client, and from the webhook being sent to the client (intake and confirmation included).
 * Polling is pushed out to an hour so webhooks are the only source.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AtripSimulator } from "../src/sandbox/atrip/server.js";
import { openStore } from "../src/store/index.js";
import { atripGatewayEnv, BENCH_ATRIP, BENCH_KEY, inParallel, submitDepositVoid } from "./gateway-client.js";
import { cpuSeconds, deliveryShares, histogram, loopDelay, metric, record } from "./lib.js";
import { startGateway, stop } from "./processes.js";
import { openSubscribers } from "./ws-clients.js";

const N = Number(process.env.BENCH_SUBSCRIBERS ?? "10000");
/** Events per second, one phase each (at most two: the demo void's path is 0 → 1 → 2). */
const RATES = (process.env.BENCH_EVENT_RATES ?? "500,1000").split(",").map(Number).slice(0, 2);
const TOKEN = "bench-webhook-token-0123456789";
const VOID_STEP_MS = 60_000;
const HOUR = "3600000";
/** BENCH_DATABASE_URL: run on PostgreSQL (a fresh schema) instead of the embedded store. */
const databaseUrl = process.env.BENCH_DATABASE_URL;
const storeEnv: Record<string, string> = databaseUrl
  ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: `bench_${randomBytes(4).toString("hex")}` }
  : { DATA_DIR: join(mkdtempSync(join(tmpdir(), "bench-events-")), "data") };
const storeName = databaseUrl ? "PostgreSQL" : "PGlite";
const storeOptions = databaseUrl ? { databaseUrl, databaseSchema: storeEnv.DATABASE_SCHEMA } : { dataDir: storeEnv.DATA_DIR };

const sim = await AtripSimulator.start({ ...BENCH_ATRIP, timeScale: 0.001, timing: { voidStepMs: VOID_STEP_MS } });
const gw = await startGateway({
  ...atripGatewayEnv(sim.url),
  ATRIP_WEBHOOK_TOKEN: TOKEN,
  WEBHOOK_RATE_LIMIT: "1000000",
  ...storeEnv,
  VOID_POLL_MIN_MS: HOUR,
  VOID_POLL_MAX_MS: HOUR,
  VOID_POLL_WATCHED_MS: HOUR,
});

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

try {
  // 1. N real voids, all at status 0 (the simulator's clock barely moves).
  const t0 = Date.now();
  const codes = (await inParallel(N, 32, (i) => submitDepositVoid(gw.url, `ev${i}`))).map((v) => v.voidCode);
  const createS = (Date.now() - t0) / 1000;

  // 2. One client per void, subscribed to that void. Each received event is handed to the
  //    phase that is running.
  let onEvent: (i: number, status: string, occurredAt: string) => void = () => undefined;
  const clients = await openSubscribers(
    gw.url.replace(/^http/, "ws"),
    N,
    (i) => `subscription { voidStatusChanged(voidCode: "${codes[i]}") { status occurredAt } }`,
    (i, data) => {
      const event = (data as { voidStatusChanged: { status: string; occurredAt: string } }).voidStatusChanged;
      onEvent(i, event.status, event.occurredAt);
    },
    { authorization: `Bearer ${BENCH_KEY}` },
  );
  sim.webhookUrl = gw.url.replace("/graphql", `/webhooks/atrip/${TOKEN}`);

  // 3. One phase per rate: every void moves to its next status at the simulator (0 → 1, then
  //    1 → 2), and webhooks announce the changes at that rate.
  const rows: Array<Array<string | number>> = [];
  const notes: string[] = [];
  let met = true;
  for (const rate of RATES) {
    const sinceRecorded: number[] = [];
    const sinceWebhook: number[] = [];
    const sentAt: number[] = new Array<number>(N);
    onEvent = (i, _status, occurredAt) => {
      const now = Date.now();
      sinceRecorded.push(now - Date.parse(occurredAt));
      sinceWebhook.push(now - sentAt[i]);
    };
    sim.clock.advance(VOID_STEP_MS);
    const reads0 = await metric(gw.url, "gateway_event_log_read_seconds_count");
    const readSeconds0 = await metric(gw.url, "gateway_event_log_read_seconds_sum");
    const delivered0 = await histogram(gw.url, "gateway_event_delivery_seconds");
    const gwCpu0 = cpuSeconds(gw.child.pid);
    const benchCpu0 = process.cpuUsage();
    const start = performance.now();
    const phaseStartUs = process.hrtime.bigint() / 1000n;
    for (let i = 0; i < N; i++) {
      const wait = start + (i * 1000) / rate - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      sentAt[i] = Date.now();
      sim.state.announceVoid(codes[i]);
    }
    const sendS = (performance.now() - start) / 1000;
    const deadline = Date.now() + 60_000;
    while (sinceRecorded.length < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const phaseS = (performance.now() - start) / 1000;
    if (process.env.BENCH_CPU_PROF)
      console.log(`${rate}/s phase (CLOCK_MONOTONIC µs): WSTART=${phaseStartUs} WEND=${process.hrtime.bigint() / 1000n}`);
    const gwCpu1 = cpuSeconds(gw.child.pid);
    // The first scrape after the phase: the loop delay over the phase (the scrapes before it started it afresh).
    const loop = await loopDelay(gw.url);
    const reads = (await metric(gw.url, "gateway_event_log_read_seconds_count")) - reads0;
    const readSeconds = (await metric(gw.url, "gateway_event_log_read_seconds_sum")) - readSeconds0;
    const served = deliveryShares(delivered0, await histogram(gw.url, "gateway_event_delivery_seconds"));
    const benchCpu = process.cpuUsage(benchCpu0);
    const busy = (cpuS: number | undefined) => (cpuS === undefined ? "n/a" : `${((cpuS / phaseS) * 100).toFixed(0)} %`);
    const a = [...sinceRecorded].sort((x, y) => x - y);
    const b = [...sinceWebhook].sort((x, y) => x - y);
    const row = (name: string, s: number[]) => [
      `${rate}/s`,
      name,
      percentile(s, 50),
      percentile(s, 95),
      percentile(s, 99),
      s[s.length - 1] ?? NaN,
    ];
    rows.push(row("gateway records the change → client", a), row("webhook sent → client (intake + confirmation)", b));
    // Kept up: the changes were recorded and delivered about as fast as they came (the last
    // one within a second of the last webhook), so the latencies are at this rate.
    const keptUp = a.length === N && phaseS <= sendS + 1;
    const fast = a.length === N && percentile(a, 99) <= 50;
    // Issue 11 asks it at 500/s (issue 7 asked it at 1,000/s): every rate run must meet it.
    met &&= fast && keptUp;
    notes.push(
      `${rate}/s: ${a.length} of ${N} events delivered, webhooks sent over ${sendS.toFixed(1)} s (${(N / sendS).toFixed(0)}/s), the last event delivered after ${phaseS.toFixed(1)} s (${(a.length / phaseS).toFixed(0)} changes/s recorded and delivered: ${keptUp ? "kept up" : "did NOT keep up"}); p99 recorded → client ≤ 50 ms: ${fast ? "yes" : "no"}; CPU of one core while they flowed (${phaseS.toFixed(1)} s): gateway ${busy(gwCpu1 !== undefined && gwCpu0 !== undefined ? gwCpu1 - gwCpu0 : undefined)}, bench process (simulator, webhooks, clients) ${busy((benchCpu.user + benchCpu.system) / 1e6)}; delivery read the event log ${reads} times (${(N / Math.max(1, reads)).toFixed(1)} events per read, ${((readSeconds / Math.max(1, reads)) * 1000).toFixed(2)} ms per read, ${((readSeconds / phaseS) * 100).toFixed(1)} % of the phase); in the gateway, recorded → the subscriber's resolver (before the socket): ${served}; the gateway's event-loop delay over the phase: p99 ${loop.p99.toFixed(0)} ms, max ${loop.max.toFixed(0)} ms.`,
    );
  }
  await Promise.all(clients.map((c) => c.dispose()));
  await stop(gw.child);
  const store = await openStore(storeOptions);
  const inbox = await store.inbox.countByState();
  if (databaseUrl) await store.db.query(`DROP SCHEMA ${storeEnv.DATABASE_SCHEMA} CASCADE`);
  await store.close();
  record(
    `subscriptions: event-to-client latency, ${N} clients on their own voids, ${storeName}`,
    ["rate", "latency (ms)", "p50", "p95", "p99", "max"],
    rows,
    [
      ...notes,
      `target (p99 ≤ 50 ms, change recorded → client, keeping up, at each rate run: ${RATES.join(", ")}/s): ${met ? "met" : "NOT met"}`,
      `webhooks: simulator ${JSON.stringify(sim.server.stats.events)}; gateway inbox afterwards ${JSON.stringify(inbox)}.`,
      `the ${N} voids were created through the gateway (quote + submit) in ${createS.toFixed(0)} s; polling pushed out to an hour, so webhooks are the only source.`,
      `the simulator and the clients run in the bench process, the gateway (store: ${storeName}) in its own; 2 cores in all.`,
    ],
  );
} finally {
  await stop(gw.child);
  await sim.close();
}
