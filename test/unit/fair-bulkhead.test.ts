/** The fair concurrency cap (hardening issue, item 7): free slots go to the tenant with the fewest calls in flight. */
import { describe, expect, it } from "vitest";
import { FairBulkhead, QueueFullError } from "../../datasources/resilience/fair-bulkhead.js";

const settle = () => new Promise((r) => setImmediate(r));

describe("fair bulkhead", () => {
  it("a tenant alone may use every slot", async () => {
    const b = new FairBulkhead(3, 10);
    await Promise.all([b.acquire("a"), b.acquire("a"), b.acquire("a")]);
    expect(b.executing).toBe(3);
  });

  it("a freed slot goes to the waiting tenant with the fewest calls in flight, however many the other has waiting", async () => {
    const b = new FairBulkhead(2, 100);
    const held = [await b.acquire("a"), await b.acquire("a")];
    const order: string[] = [];
    const waitA = Array.from({ length: 20 }, () => b.acquire("a").then((r) => (order.push("a"), r)));
    const waitB = b.acquire("b").then((r) => (order.push("b"), r));
    held[0]();
    await settle();
    expect(order).toEqual(["b"]);
    (await waitB)();
    held[1]();
    await settle();
    expect(order).toEqual(["b", "a", "a"]);
    for (const w of waitA) void w.then((r) => r());
  });

  it("tenants with as many calls in flight take turns", async () => {
    const b = new FairBulkhead(1, 100);
    const first = await b.acquire("x");
    const order: string[] = [];
    const all = ["a", "a", "a", "b", "b", "b"].map((t) =>
      b.acquire(t).then((release) => {
        order.push(t);
        release();
      }),
    );
    first();
    await Promise.all(all);
    expect(order).toEqual(["a", "b", "a", "b", "a", "b"]);
  });

  it("each tenant has its own queue limit", async () => {
    const b = new FairBulkhead(1, 2);
    await b.acquire("a");
    void b.acquire("a");
    void b.acquire("a");
    await expect(b.acquire("a")).rejects.toBeInstanceOf(QueueFullError);
    const forB = b.acquire("b").then(
      () => "granted",
      () => "refused",
    );
    expect(await Promise.race([forB, settle().then(() => "waiting")])).toBe("waiting");
  });

  it("a call that gives up waiting leaves the queue and takes no slot", async () => {
    const b = new FairBulkhead(1, 10);
    const first = await b.acquire("a");
    const abort = new AbortController();
    const gaveUp = b.acquire("a", abort.signal);
    abort.abort(new Error("deadline"));
    await expect(gaveUp).rejects.toThrow("deadline");
    const next = b.acquire("b");
    first();
    (await next)();
    expect(b.executing).toBe(0);
  });

  it("tryAcquire takes a free slot at once, and none while the cap is reached or anyone waits", async () => {
    const b = new FairBulkhead(1, 10);
    const first = b.tryAcquire("a");
    expect(first).toBeTypeOf("function");
    expect(b.tryAcquire("b")).toBeUndefined();
    const waiting = b.acquire("b");
    first!();
    // The freed slot went to the waiting call, not to a caller trying its luck.
    expect(b.tryAcquire("c")).toBeUndefined();
    (await waiting)();
    expect(b.executing).toBe(0);
    const again = b.tryAcquire("c");
    expect(b.executing).toBe(1);
    again!();
    again!();
    expect(b.executing).toBe(0);
  });
});
