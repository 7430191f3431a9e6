/**
 * Memory under and after load (issue 22, item 2): the heap's growth step, and memory given back
 * after a burst of work. V8 sizes its heap for the
 * machine, not the container: after a load the old generation holds a hundred megabytes or more
 * of garbage that no collection reclaims while the process idles (measured: 43 MB live in a
 * 150 MB heap, 60 s after a quote load, RSS still 330 MB). When the heap has grown well past what
 * the last full collection left and the event loop has been mostly idle for a whole interval,
 * this runs one full collection — a pause of tens of milliseconds at a moment nothing waits.
 *
 * V8's own `gc()` is reached by turning on its flag at run time (`--expose-gc`) and reading the
 * function from a fresh context; nothing else of V8's behaviour changes.
 */
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export interface IdleGcOptions {
  /** How often to look (IDLE_GC_MS); 0 turns it off. */
  everyMs: number;
  /**
   * Heap growth since the last full collection that makes one worth it. With 32 MiB, RSS 20 s
   * after a 40 s quote load stayed 13 % above its idle figure in one run of two; with 8 MiB it was
   * back within 4 % in both (issue 22, item 2). A large live heap (thousands of subscribers)
   * waits for an eighth of itself instead, so its longer collections stay as rare. @default 8 MiB
   */
  growthBytes?: number;
  /** Event-loop utilisation over the last interval below which the process counts as idle. @default 0.1 */
  idleBelow?: number;
  /** Told of each collection (for a debug log line). */
  onCollect?: (before: number, after: number, ms: number) => void;
}

/** Starts looking; returns the function that stops it. */
export function startIdleGc(opts: IdleGcOptions): () => void {
  if (opts.everyMs <= 0) return () => undefined;
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const growth = opts.growthBytes ?? 8 * 2 ** 20;
  const idleBelow = opts.idleBelow ?? 0.1;
  // The first look after start-up collects what loading the gateway left behind.
  let baseline = 0;
  let last = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const utilisation = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    const before = process.memoryUsage().heapUsed;
    if (utilisation >= idleBelow || before - baseline < Math.max(growth, baseline / 8)) return;
    const started = performance.now();
    gc();
    baseline = process.memoryUsage().heapUsed;
    opts.onCollect?.(before, baseline, performance.now() - started);
  }, opts.everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Caps how far V8 lets the heap grow past what its last full collection left before the next
 * one (V8's `--heap-growing-percent`, read at each collection, so setting it at start-up takes
 * effect). V8 sizes that step for the machine's memory; on a large host a 60 s quote load grew
 * the heap to 150 MB of mostly garbage (peak RSS 375 MB) where 20 % kept it at 82 MB (peak
 * 282 MB) at the same throughput (issue 22, item 2). 0 leaves V8's own.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
