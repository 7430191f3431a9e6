/**
 * Polling: N open voids (BENCH_OPEN_VOIDS, default 10,000) and 1,000 final ones tracked by one
 * gateway process, with webhooks off so polling is the only source. The ATRIP simulator runs in
 * this process and times every queryVoidOrders.do per voidCode. Checks, from 60 s to
 * BENCH_POLL_SECONDS (default 180) after the voids were created (the first minute, while polls
 * delayed by the creation burst catch up, is reported apart):
 *  - calls per minute against what the schedule (VOID_POLL_MIN_MS doubling to VOID_POLL_MAX_MS,
 *    up to 10 % early jitter) predicts from each void's previous poll;
 *  - every interval between two polls of one void against its scheduled delay;
 *  - zero calls for final voids.
 * The schedule is compressed (10 s doubling to 40 s instead of 1 min to 30 min) so a few minutes
 * cover several back-off steps; the code path is the same.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AtripSimulator } from "../src/sandbox/atrip/server.js";
import { atripGatewayEnv, BENCH_ATRIP, gql, inParallel, submitDepositVoid } from "./gateway-client.js";
import { record } from "./lib.js";
import { startGateway, stop } from "./processes.js";

const OPEN = Number(process.env.BENCH_OPEN_VOIDS ?? "10000");
const FINAL = 1000;
const windowS = Number(process.env.BENCH_POLL_SECONDS ?? "180");
const MIN_MS = 10_000;
const MAX_MS = 40_000;
const TICK_MS = 1000;
/** Seconds after creation reported apart, while polls that fell behind catch up. */
const DRAIN_S = 60;
const VOID_STEP_MS = 60_000;

// Simulated time at 1/1000 of real time: a void stays at its first status for 60,000 s unless
// the bench moves the clock on.
const sim = await AtripSimulator.start({ ...BENCH_ATRIP, timeScale: 0.001, timing: { voidStepMs: VOID_STEP_MS } });
const polls = new Map<string, number[]>();
sim.server.onRequest = (r) => {
  if (r.operation !== "queryVoidOrders.do") return;
  const code = (JSON.parse(r.body) as { voidCode: string }).voidCode;
  const list = polls.get(code) ?? [];
  list.push(r.at);
  polls.set(code, list);
};
const gw = await startGateway({
  ...atripGatewayEnv(sim.url),
  DATA_DIR: join(mkdtempSync(join(tmpdir(), "bench-poll-")), "data"),
  VOID_POLL_MIN_MS: String(MIN_MS),
  VOID_POLL_MAX_MS: String(MAX_MS),
  SCHEDULER_TICK_MS: String(TICK_MS),
});

/**
 * The poll times the schedule predicts, with the mean jitter, up to `until`: after a poll at
 * `from` that was the void's `done`-th (0: `from` is the submission).
 */
function predicted(from: number, done: number, until: number): number[] {
  const out: number[] = [];
  let t = from;
  for (let attempt = done; ; attempt++) {
    t += Math.min(MAX_MS, MIN_MS * 2 ** attempt) * 0.95;
    if (t > until) return out;
    out.push(t);
  }
}

