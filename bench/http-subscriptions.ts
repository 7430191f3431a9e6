/**
 * Idle subscribers by transport (issue 23, item 8): N clients (BENCH_SUBSCRIBERS, default
 * 10,000) each with one subscription to its own voidCode, held open and idle in one gateway
 * process, over the websocket (graphql-ws), multipart HTTP and SSE in turn, in the same run:
 *  - memory per idle subscriber: the gateway's RSS and JS heap delta / N;
 *  - CPU per heartbeat minute: the gateway's CPU seconds over 60 s of idleness, which is the
 *    keep-alive traffic alone — multipart heartbeat parts every HTTP_SUBSCRIPTION_HEARTBEAT_MS
 *    (5 s), graphql-sse's comment every 12 s, websocket pings every WS_KEEPALIVE_MS (25 s).
 * The HTTP clients are plain node:http requests that read and drop what arrives (a real
 * client's parsing costs the client, not the gateway); the websocket clients are graphql-ws.
 */
import http from "node:http";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cpuSeconds, record } from "./lib.js";
import { startGateway, stop } from "./processes.js";
import { openSubscribers as openWsClients } from "./ws-clients.js";

const N = Number(process.env.BENCH_SUBSCRIBERS ?? "10000");
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? "60");
const status = (pid: number, field: string) =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const gw = await startGateway({ DATA_DIR: join(mkdtempSync(join(tmpdir(), "bench-httpsub-")), "data"), VOID_POLL_WATCHED_MS: "600000" });
const pid = gw.child.pid!;
const query = (i: number) => `subscription { voidStatusChanged(voidCode: "IDLE-${i}") { id } }`;

const heapKb = async () => {
  const text = await (await fetch(gw.url.replace("/graphql", "/metrics"))).text();
  return Number(/^nodejs_heap_size_used_bytes (\d+)/m.exec(text)?.[1] ?? 0) / 1024;
};
const active = async () => {
  const text = await (await fetch(gw.url.replace("/graphql", "/metrics"))).text();
  return Number(/^gateway_active_subscriptions (\d+)/m.exec(text)?.[1] ?? 0);
};

/** Opens `n` HTTP streams (250 at a time), each reading and dropping what arrives; resolves with their closers. */
async function openHttp(accept: string, n: number): Promise<Array<() => void>> {
  const closers: Array<() => void> = [];
  let bytes = 0;
  for (let start = 0; start < n; start += 250) {
    await Promise.all(
      Array.from({ length: Math.min(250, n - start) }, (_, k) => {
        const body = JSON.stringify({ query: query(start + k) });
        return new Promise<void>((resolve, reject) => {
          const req = http.request(gw.url, {
            method: "POST",
            agent: false,
            headers: { "content-type": "application/json", accept, "content-length": Buffer.byteLength(body) },
          });
          req.on("response", (res) => {
            if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
            res.on("data", (d: Buffer) => (bytes += d.length));
            res.on("error", () => undefined);
            resolve();
          });
          req.on("error", () => undefined);
          req.end(body);
          closers.push(() => req.destroy());
        });
      }),
    );
  }
  void bytes;
  return closers;
}

type Transport = "websocket" | "multipart" | "sse";
async function open(t: Transport, n: number): Promise<Array<() => void>> {
  if (t === "websocket")
    return (await openWsClients(gw.url.replace(/^http/, "ws"), n, query, () => undefined)).map((c) => () => void c.dispose());
  return openHttp(t === "multipart" ? 'multipart/mixed;boundary="graphql";subscriptionSpec=1.0' : "text/event-stream", n);
}

async function until(cond: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("timed out");
    await sleep(200);
  }
}

const rows: string[][] = [];
try {
  // Warm-up: each transport once, a few hundred subscribers, then let start-up memory settle.
  for (const t of ["websocket", "multipart", "sse"] as const) (await open(t, 200)).forEach((c) => c());
  await until(async () => (await active()) === 0);
  await sleep(5000);
  // The idle gateway's own minute (scheduler ticks, metrics, idle GC), to read the rows against.
  const base0 = cpuSeconds(pid)!;
  await sleep(IDLE_S * 1000);
  const baseMs = (((cpuSeconds(pid)! - base0) * 60) / IDLE_S) * 1000;
  rows.push(["none (baseline)", "", "", `${baseMs.toFixed(0)} ms`, "", `${(status(pid, "VmHWM") / 1024).toFixed(0)} MiB`]);
  for (const t of ["websocket", "multipart", "sse"] as const) {
    const rssBefore = status(pid, "VmRSS");
    const heapBefore = await heapKb();
    const closers = await open(t, N);
    await until(async () => (await active()) === N);
    await sleep(2000);
    const rssAfter = status(pid, "VmRSS");
    const heapAfter = await heapKb();
    const cpu0 = cpuSeconds(pid)!;
    await sleep(IDLE_S * 1000);
    const cpuPerMin = ((cpuSeconds(pid)! - cpu0) * 60) / IDLE_S;
    closers.forEach((c) => c());
    await until(async () => (await active()) === 0);
    rows.push([
      t,
      `${((rssAfter - rssBefore) / N).toFixed(1)} KB`,
      `${((heapAfter - heapBefore) / N).toFixed(1)} KB`,
      `${(cpuPerMin * 1000).toFixed(0)} ms`,
      `${((cpuPerMin * 1000 - baseMs) / N).toFixed(3)} ms`,
      `${(status(pid, "VmHWM") / 1024).toFixed(0)} MiB`,
    ]);
    console.log(rows.at(-1)!.join(" | "));
    await sleep(5000);
  }
  record(
    `idle subscribers by transport: ${N} per transport in one gateway process, ${IDLE_S} s idle each`,
    [
      "transport",
      "RSS / subscriber",
      "JS heap / subscriber",
      "gateway CPU per idle minute",
      "per subscriber (above the baseline)",
      "peak RSS so far",
    ],
    rows,
    [
      "Keep-alive traffic in that minute: multipart a heartbeat part every 5 s (HTTP_SUBSCRIPTION_HEARTBEAT_MS), SSE graphql-sse's comment every 12 s, websocket a ping every 25 s (WS_KEEPALIVE_MS).",
      "Transports measured one after the other in one run; clients in the bench process on the same 2 cores; RSS deltas are noisy (PGlite and the allocator return memory meanwhile), the heap delta less so.",
    ],
  );
} finally {
  await stop(gw.child);
}
