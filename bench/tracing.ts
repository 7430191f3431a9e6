/**
 * What tracing costs: gateway CPU per `voidQuote` with tracing off, on at 100 % sampling
 * (`OTEL_TRACES_SAMPLER=parentbased_always_on`) and on at 10 % (`traceidratio`, 0.1), in one
 * run, against one supplier stand-in (bench/sim-process.ts), exporting OTLP/HTTP (the default
 * http/protobuf) to a local sink that accepts and discards. With BENCH_BASE_MAIN=<another
 * build's dist/src/main.js> (the build before tracing) that build runs too, as "before", so
 * "off" is compared with it in the same session.
 *
 * Builds run in turn, BENCH_ROUNDS times (alternating, so drift on the shared machine hits all
 * alike): 2 s warm-up, then BENCH_SECONDS at 50 connections (CPU from /proc), then 1,500
 * requests one after another at one connection (p50 in µs). The sink counts the spans it
 * receives, so the table shows what was exported per request.
 */
import http from "node:http";
import { mkdtempSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { atripGatewayEnv, BENCH_KEY } from "./gateway-client.js";
import { sequentialLatency } from "./latency.js";
import { cpuSeconds, load, record } from "./lib.js";
import { startGateway, startSim, stop } from "./processes.js";

const rounds = Number(process.env.BENCH_ROUNDS ?? "3");
const seconds = Number(process.env.BENCH_SECONDS ?? "8");
const connections = 50;

/** Counts the spans of an OTLP protobuf export without decoding them: the Span messages of each ScopeSpans. */
function countSpans(buf: Buffer): number {
  let n = 0;
  // Walks length-delimited fields: ExportTraceServiceRequest.1 → ResourceSpans.2 → ScopeSpans.2 (Span).
  const walk = (b: Buffer, path: number[], depth: number): void => {
    let pos = 0;
    const varint = () => {
      let r = 0;
      let s = 1;
      for (;;) {
        const x = b[pos++];
        r += (x & 0x7f) * s;
        if (x < 0x80) return r;
        s *= 128;
      }
    };
    while (pos < b.length) {
      const key = varint();
      const wire = key & 7;
      const no = key >>> 3;
      if (wire === 0) varint();
      else if (wire === 1) pos += 8;
      else if (wire === 5) pos += 4;
      else if (wire === 2) {
        const len = varint();
        if (no === path[depth]) {
          if (depth === path.length - 1) n += 1;
          else walk(b.subarray(pos, pos + len), path, depth + 1);
        }
        pos += len;
      } else return;
    }
  };
  walk(buf, [1, 2, 2], 0);
  return n;
}

/** An OTLP/HTTP endpoint that accepts every export, counts its spans and keeps nothing. */
async function startSink(): Promise<{ url: string; spans: () => number; close: () => Promise<void> }> {
  let spans = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      spans += countSpans(Buffer.concat(chunks));
      res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans: () => spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const sim = await startSim();
const sink = await startSink();
const tracing = (sampler: string, arg?: string): Record<string, string> => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
  OTEL_TRACES_SAMPLER: sampler,
  ...(arg ? { OTEL_TRACES_SAMPLER_ARG: arg } : {}),
  // Room for every span between exports, so that all of them are exported (and paid for).
  OTEL_BSP_MAX_QUEUE_SIZE: "65536",
});
const builds: Array<{ label: string; env: Record<string, string>; main?: string }> = [
  ...(process.env.BENCH_BASE_MAIN ? [{ label: "before (the build without tracing)", env: {}, main: process.env.BENCH_BASE_MAIN }] : []),
  { label: "tracing off", env: {} },
  { label: "tracing on, 100 % (parentbased_always_on)", env: tracing("parentbased_always_on") },
  { label: "tracing on, 10 % (traceidratio 0.1)", env: tracing("traceidratio", "0.1") },
];
const quote = JSON.stringify({
  query: 'mutation { voidQuote(input: { supplier: ATRIP, orderNo: "ATR-VOID-DEPOSIT" }) { voidOfferId fare { originalAmount } } }',
});
const headers = { authorization: `Bearer ${BENCH_KEY}` };

