/** One pub/sub contract, run in memory and over Redis. */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryPubSub } from "../../src/pubsub/memory.js";
import { RedisPubSub } from "../../src/pubsub/redis.js";
import type { PubSub } from "../../src/pubsub/types.js";
import { REDIS_URL, skipReason } from "../helpers/store.js";

const transports: Array<[string, () => PubSub, string | false]> = [
  ["memory", () => new MemoryPubSub(), false],
  [
    "Redis",
    () => new RedisPubSub(REDIS_URL!, `test-${randomBytes(4).toString("hex")}:`),
    REDIS_URL ? false : skipReason("Redis pub/sub contract", "TEST_REDIS_URL"),
  ],
];

function inbox() {
  const got: unknown[] = [];
  let wake = () => undefined as void;
  return {
    got,
    listener: (p: unknown) => {
      got.push(p);
      wake();
    },
    async waitFor(n: number, ms = 3000) {
      const end = Date.now() + ms;
      while (got.length < n && Date.now() < end) await new Promise<void>((r) => ((wake = r), setTimeout(r, 50)));
      return got;
    },
  };
}

describe.each(transports)("pub/sub contract: %s", (_name, make, skip) => {
  let a: PubSub;
  let b: PubSub;
  beforeAll(() => {
    if (skip) return;
    a = make();
    // For Redis, a second client stands for a second gateway instance; in memory it is the same bus.
    b = a instanceof MemoryPubSub ? a : new RedisPubSub(REDIS_URL!, (a as unknown as { prefix: string }).prefix);
  });
  afterAll(async () => {
    await a?.close();
    if (b !== a) await b?.close();
  });

  it.skipIf(skip)("delivers a payload to every listener of the topic, from another instance too, and nothing to other topics", async () => {
    const one = inbox();
    const two = inbox();
    const other = inbox();
    const u1 = await b.subscribe("void.t1", one.listener);
    const u2 = await b.subscribe("void.t1", two.listener);
    const u3 = await b.subscribe("void.t2", other.listener);
    await a.publish("void.t1", { event: { id: "7" }, at: "2026-11-21T00:00:00.000Z" });
    expect(await one.waitFor(1)).toEqual([{ event: { id: "7" }, at: "2026-11-21T00:00:00.000Z" }]);
    expect(await two.waitFor(1)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(other.got).toEqual([]);
    u1();
    u2();
    u3();
  });

  it.skipIf(skip)("is live as soon as subscribe resolves, and silent after unsubscribe", async () => {
    const l = inbox();
    const undo = await b.subscribe("void.t3", l.listener);
    await a.publish("void.t3", 1);
    expect(await l.waitFor(1)).toEqual([1]);
    undo();
    await new Promise((r) => setTimeout(r, 50));
    await a.publish("void.t3", 2);
    await new Promise((r) => setTimeout(r, 150));
    expect(l.got).toEqual([1]);
  });

  it.skipIf(skip)("keeps the order of one publisher's events on a topic", async () => {
    const l = inbox();
    const undo = await b.subscribe("void.t4", l.listener);
    for (let i = 0; i < 50; i++) await a.publish("void.t4", i);
    expect(await l.waitFor(50)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    undo();
  });

  it.skipIf(skip)("answers ping", async () => {
    await expect(a.ping()).resolves.toBeUndefined();
  });
});
