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
import { constants, performance, PerformanceObserver } from "node:perf_hooks";
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export interface IdleGcOptions {
  /** How long the event loop must have been mostly idle (IDLE_GC_MS), looked at every fifth of it; 0 turns it off. */
  everyMs: number;
  /**
   * Heap growth since the last idle collection that makes one worth it: of the live heap, or of
   * the heap's committed size. With 32 MiB, RSS 20 s
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

/** Looks per interval: the idle interval is judged over a window that slides by a fifth of it. */
const LOOKS_PER_INTERVAL = 5;
/** Up to this live heap the idle collection is V8's memory-reducing one (below); above, a plain full collection. */
const REDUCING_BELOW = 128 * 2 ** 20;

type Gc = (options?: { type: "major"; execution: "sync"; flavor: "last-resort" }) => void;

/**
 * Whether V8's `gc()` takes its options. V8 11 (Node 20) reads `{ type: "major", ... }` as a
 * young-generation collection (`--trace-gc` shows a Scavenge, 0.1–4 ms, that leaves a burst's
 * tens of MB in the old generation); there only `gc()` without options collects it all. V8 12 on
 * (Node 22 on) runs the memory-reducing collection it asks for.
 */
const GC_TAKES_OPTIONS = Number(process.versions.v8.split(".")[0]) >= 12;

/** Starts looking; returns the function that stops it. */
export function startIdleGc(opts: IdleGcOptions): () => void {
  if (opts.everyMs <= 0) return () => undefined;
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as Gc;
  const growth = opts.growthBytes ?? 8 * 2 ** 20;
  const idleBelow = opts.idleBelow ?? 0.1;
  // The first look after start-up collects what loading the gateway left behind. What the last
  // idle collection left: the live heap, and the heap's committed size (what RSS holds for it).
  let baseline = 0;
  let committedBaseline = 0;
  // The event loop's figures at each of the last looks, oldest first: a load that ends is
  // followed by its collection one interval later (not up to two, as with one look per interval).
  const looks = [performance.eventLoopUtilization()];
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const utilisation = performance.eventLoopUtilization(now, looks[0]).utilization;
    looks.push(now);
    if (looks.length <= LOOKS_PER_INTERVAL) return;
    looks.shift();
    if (utilisation >= idleBelow) return;
    // Garbage left (the live heap grew), or a heap that grew and kept its pages: a load whose
    // last full collection came just before it ended leaves little garbage but a heap sized for
    // the load (the young generation grown to its limit, the old one to its growth step).
    const { used_heap_size: before, total_heap_size: committed } = getHeapStatistics();
    const worth = Math.max(growth, baseline / 8);
    if (before - baseline < worth && committed - committedBaseline < worth) return;
    const started = performance.now();
    // A small heap gets V8's memory-reducing collection (what it runs before giving up on an
    // allocation): it also hands back the pages the collection frees, which Node 26 otherwise
    // keeps pooled, and shrinks the young generation (bench/RESULTS.md, "Issue 24, seventh session").
    // A large one (thousands of subscribers) a plain one: the reducing kind collects several
    // times over, and an event arriving meanwhile would wait for all of them.
    if (before < REDUCING_BELOW && GC_TAKES_OPTIONS) gc({ type: "major", execution: "sync", flavor: "last-resort" });
    else gc();
    ({ used_heap_size: baseline, total_heap_size: committedBaseline } = getHeapStatistics());
    opts.onCollect?.(before, baseline, performance.now() - started);
  }, opts.everyMs / LOOKS_PER_INTERVAL);
  timer.unref();
  return () => clearInterval(timer);
}

/** What `limitHeapGrowth` is told. */
export interface HeapGrowthOptions {
  /** V8's `heap-growing-percent` while the heap is small (HEAP_GROWING_PERCENT); 0 leaves V8's own throughout. */
  percent: number;
  /**
   * Live heap (what a full collection left) from which V8's own growth applies, up to the next
   * full collection that leaves less than three quarters of it. @default 128 MiB
   */
  liftAboveBytes?: number;
  /** Told when the cap is lifted (false) or applies again (true), with the live heap. */
  onChange?: (capped: boolean, liveBytes: number) => void;
}

/** What `limitHeapGrowth` returns. */
export interface HeapGrowth {
  /**
   * From now on, the least the heap may grow past what the last full collection left, whatever
   * `percent` gives (HEAP_HEADROOM_MB; none until this is called). 20 % of a small heap is a few
   * megabytes, which a quote load promotes within a few hundred milliseconds, and each full
   * collection's marking costs CPU; a larger step costs memory after the load. Both are measured
   * in bench/RESULTS.md ("Issue 24, seventh session" and "thirteenth session"): off by default,
   * 32 MB in the container image.
   */
  setMinStep(bytes: number): void;
  /** Stops watching, and leaves V8's own growth. */
  stop(): void;
}

/**
 * Caps how far V8 lets the heap grow past what its last full collection left before the next
 * one (V8's `--heap-growing-percent`, read at each collection, so setting it at run time takes
 * effect). V8 sizes that step for the machine's memory; on a large host a 60 s quote load grew
 * the heap to 150 MB of mostly garbage (peak RSS 375 MB) where 20 % kept it at 82 MB (peak
 * 282 MB) at the same throughput (issue 22, item 2).
 *
 * The cap is for a small heap. A large live heap — thousands of subscribers: ~360 MB left by each
 * full collection in bench:events with 10,000 — under steady work reaches 20 % more within
 * seconds, and each full collection marks all of it: at 500 changes/s one every 4–5 s, each a
 * burst of a few hundred ms of the main thread, which held up every event delivered meanwhile
 * (bench/RESULTS.md, "Prepared statements on the embedded store and the heap's growth step"). So
 * once a full collection leaves `liftAboveBytes` or more, V8's own growth applies until one
 * leaves less than three quarters of it.
 */
export function limitHeapGrowth(opts: HeapGrowthOptions): HeapGrowth {
  const { percent } = opts;
  if (percent <= 0) return { setMinStep: () => undefined, stop: () => undefined };
  const liftAbove = opts.liftAboveBytes ?? 128 * 2 ** 20;
  let minStep = 0;
  let capped = true;
  let flag = -1;
  const set = (value: number) => {
    if (value === flag) return;
    flag = value;
    setFlagsFromString(`--heap-growing-percent=${value}`);
  };
  set(growthPercent(percent, minStep, getHeapStatistics().used_heap_size));
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if ((entry as { detail?: { kind?: number } }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      const live = getHeapStatistics().used_heap_size;
      const cap = capped ? live < liftAbove : live < (liftAbove * 3) / 4;
      set(cap ? growthPercent(percent, minStep, live) : 0);
      if (cap === capped) continue;
      capped = cap;
      opts.onChange?.(cap, live);
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  return {
    setMinStep: (bytes) => {
      minStep = bytes;
      if (capped) set(growthPercent(percent, minStep, getHeapStatistics().used_heap_size));
    },
    stop: () => {
      observer.disconnect();
      setFlagsFromString("--heap-growing-percent=0");
    },
  };
}

/** The growth step for a live heap of `liveBytes`: `percent`, or more when that is under `minStepBytes`. */
export function growthPercent(percent: number, minStepBytes: number, liveBytes: number): number {
  if (minStepBytes <= 0 || liveBytes <= 0) return percent;
  return Math.max(percent, Math.ceil((100 * minStepBytes) / liveBytes));
}
