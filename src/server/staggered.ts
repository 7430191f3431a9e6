/**
 * A periodic visit of many members (websocket keep-alive pings, HTTP stream heartbeats), spread
 * over the period instead of all at once (issue 24, item 3).
 *
 * One sweep of 10,000 websockets every 25 s held the event loop for 104–120 ms at a time in
 * `bench:events` (a CPU profile), and every event recorded meanwhile waited behind it: at 500
 * changes/s that is ~60 events late by up to the whole sweep, most of what a p99 of 50 ms allows
 * in a 20 s run. Here members are dealt round-robin into slots, one slot visited per tick
 * (every ~100 ms), so each member is still visited once per period, at the same point of it,
 * and a tick visits about members / slots of them (40 of 10,000 at 25 s).
 *
 * Slots are visited by the clock, not by counting ticks: a tick that comes late (a busy loop)
 * visits every slot that has come due, so lateness never adds up over a period's ticks and a
 * member's visits stay a period apart, give or take one late tick (a multipart heartbeat must
 * come at least every 5 s; a dead socket must go within two intervals).
 */

/** Ticks per period at most, and the tick aimed at. */
const MAX_SLOTS = 250;
const TICK_MS = 100;

/** Visits each member once every `periodMs`, a slot of members per tick; the timer runs only while there are members. */
export class Staggered<T> {
  private readonly slots: Array<Set<T>>;
  private readonly slotOf = new Map<T, number>();
  private readonly tickMs: number;
  /** The slot the next member joins. */
  private nextSlot = 0;
  /** When the timer started, and how many ticks' slots have been visited since. */
  private origin = 0;
  private visited = 0;
  private timer: NodeJS.Timeout | undefined;

  /** `now`: a monotonic clock in ms (tests give their own). */
  constructor(
    periodMs: number,
    private readonly visit: (member: T) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    const count = Math.max(1, Math.min(MAX_SLOTS, Math.round(periodMs / TICK_MS)));
    this.slots = Array.from({ length: count }, () => new Set<T>());
    this.tickMs = periodMs / count;
  }

  /** Members now. */
  get size(): number {
    return this.slotOf.size;
  }

  add(member: T): void {
    if (this.slotOf.has(member)) return;
    const slot = this.nextSlot;
    this.nextSlot = (slot + 1) % this.slots.length;
    this.slots[slot].add(member);
    this.slotOf.set(member, slot);
    if (!this.timer) {
      this.origin = this.now();
      this.visited = 0;
      this.timer = setInterval(() => this.tick(), this.tickMs).unref();
    }
  }

  delete(member: T): void {
    const slot = this.slotOf.get(member);
    if (slot === undefined) return;
    this.slotOf.delete(member);
    this.slots[slot].delete(member);
    if (this.slotOf.size === 0) this.stop();
  }

  /** Stops the timer; members added later start it again. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const due = Math.floor((this.now() - this.origin) / this.tickMs);
    // Never more than a period's slots at once, even after a long stall.
    if (due - this.visited > this.slots.length) this.visited = due - this.slots.length;
    const timer = this.timer;
    while (this.visited < due && this.timer === timer) {
      const slot = this.slots[this.visited % this.slots.length];
      this.visited += 1;
      // A visit may delete its member (a socket terminated): a Set's iteration allows it.
      for (const member of slot) this.visit(member);
    }
  }
}
