/** src/server/staggered.ts: each member visited once per period, a slot of them per tick, paced by the clock. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Staggered } from "../../src/server/staggered.js";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** The fake timers' clock (they move Date with the timers they run). */
const fakeClock = () => Date.now();

describe("Staggered", () => {
  it("visits every member once per period, spread over ticks of ~100 ms", () => {
    const visits: Array<[number, number]> = [];
    const s = new Staggered<number>(1000, (m) => visits.push([Date.now(), m]), fakeClock);
    for (let m = 0; m < 100; m++) s.add(m);
    vi.advanceTimersByTime(3000);
    // Three periods: each member three times, at the same point of each period.
    for (let m = 0; m < 100; m++) {
      const at = visits.filter(([, v]) => v === m).map(([t]) => t);
      expect(at).toHaveLength(3);
      expect(at[1] - at[0]).toBe(1000);
      expect(at[2] - at[1]).toBe(1000);
    }
    // Ten slots of ten members; no tick visits more than a slot.
    const perTick = new Map<number, number>();
    for (const [t] of visits) perTick.set(t, (perTick.get(t) ?? 0) + 1);
    expect(perTick.size).toBe(30);
    expect(Math.max(...perTick.values())).toBe(10);
  });

  it("stops visiting a deleted member, also one deleted during its own visit, and stops the timer when empty", () => {
    const visited: string[] = [];
    const s: Staggered<string> = new Staggered(
      200,
      (m) => {
        visited.push(m);
        if (m === "gone-on-visit") s.delete(m);
      },
      fakeClock,
    );
    s.add("stays");
    s.add("gone-on-visit");
    s.add("deleted");
    s.delete("deleted");
    vi.advanceTimersByTime(600);
    expect(visited.filter((m) => m === "stays")).toHaveLength(3);
    expect(visited.filter((m) => m === "gone-on-visit")).toHaveLength(1);
    expect(visited).not.toContain("deleted");
    s.delete("stays");
    expect(s.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a period shorter than a tick is one slot: all members each period", () => {
    const visits: number[] = [];
    const start = Date.now();
    const s = new Staggered<number>(40, () => visits.push(Date.now() - start), fakeClock);
    for (let m = 0; m < 5; m++) s.add(m);
    vi.advanceTimersByTime(80);
    expect(visits).toEqual([40, 40, 40, 40, 40, 80, 80, 80, 80, 80]);
    s.stop();
  });

  it("late ticks visit every slot that has come due, so a member's visits stay a period apart", () => {
    // Each tick fires 150 ms after the one before (a busy loop), not 100: counting ticks would
    // stretch the period to 1.5 s; the clock keeps it at 1 s, give or take one late tick.
    let clock = 0;
    const visits: Array<[number, number]> = [];
    const s = new Staggered<number>(
      1000,
      (m) => visits.push([clock, m]),
      () => clock,
    );
    for (let m = 0; m < 10; m++) s.add(m);
    for (let i = 0; i < 20; i++) {
      clock += 150;
      vi.advanceTimersByTime(100);
    }
    for (let m = 0; m < 10; m++) {
      const at = visits.filter(([, v]) => v === m).map(([t]) => t);
      expect(at).toHaveLength(3);
      for (let k = 1; k < at.length; k++) expect(at[k] - at[k - 1]).toBeLessThanOrEqual(1000 + 150);
    }
    // A stall of several periods visits each member once, not once per missed period.
    visits.length = 0;
    clock += 5000;
    vi.advanceTimersByTime(100);
    expect(visits.map(([, m]) => m).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    s.stop();
  });
});
