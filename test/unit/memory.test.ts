/** Memory back after a burst of work (issue 22, item 2): one full collection once the process idles, none while it works. */
import { describe, expect, it } from "vitest";
import { startIdleGc } from "../../src/reliability/memory.js";

describe("idle full collection", () => {
  it("collects the garbage of a burst once the event loop idles, and only then", async () => {
    const collected: Array<[number, number]> = [];
    const stop = startIdleGc({ everyMs: 100, growthBytes: 8 * 2 ** 20, onCollect: (before, after) => collected.push([before, after]) });
    try {
      // A burst: objects held long enough to reach the old generation (tens of MB), the loop
      // busy for longer than an interval, then all of it dropped.
      let held: unknown[] = Array.from({ length: 400_000 }, (_, i) => ({ i, s: `x${i}` }));
      const until = Date.now() + 250;
      let churn = 0;
      while (Date.now() < until) churn += Array.from({ length: 1_000 }, (_, i) => ({ i })).length;
      expect(churn).toBeGreaterThan(0);
      expect(held.length).toBe(400_000);
      held = [];
      await new Promise((r) => setTimeout(r, 450));
      expect(collected.length).toBeGreaterThanOrEqual(1);
      const [before, after] = collected[0];
      expect(after).toBeLessThan(before);
      // Idle and nothing new: no further collections.
      const n = collected.length;
      await new Promise((r) => setTimeout(r, 350));
      expect(collected.length).toBe(n);
    } finally {
      stop();
    }
  });

  it("is off with 0", () => {
    expect(startIdleGc({ everyMs: 0 })).toBeTypeOf("function");
  });
});
