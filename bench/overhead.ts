/**
 * Overhead: voidQuote through the gateway vs the same voidQuotation.do sent straight to the
 * ATRIP simulator (its own process), 50 concurrent clients. Targets: gateway throughput
 * ≥ 0.5× direct; added p50 latency ≤ 1 ms.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load, record } from "./lib.js";
import { startGateway, startSim, stop } from "./processes.js";

const seconds = Number(process.env.BENCH_SECONDS ?? "10");
const connections = 50;
const KEY = "bench-api-key-0123456789";

const sim = await startSim();
const gw = await startGateway({
  ATRIP_BASE_URL: sim.url,
  ATRIP_CLIENT_ID: "bench-client",
  ATRIP_CLIENT_SECRET: "bench-secret",
  API_KEYS: JSON.stringify([{ key: KEY, tenant: "bench", scopes: ["read", "write"] }]),
  DATA_DIR: join(mkdtempSync(join(tmpdir(), "bench-")), "data"),
});
try {
  // Warm both paths (JIT, keep-alive sockets).
  await load({ url: `${sim.url}/voidQuotation.do`, body: '{"orderNo":"ATR-VOID-DEPOSIT"}', headers: { "x-atlas-client-id": "bench-client", "x-atlas-client-secret": "bench-secret", "accept-encoding": "gzip" }, connections, seconds: 2 });
  const query = JSON.stringify({ query: 'mutation { voidQuote(input: { supplier: ATRIP, orderNo: "ATR-VOID-DEPOSIT" }) { voidOfferId fare { originalAmount } } }' });
  await load({ url: gw.url, body: query, headers: { authorization: `Bearer ${KEY}` }, connections, seconds: 2 });

  const direct = await load({
    url: `${sim.url}/voidQuotation.do`,
    body: '{"orderNo":"ATR-VOID-DEPOSIT"}',
    headers: { "x-atlas-client-id": "bench-client", "x-atlas-client-secret": "bench-secret", "accept-encoding": "gzip" },
    connections,
    seconds,
  });
  const via = await load({ url: gw.url, body: query, headers: { authorization: `Bearer ${KEY}` }, connections, seconds });
  const ratio = via.requestsPerSec / direct.requestsPerSec;
  const added = via.p50 - direct.p50;
  record(
    `overhead: voidQuote via gateway vs voidQuotation.do direct (${connections} connections, ${seconds} s)`,
    ["path", "req/s", "p50 ms", "p99 ms", "2xx", "non-2xx", "errors"],
    [
      ["direct to simulator", direct.requestsPerSec.toFixed(0), direct.p50, direct.p99, direct.ok, direct.non2xx, direct.errors],
      ["through gateway", via.requestsPerSec.toFixed(0), via.p50, via.p99, via.ok, via.non2xx, via.errors],
    ],
    [
      `throughput ratio gateway/direct: ${ratio.toFixed(2)} (target ≥ 0.5: ${ratio >= 0.5 ? "met" : "NOT met"})`,
      `added p50: ${added.toFixed(2)} ms (target ≤ 1 ms: ${added <= 1 ? "met" : "NOT met"})`,
      "load generator, gateway and simulator share the machine's 2 cores (three processes).",
    ],
  );
} finally {
  await stop(gw.child);
  await stop(sim.child);
}
