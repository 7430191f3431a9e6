/**
 * Latency at one connection with microsecond resolution (issue 14: autocannon reports whole
 * milliseconds): `n` requests one after another over one keep-alive connection (an undici
 * Client), each timed with the monotonic clock.
 */
import { Client } from "undici";

export interface LatencyResult {
  p50: number;
  p90: number;
  p99: number;
  /** Requests that did not answer 2xx. */
  failed: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Sends `warmup` then `n` POSTs of `body` to `url`, one at a time; latencies in µs. */
export async function sequentialLatency(
  url: string,
  body: string,
  headers: Record<string, string>,
  n = 2000,
  warmup = 300,
): Promise<LatencyResult> {
  const u = new URL(url);
  const client = new Client(u.origin, { keepAliveTimeout: 60_000, pipelining: 1 });
  const times: number[] = [];
  let failed = 0;
  try {
    for (let i = 0; i < warmup + n; i++) {
      const t0 = process.hrtime.bigint();
      const res = await client.request({
        path: u.pathname,
        method: "POST",
        body,
        headers: { "content-type": "application/json", ...headers },
      });
      await res.body.arrayBuffer();
      const us = Number(process.hrtime.bigint() - t0) / 1000;
      if (i < warmup) continue;
      times.push(us);
      if (res.statusCode < 200 || res.statusCode >= 300) failed += 1;
    }
  } finally {
    await client.close();
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p90: percentile(times, 90), p99: percentile(times, 99), failed };
}
