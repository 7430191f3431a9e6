/**
 * The supplier leg alone: one gzip voidQuotation.do to the ATRIP simulator (its own process),
 * 50 calls in flight, sent by each HTTP client the gateway could use. Reports calls per second
 * and the client process's CPU per call. This is the measurement behind datasources/http.ts
 * using undici's `request` instead of node-fetch.
 */
import { Agent } from "node:http";
import nodeFetch from "node-fetch";
import { SupplierHttp } from "../datasources/http.js";
import { BENCH_ATRIP } from "./gateway-client.js";
import { record } from "./lib.js";
import { startSim, stop } from "./processes.js";

const seconds = Number(process.env.BENCH_SECONDS ?? "4");
const inFlight = 50;
const sim = await startSim();
const url = `${sim.url}/voidQuotation.do`;
const body = '{"orderNo":"ATR-VOID-DEPOSIT"}';
const headers = {
  "Content-Type": "application/json",
  Accept: "application/json",
  "Accept-Encoding": "gzip",
  "x-atlas-client-id": BENCH_ATRIP.clientId,
  "x-atlas-client-secret": BENCH_ATRIP.clientSecret,
};

const gatewayHttp = new SupplierHttp();
const keepAlive = new Agent({ keepAlive: true, maxSockets: 128 });
const clients: Record<string, () => Promise<string>> = {
  "undici request (the gateway's SupplierHttp)": async () =>
    (await gatewayHttp.post({ supplier: "ATRIP", operation: "voidQuotation.do", url, headers, body, timeoutMs: 5000, changesState: false }))
      .text,
  "node-fetch 3 (keep-alive agent, AbortController timeout)": async () => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 5000);
    try {
      const res = await nodeFetch(url, { method: "POST", headers, body, signal: controller.signal, agent: keepAlive });
      return await res.text();
    } finally {
      clearTimeout(timer);
    }
  },
  "Node's built-in fetch (undici's fetch)": async () => {
    const res = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(5000) });
    return res.text();
  },
};

async function measure(send: () => Promise<string>, ms: number): Promise<{ perSec: number; cpuUs: number }> {
  let calls = 0;
  const end = Date.now() + ms;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (Date.now() < end) {
        const text = await send();
        if (!text.includes('"status":0')) throw new Error(`unexpected reply: ${text.slice(0, 80)}`);
        calls += 1;
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { perSec: (calls / (performance.now() - t0)) * 1000, cpuUs: (cpu.user + cpu.system) / calls };
}

try {
  const totals = new Map<string, { perSec: number; cpuUs: number }>();
  const rounds = 2;
  for (let round = 0; round < rounds; round++) {
    for (const [name, send] of Object.entries(clients)) {
      await measure(send, 1000); // warm: JIT, sockets
      const r = await measure(send, seconds * 1000);
      const t = totals.get(name) ?? { perSec: 0, cpuUs: 0 };
      totals.set(name, { perSec: t.perSec + r.perSec / rounds, cpuUs: t.cpuUs + r.cpuUs / rounds });
    }
  }
  const rows = [...totals].map(([name, t]) => [name, t.perSec.toFixed(0), t.cpuUs.toFixed(0)]);
  record(
    `supplier HTTP client: gzip voidQuotation.do to the simulator (${inFlight} in flight, ${rounds} × ${seconds} s each)`,
    ["client", "calls/s", "client CPU µs per call"],
    rows,
    ["each client is measured alone, alternating rounds; CPU is the calling process's user + system time divided by calls."],
  );
} finally {
  await gatewayHttp.close();
  keepAlive.destroy();
  await stop(sim.child);
}
