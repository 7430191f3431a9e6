/**
 * Overhead: voidQuote through the gateway vs the same voidQuotation.do sent straight to the
 * ATRIP simulator (its own process), 50 concurrent clients. Targets: gateway throughput
 * ≥ 0.5× direct; added p50 latency ≤ 1 ms.
 *
 * Besides the two target rows it records what explains them: a GraphQL query that calls no
 * supplier (the gateway's fixed cost per request), the same paths with one connection (the
 * latency a request pays when nothing queues), and each process's CPU time per request.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { atripGatewayEnv, BENCH_ATRIP, BENCH_KEY } from "./gateway-client.js";
import { cpuSeconds, load, record, type LoadResult } from "./lib.js";
import { startGateway, startSim, stop } from "./processes.js";

const seconds = Number(process.env.BENCH_SECONDS ?? "10");
const connections = 50;

const sim = await startSim();
const gw = await startGateway({
  ...atripGatewayEnv(sim.url),
  DATA_DIR: join(mkdtempSync(join(tmpdir(), "bench-")), "data"),
});

const direct = {
  url: `${sim.url}/voidQuotation.do`,
  body: '{"orderNo":"ATR-VOID-DEPOSIT"}',
  headers: { "x-atlas-client-id": BENCH_ATRIP.clientId, "x-atlas-client-secret": BENCH_ATRIP.clientSecret, "accept-encoding": "gzip" },
};
const gql = (query: string) => ({ url: gw.url, body: JSON.stringify({ query }), headers: { authorization: `Bearer ${BENCH_KEY}` } });
const viaGateway = gql('mutation { voidQuote(input: { supplier: ATRIP, orderNo: "ATR-VOID-DEPOSIT" }) { voidOfferId fare { originalAmount } } }');
const noSupplier = gql("{ suppliers { supplier available } }");

interface Row {
  path: string;
  connections: number;
  result: LoadResult;
  gatewayCpuUs?: number;
  simCpuUs?: number;
}

/** One load run, with the CPU the gateway and the simulator spent per completed request. */
async function run(path: string, target: { url: string; body: string; headers: Record<string, string> }, conns: number): Promise<Row> {
  const g0 = cpuSeconds(gw.child.pid);
  const s0 = cpuSeconds(sim.child.pid);
  const result = await load({ ...target, connections: conns, seconds });
  const g1 = cpuSeconds(gw.child.pid);
  const s1 = cpuSeconds(sim.child.pid);
  const perRequest = (a?: number, b?: number) => (a === undefined || b === undefined || result.ok === 0 ? undefined : ((b - a) / result.ok) * 1e6);
  return { path, connections: conns, result, gatewayCpuUs: perRequest(g0, g1), simCpuUs: perRequest(s0, s1) };
}

try {
  // Warm all paths (JIT, keep-alive sockets, the gateway's document cache).
  for (const t of [direct, viaGateway, noSupplier]) await load({ ...t, connections, seconds: 2 });

  const rows: Row[] = [
    await run("direct to simulator", direct, connections),
    await run("through gateway (voidQuote)", viaGateway, connections),
    await run("gateway, no supplier call (suppliers query)", noSupplier, connections),
    await run("direct to simulator", direct, 1),
    await run("through gateway (voidQuote)", viaGateway, 1),
  ];
  const [d50, g50, , d1, g1] = rows;
  const ratio = g50.result.requestsPerSec / d50.result.requestsPerSec;
  const added50 = g50.result.p50 - d50.result.p50;
  const added1 = g1.result.p50 - d1.result.p50;
  const us = (v?: number) => (v === undefined ? "n/a" : v.toFixed(0));
  record(
    `overhead: voidQuote via gateway vs voidQuotation.do direct (${seconds} s per row)`,
    ["path", "connections", "req/s", "p50 ms", "p99 ms", "2xx", "non-2xx", "errors", "gateway CPU µs/req", "simulator CPU µs/req"],
    rows.map((r) => [
      r.path,
      r.connections,
      r.result.requestsPerSec.toFixed(0),
      r.result.p50,
      r.result.p99,
      r.result.ok,
      r.result.non2xx,
      r.result.errors,
      r.path.startsWith("direct") ? "—" : us(r.gatewayCpuUs),
      us(r.simCpuUs),
    ]),
    [
      `throughput ratio gateway/direct at ${connections} connections: ${ratio.toFixed(2)} (target ≥ 0.5: ${ratio >= 0.5 ? "met" : "NOT met"})`,
      `added p50 at ${connections} connections: ${added50.toFixed(2)} ms (target ≤ 1 ms: ${added50 <= 1 ? "met" : "NOT met"}); with 1 connection (no queueing): ${added1.toFixed(2)} ms`,
      "load generator, gateway and simulator share the machine's 2 cores (three processes); CPU per request is from /proc (10 ms ticks).",
    ],
  );
} finally {
  await stop(gw.child);
  await stop(sim.child);
}
