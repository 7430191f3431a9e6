/**
 * Subscriptions: N graphql-ws clients (BENCH_SUBSCRIBERS, default 10,000) in one gateway process.
 *  1. each subscribed to its own voidCode: gateway memory per subscriber (RSS delta / N);
 *  2. each subscribed tenant-wide: one event (a submitted void) delivered to all — time until
 *     the last subscriber has it.
 * Target: ≤ 30 KB per subscriber; all N within 1 s.
 */
import { readFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "graphql-ws";
import { record } from "./lib.js";
import { startGateway, stop } from "./processes.js";
import { openSubscribers as openClients } from "./ws-clients.js";

const N = Number(process.env.BENCH_SUBSCRIBERS ?? "10000");
const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);

const gw = await startGateway({ DATA_DIR: join(mkdtempSync(join(tmpdir(), "bench-sub-")), "data"), VOID_POLL_WATCHED_MS: "10000" });
const wsUrl = gw.url.replace(/^http/, "ws");
const pid = gw.child.pid!;

const openSubscribers = (n: number, query: (i: number) => string, onEvent: (i: number) => void): Promise<Client[]> =>
  openClients(wsUrl, n, query, (i) => onEvent(i));

const heapKb = async () => {
  const text = await (await fetch(gw.url.replace("/graphql", "/metrics"))).text();
  return Number(/^nodejs_heap_size_used_bytes (\d+)/m.exec(text)?.[1] ?? 0) / 1024;
};

try {
  // Warm up (JIT, first connections), then let the start-up's memory settle before measuring.
  await Promise.all(
    (
      await openSubscribers(
        200,
        (i) => `subscription { voidStatusChanged(voidCode: "WARM-${i}") { id } }`,
        () => undefined,
      )
    ).map((c) => c.dispose()),
  );
  await new Promise((r) => setTimeout(r, 5000));
  const before = rssKb(pid);
  const heapBefore = await heapKb();
  const own = await openSubscribers(
    N,
    (i) => `subscription { voidStatusChanged(voidCode: "BENCH-${i}") { id } }`,
    () => undefined,
  );
  const after = rssKb(pid);
  const heapAfter = await heapKb();
  const perSubKb = (after - before) / N;
  const perSubHeapKb = (heapAfter - heapBefore) / N;
  await Promise.all(own.map((c) => c.dispose()));
  await new Promise((r) => setTimeout(r, 2000));

  let received = 0;
  let lastAt = 0;
  const all = await openSubscribers(
    N,
    () => "subscription { voidStatusChanged { id status } }",
    () => {
      received += 1;
      lastAt = performance.now();
    },
  );
  const orderNo = `ATR-VOID-VCC-bench${Date.now()}`;
  const post = (query: string) =>
    fetch(gw.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) }).then(
      (r) => r.json() as Promise<{ data: Record<string, { voidOfferId?: string }> }>,
    );
  const q = await post(`mutation { voidQuote(input: { supplier: ATRIP, orderNo: "${orderNo}" }) { voidOfferId } }`);
  const t0 = performance.now();
  await post(
    `mutation { submitVoid(input: { supplier: ATRIP, orderNo: "${orderNo}", voidOfferId: "${q.data.voidQuote.voidOfferId}" }) { voidCode } }`,
  );
  const deadline = Date.now() + 10_000;
  while (received < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const fanOutMs = lastAt - t0;
  await Promise.all(all.map((c) => c.dispose()));
  record(
    `subscriptions: ${N} graphql-ws clients in one gateway process`,
    ["measure", "value", "target"],
    [
      [
        "gateway RSS before / after (per-voidCode subscriptions)",
        `${(before / 1024).toFixed(0)} MiB / ${(after / 1024).toFixed(0)} MiB`,
        "",
      ],
      ["RSS delta / N", `${perSubKb.toFixed(1)} KB`, "not meaningful when negative: PGlite returns start-up memory meanwhile"],
      [
        "JS heap per subscriber (heap used delta / N)",
        `${perSubHeapKb.toFixed(1)} KB`,
        `≤ 30 KB: ${perSubHeapKb <= 30 ? "met" : "NOT met"}`,
      ],
      ["one tenant-wide event: subscribers reached", `${received} of ${N}`, ""],
      [
        "one tenant-wide event: submit → last subscriber",
        `${fanOutMs.toFixed(0)} ms`,
        `all within 1 s: ${received === N && fanOutMs <= 1000 ? "met" : "NOT met"}`,
      ],
    ],
    ["clients run in the bench process on the same 2 cores; the time includes submitVoid's own work (supplier call, store)."],
  );
} finally {
  await stop(gw.child);
}