interface Run {
  cpuUs: number;
  rps: number;
  p50Ms: number;
  p50Us: number;
  spansPerRequest: number;
}
const results = new Map<string, Run[]>();
try {
  for (let round = 0; round < rounds; round++) {
    for (const b of builds) {
      const gw = await startGateway(
        { ...atripGatewayEnv(sim.url), DATA_DIR: join(mkdtempSync(join(tmpdir(), "bench-tracing-")), "data"), ...b.env },
        undefined,
        b.main,
      );
      try {
        await load({ url: gw.url, body: quote, headers, connections, seconds: 2 });
        // Spans of the warm-up still on their way are not this run's.
        await new Promise((r) => setTimeout(r, b.env.OTEL_EXPORTER_OTLP_ENDPOINT ? 5500 : 0));
        const s0 = sink.spans();
        const c0 = cpuSeconds(gw.child.pid)!;
        const r = await load({ url: gw.url, body: quote, headers, connections, seconds });
        const cpuUs = ((cpuSeconds(gw.child.pid)! - c0) / r.ok) * 1e6;
        const lat = await sequentialLatency(gw.url, quote, headers, 1500);
        // The batch processor exports every 5 s: wait for the rest of this run's spans.
        await new Promise((r) => setTimeout(r, b.env.OTEL_EXPORTER_OTLP_ENDPOINT ? 5500 : 0));
        const exported = sink.spans() - s0;
        const list = results.get(b.label) ?? [];
        list.push({ cpuUs, rps: r.requestsPerSec, p50Ms: r.p50, p50Us: lat.p50, spansPerRequest: exported / (r.ok + 1800) });
        results.set(b.label, list);
      } finally {
        await stop(gw.child);
      }
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
  const off = mean(results.get("tracing off")!.map((x) => x.cpuUs));
  const rows = builds.map((b) => {
    const r = results.get(b.label)!;
    const cpu = mean(r.map((x) => x.cpuUs));
    return [
      b.label,
      r.map((x) => x.cpuUs.toFixed(0)).join(" / "),
      cpu.toFixed(0),
      `${cpu >= off ? "+" : ""}${(((cpu - off) / off) * 100).toFixed(1)} %`,
      mean(r.map((x) => x.rps)).toFixed(0),
      mean(r.map((x) => x.p50Ms)).toFixed(1),
      mean(r.map((x) => x.p50Us)).toFixed(0),
      mean(r.map((x) => x.spansPerRequest)).toFixed(2),
    ];
  });
  record(
    `tracing: gateway CPU per voidQuote, off / on at 100 % / on at 10 % (${rounds} alternating rounds, ${seconds} s at ${connections} connections)`,
    [
      "build",
      "CPU µs per voidQuote (each round)",
      "mean",
      "vs off",
      "req/s",
      "p50 ms (50 conns)",
      "p50 µs (1 conn)",
      "spans exported per request",
    ],
    rows,
    [
      "tracing on: OTLP/HTTP protobuf (the default) to a local sink that counts spans and discards them; OTEL_BSP_MAX_QUEUE_SIZE=65536 so no span is dropped between exports; the in-process simulators are not involved (one supplier stand-in process for all).",
      "spans per request: those the sink received for the run (50-connection load plus the 1,500 + 300 sequential requests), per request.",
      process.env.BENCH_BASE_MAIN ? `before = ${process.env.BENCH_BASE_MAIN}` : "BENCH_BASE_MAIN unset: no 'before' build in this run.",
      "the load generator, the gateway, the stand-in and the sink share the machine's 2 cores; CPU per request is from /proc (10 ms ticks).",
    ],
  );
} finally {
  await stop(sim.child);
  await sink.close();
}
