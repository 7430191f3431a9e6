/**
 * A/B of gateway builds in one session (issue 14: "a before/after table from one session for
 * each change kept"). BENCH_AB="label=/path/to/dist/src/main.js,label=…": each build in turn,
 * BENCH_AB_ROUNDS times (alternating, so drift on the shared machine hits all alike), against
 * one supplier stand-in: CPU per voidQuote and per no-supplier query at 50 connections, and the
 * voidQuote p50 at one connection in µs, and the peak RSS after the voidQuote load. A build runs with `npm start`'s Node options, or with
 * those written after it (`semi16=/path/dist/src/main.js --max-semi-space-size=16`) to compare
 * settings of one build.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { atripGatewayEnv, BENCH_KEY } from "./gateway-client.js";
import { sequentialLatency } from "./latency.js";
import { cpuSeconds, load, processMemory, record } from "./lib.js";
import { startGateway, startSim, stop } from "./processes.js";

const builds = (process.env.BENCH_AB ?? "")
  .split(",")
  .filter(Boolean)
  .map((e) => {
    const at = e.indexOf("=");
    const [main, ...nodeArgs] = e
      .slice(at + 1)
      .split(" ")
      .filter(Boolean);
    return { label: e.slice(0, at), main, nodeArgs };
  });
if (builds.length < 2) throw new Error('set BENCH_AB="before=/path/dist/src/main.js,after=/path/dist/src/main.js"');
const rounds = Number(process.env.BENCH_AB_ROUNDS ?? "2");
const seconds = Number(process.env.BENCH_SECONDS ?? "6");

const sim = await startSim();
const quote = JSON.stringify({
  query: 'mutation { voidQuote(input: { supplier: ATRIP, orderNo: "ATR-VOID-DEPOSIT" }) { voidOfferId fare { originalAmount } } }',
});
const suppliers = JSON.stringify({ query: "{ suppliers { supplier available } }" });
const headers = { authorization: `Bearer ${BENCH_KEY}` };

const results = new Map<string, Array<{ quoteRps: number; quoteCpu: number; noneCpu: number; p50: number; peakMb: number }>>();
try {
  for (let round = 0; round < rounds; round++) {
    for (const b of builds) {
      const gw = await startGateway(
        { ...atripGatewayEnv(sim.url), DATA_DIR: join(mkdtempSync(join(tmpdir(), "bench-ab-")), "data") },
        b.nodeArgs.length > 0 ? b.nodeArgs : undefined,
        b.main,
      );
      try {
        const cpuPer = async (body: string) => {
          await load({ url: gw.url, body, headers, connections: 50, seconds: 2 });
          const c0 = cpuSeconds(gw.child.pid)!;
          const r = await load({ url: gw.url, body, headers, connections: 50, seconds });
          return { rps: r.requestsPerSec, cpu: ((cpuSeconds(gw.child.pid)! - c0) / r.ok) * 1e6 };
        };
        const q = await cpuPer(quote);
        const { peakMb } = processMemory(gw.child.pid!);
        const n = await cpuPer(suppliers);
        const lat = await sequentialLatency(gw.url, quote, headers, 1500);
        const list = results.get(b.label) ?? [];
        list.push({ quoteRps: q.rps, quoteCpu: q.cpu, noneCpu: n.cpu, p50: lat.p50, peakMb });
        results.set(b.label, list);
      } finally {
        await stop(gw.child);
      }
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
  const rows = builds.map((b) => {
    const r = results.get(b.label)!;
    return [
      b.label,
      r.map((x) => x.quoteCpu.toFixed(0)).join(" / "),
      mean(r.map((x) => x.quoteCpu)).toFixed(0),
      r.map((x) => x.noneCpu.toFixed(0)).join(" / "),
      mean(r.map((x) => x.noneCpu)).toFixed(0),
      mean(r.map((x) => x.quoteRps)).toFixed(0),
      mean(r.map((x) => x.p50)).toFixed(0),
      r.map((x) => x.peakMb.toFixed(0)).join(" / "),
    ];
  });
  record(
    `A/B of gateway builds, one session (${rounds} alternating rounds, ${seconds} s per load)`,
    [
      "build",
      "CPU µs per voidQuote (each round)",
      "mean",
      "CPU µs per suppliers query (each round)",
      "mean",
      "voidQuote req/s at 50 conns",
      "voidQuote p50 µs at 1 conn",
      "peak RSS MB after the voidQuote load (each round)",
    ],
    rows,
    [
      `builds: ${builds.map((b) => `${b.label} = ${[b.main, ...b.nodeArgs].join(" ")}`).join("; ")}`,
      "one supplier stand-in for all (gzip, 65 s keep-alive); CPU from /proc.",
    ],
  );
} finally {
  await stop(sim.child);
}