try {
  // 1. Final voids: submitted, then the simulator's clock moves past their last step and a
  //    refresh records the final status in the gateway.
  const final = await inParallel(FINAL, 32, (i) => submitDepositVoid(gw.url, `final${i}`));
  sim.clock.advance(10 * VOID_STEP_MS);
  const statuses = await inParallel(FINAL, 32, (i) =>
    gql<{ voidOrder: { isFinal: boolean } }>(
      gw.url,
      `{ voidOrder(supplier: ATRIP, voidCode: "${final[i].voidCode}", refresh: true) { isFinal } }`,
    ),
  );
  const notFinal = statuses.filter((s) => !s.voidOrder.isFinal).length;
  if (notFinal > 0) throw new Error(`${notFinal} of the final voids are not final in the gateway`);
  const finalSince = Date.now();

  // 2. Open voids: they stay at their first status (0) for the whole run.
  const createStart = Date.now();
  const open = await inParallel(OPEN, 32, (i) => submitDepositVoid(gw.url, `open${i}`));
  const createEnd = Date.now();

  // 3. Measure until windowS seconds after creation. The first DRAIN_S of that window is
  //    reported apart: polls that fell behind while the gateway was busy creating catch up then.
  const windowStart = createEnd;
  const steadyStart = windowStart + DRAIN_S * 1000;
  const windowEnd = windowStart + windowS * 1000;
  await new Promise((r) => setTimeout(r, windowEnd - Date.now() + 200));

  const phase = () => ({ intervals: 0, early: 0, late: 0, lateness: [] as number[] });
  const phases = { creating: phase(), draining: phase(), steady: phase() };
  const slackMs = TICK_MS + 2000;
  let actual = 0;
  let expected = 0;
  for (const v of open) {
    const times = (polls.get(v.voidCode) ?? []).filter((t) => t <= windowEnd);
    // Steady part: calls made, against what the schedule predicts from the void's last poll
    // before it (or its submission).
    actual += times.filter((t) => t >= steadyStart).length;
    const before = times.filter((t) => t < steadyStart);
    expected += predicted(before.length ? before[before.length - 1] : v.at, before.length, windowEnd).filter(
      (t) => t >= steadyStart,
    ).length;
    let prev = v.at;
    times.forEach((t, attempt) => {
      const due = Math.min(MAX_MS, MIN_MS * 2 ** attempt);
      const gap = t - prev;
      const p = t < windowStart ? phases.creating : t < steadyStart ? phases.draining : phases.steady;
      p.intervals += 1;
      if (gap < due * 0.9 - 100) p.early += 1;
      if (gap > due + slackMs) p.late += 1;
      p.lateness.push(Math.max(0, gap - due));
      prev = t;
    });
  }
  const lateness = (l: number[]) => {
    const sorted = [...l].sort((a, b) => a - b);
    const at = (q: number) => ((sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0) / 1000).toFixed(2);
    return `p50 ${at(0.5)} s, p99 ${at(0.99)} s, max ${at(1)} s`;
  };
  const describe = (p: ReturnType<typeof phase>) =>
    `${p.intervals} intervals: ${p.early} early, ${p.late} late; lateness ${lateness(p.lateness)}`;
  const finalCalls = final.reduce((n, v) => n + (polls.get(v.voidCode) ?? []).filter((t) => t > finalSince).length, 0);
  const steadyS = windowS - DRAIN_S;
  const perMin = (n: number) => ((n / steadyS) * 60).toFixed(0);
  const ratio = actual / expected;
  const onSchedule = Math.abs(ratio - 1) <= 0.02 && phases.steady.early === 0 && phases.steady.late === 0;
  record(
    `polling: ${OPEN} open voids and ${FINAL} final ones, ${windowS} s after creating them`,
    ["measure", "value", "target"],
    [
      ["open voids created (quote + submit through the gateway)", `${OPEN} in ${((createEnd - createStart) / 1000).toFixed(0)} s`, ""],
      [
        `steady (${DRAIN_S}–${windowS} s): queryVoidOrders.do calls per minute, measured / schedule predicts`,
        `${perMin(actual)} / ${perMin(expected)} (ratio ${ratio.toFixed(3)})`,
        "within 2 %",
      ],
      [
        `steady (${DRAIN_S}–${windowS} s): intervals between two polls of one void`,
        describe(phases.steady),
        "none early (< 90 % of the delay), none later than delay + tick + 2 s",
      ],
      [`draining (0–${DRAIN_S} s after creation)`, describe(phases.draining), ""],
      ["while creating (gateway also creating ~100 voids/s)", describe(phases.creating), ""],
      ["calls for final voids", String(finalCalls), "0"],
      ["verdict", onSchedule && finalCalls === 0 ? "met" : "NOT met", ""],
    ],
    [
      `schedule: first poll ${MIN_MS / 1000} s after submission, doubling to ${MAX_MS / 1000} s, up to 10 % early (jitter); scheduler tick ${TICK_MS / 1000} s; webhooks off.`,
      "the simulator runs in the bench process; the gateway is its own process on the embedded store (PGlite).",
    ],
  );
  if (!onSchedule || finalCalls > 0) process.exitCode = 1;
} finally {
  await stop(gw.child);
  await sim.close();
}
