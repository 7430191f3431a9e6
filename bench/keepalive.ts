/**
 * What websocket keep-alive pings cost (issue 16, item 5): N idle graphql-ws clients
 * (BENCH_SUBSCRIBERS, default 10,000), each with one subscription, on a gateway that pings
 * every BENCH_PING_MS (default 25,000, the WS_KEEPALIVE_MS default) and on one that never
 * pings (an interval longer than the run), in one session; gateway CPU per minute from /proc
 * over BENCH_IDLE_S seconds (default 120) of nothing but pings.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cpuSeconds, record } from "./lib.js";
import { startGateway, stop } from "./processes.js";
import { openSubscribers } from "./ws-clients.js";

const N = Number(process.env.BENCH_SUBSCRIBERS ?? "10000");
const PING_MS = Number(process.env.BENCH_PING_MS ?? "25000");
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? "120");

async function idleCpuPerMinute(pingMs: number): Promise<{ cpuMsPerMin: number; pings: number }> {
  const gw = await startGateway({
    DATA_DIR: join(mkdtempSync(join(tmpdir(), "bench-ka-")), "data"),
    WS_KEEPALIVE_MS: String(pingMs),
    // Nothing else runs: no watch marks, no polling, no catch-up reads to speak of.
    VOID_POLL_WATCHED_MS: "3600000",
    EVENT_CATCHUP_MS: "3600000",
  });
  try {
    const clients = await openSubscribers(
      gw.url.replace(/^http/, "ws"),
      N,
      () => "subscription { voidStatusChanged { id } }",
      () => undefined,
    );
    // The clients answer the gateway's ws pings through the ws library, as browsers do.
    await new Promise((r) => setTimeout(r, 3000));
    const c0 = cpuSeconds(gw.child.pid) ?? NaN;
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    const minutes = (performance.now() - t0) / 60_000;
    const cpu = (cpuSeconds(gw.child.pid) ?? NaN) - c0;
    await Promise.all(clients.map((c) => c.dispose()));
    return { cpuMsPerMin: (cpu * 1000) / minutes, pings: Math.floor((IDLE_S * 1000) / pingMs) * N };
  } finally {
    await stop(gw.child);
  }
}

const withPings = await idleCpuPerMinute(PING_MS);
const without = await idleCpuPerMinute(IDLE_S * 1000 * 10);
const extra = withPings.cpuMsPerMin - without.cpuMsPerMin;
const perPing = withPings.pings > 0 ? (extra * (IDLE_S / 60)) / withPings.pings : NaN;
record(
  `websocket keep-alive: ${N} idle subscribers, ${IDLE_S} s each way`,
  ["gateway", "CPU ms per minute", "pings sent (about)"],
  [
    [`pinging every ${PING_MS / 1000} s (WS_KEEPALIVE_MS)`, withPings.cpuMsPerMin.toFixed(0), withPings.pings],
    ["never pinging", without.cpuMsPerMin.toFixed(0), 0],
  ],
  [
    `keep-alive costs ${extra.toFixed(0)} ms of CPU per minute for ${N} idle sockets (${((extra / 60_000) * 100).toFixed(2)} % of one core; about ${(perPing * 1000).toFixed(1)} µs per ping and its pong).`,
    "the clients run in the bench process on the same 2 cores; CPU from /proc (10 ms ticks).",
  ],
);
