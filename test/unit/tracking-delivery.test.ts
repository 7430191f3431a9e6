/**
 * Delivery from the event log against an in-memory log (test/unit/fakes/): commit-order gaps,
 * replay hand-over without gap or duplicate, wake-ups that are lost, and subscribers released
 * the moment they leave. Waits are on deferreds (a read completing, an event arriving).
 */
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { MemoryPubSub } from "../../src/pubsub/memory.js";
import type { PubSub } from "../../src/pubsub/types.js";
import type { TrackedEvent } from "../../src/store/tracked-model.js";
import { EventFeed } from "../../src/tracking/feed.js";
import { Subscriptions } from "../../src/tracking/subscriptions.js";
import { Watchers } from "../../src/tracking/watchers.js";
import { FakeLog, FakeRecords } from "./fakes/tracking-store.js";

const log = createLogger("silent");

function event(tenant: string, ref: string, status = "A", orderNo = `O-${ref}`): Omit<TrackedEvent, "id"> {
  return {
    kind: "void",
    tenant,
    supplier: "ATRIP",
    ref,
    orderNo,
    status,
    previousStatus: null,
    isFinal: false,
    source: "SUBMIT",
    message: null,
    data: { status },
    occurredAt: new Date(),
    startedAt: null,
    notBefore: null,
  };
}

/** A feed over `fakeLog` whose reads can be awaited. */
function feedOn(fakeLog: FakeLog, pubsub: PubSub = new MemoryPubSub(), catchUpMs = 60_000) {
  const readWaiters: Array<() => void> = [];
  const feed = new EventFeed({ log: fakeLog, pubsub, logger: log, catchUpMs, onRead: () => readWaiters.splice(0).forEach((w) => w()) });
  /** Resolves after the next read completes. */
  const nextRead = () => new Promise<void>((r) => readWaiters.push(r));
  return { feed, nextRead };
}

/** A sink that records what it gets and lets a test wait for the n-th event. */
function sink() {
  const got: TrackedEvent[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  return {
    got,
    push(e: TrackedEvent) {
      got.push(e);
      for (const w of waiters.splice(0)) (got.length >= w.n ? w.resolve : () => waiters.push(w))();
    },
    count(n: number): Promise<void> {
      return got.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }));
    },
  };
}

const opened: EventFeed[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((f) => f.close()));
});

describe("delivery from the log", () => {
  it("an event whose id was taken first but committed last is delivered, once, when it commits", async () => {
    const fakeLog = new FakeLog();
    const { feed, nextRead } = feedOn(fakeLog);
    await feed.start();
    opened.push(feed);
    const s = sink();
    await feed.add({ kind: "void", tenant: "acme" }, s);
    const slow = fakeLog.begin(event("acme", "SLOW"));
    fakeLog.append(event("acme", "FAST"));
    let read = nextRead();
    feed.wake();
    await read;
    expect(s.got.map((e) => [e.ref, e.id])).toEqual([["FAST", "2"]]);
    slow.commit();
    read = nextRead();
    feed.wake();
    await read;
    read = nextRead();
    feed.wake();
    await read;
    expect(s.got.map((e) => [e.ref, e.id])).toEqual([
      ["FAST", "2"],
      ["SLOW", "1"],
    ]);
  });

  it("one read serves every subscriber of the instance, each by kind and tenant, reference or order", async () => {
    const fakeLog = new FakeLog();
    const { feed, nextRead } = feedOn(fakeLog);
    await feed.start();
    opened.push(feed);
    const [all, byRef, byOrder, other] = [sink(), sink(), sink(), sink()];
    await feed.add({ kind: "void", tenant: "acme" }, all);
    await feed.add({ kind: "void", tenant: "acme", ref: "V1" }, byRef);
    await feed.add({ kind: "void", tenant: "acme", orderNo: "O-V2" }, byOrder);
    await feed.add({ kind: "void", tenant: "globex" }, other);
    const reads = fakeLog.reads;
    fakeLog.append(event("acme", "V1"));
    fakeLog.append(event("acme", "V2"));
    fakeLog.append({ ...event("acme", "S1"), kind: "stop" });
    const read = nextRead();
    feed.recorded(fakeLog.committed);
    await read;
    expect(fakeLog.reads - reads).toBe(1);
    expect(all.got.map((e) => e.ref)).toEqual(["V1", "V2"]);
    expect(byRef.got.map((e) => e.ref)).toEqual(["V1"]);
    expect(byOrder.got.map((e) => e.ref)).toEqual(["V2"]);
    expect(other.got).toEqual([]);
  });

  it("a lost wake-up is healed by the catch-up read; a wake-up that arrives twice delivers nothing twice", async () => {
    const fakeLog = new FakeLog();
    const failing: PubSub = {
      ...new MemoryPubSub(),
      publish: () => Promise.reject(new Error("redis away")),
      subscribe: async () => () => undefined,
      ping: async () => undefined,
      close: async () => undefined,
    };
    const writer = feedOn(fakeLog, failing).feed;
    const reader = feedOn(fakeLog, new MemoryPubSub(), 20);
    await Promise.all([writer.start(), reader.feed.start()]);
    opened.push(writer, reader.feed);
    const s = sink();
    await reader.feed.add({ kind: "void", tenant: "acme" }, s);
    // Committed on the "writer" instance, whose wake-up never leaves it.
    writer.recorded([fakeLog.append(event("acme", "V1"))]);
    await s.count(1);
    reader.feed.wake();
    reader.feed.wake();
    await reader.nextRead();
    expect(s.got.map((e) => e.ref)).toEqual(["V1"]);
  });

  it("reads nothing while nobody listens, and a first subscriber starts at the log's end", async () => {
    const fakeLog = new FakeLog();
    const { feed, nextRead } = feedOn(fakeLog);
    await feed.start();
    opened.push(feed);
    fakeLog.append(event("acme", "OLD"));
    feed.wake();
    expect(fakeLog.reads).toBe(0);
    const s = sink();
    const reg = await feed.add({ kind: "void", tenant: "acme" }, s);
    expect(reg.cursor).toBe("1");
    fakeLog.append(event("acme", "NEW"));
    const read = nextRead();
    feed.wake();
    await read;
    expect(s.got.map((e) => e.ref)).toEqual(["NEW"]);
    reg.remove();
    expect(feed.listeners).toBe(0);
  });
});

describe("subscription streams", () => {
  function subscriptions() {
    const records = new FakeRecords();
    const { feed, nextRead } = feedOn(records.log);
    const watchers = new Watchers("void", records, 60_000, log);
    const subs = new Subscriptions({ feed, log: records.log, logger: log, watchers: { void: watchers } });
    opened.push(feed);
    return { records, feed, nextRead, watchers, subs };
  }

  it("replay hands over to live without gap or duplicate: replayed events, then those recorded meanwhile", async () => {
    const { records, feed, nextRead, subs } = subscriptions();
    await feed.start();
    records.log.append(event("acme", "V1"));
    records.log.append(event("acme", "V2"));
    let openReplay!: () => void;
    records.log.replayGate = new Promise<void>((r) => (openReplay = r));
    const stream = await subs.stream({ kind: "void", tenant: "acme", afterEventId: "0" });
    const first = stream.next();
    // Recorded and read live while the replay is held open.
    records.log.append(event("acme", "V3"));
    const read = nextRead();
    feed.recorded(records.log.committed.slice(-1));
    await read;
    openReplay();
    const got = [(await first).value, (await stream.next()).value, (await stream.next()).value].map((e: TrackedEvent) => [
      e.ref,
      e.replayed === true,
    ]);
    expect(got).toEqual([
      ["V1", true],
      ["V2", true],
      ["V3", false],
    ]);
    // Another read brings nothing more.
    const again = nextRead();
    feed.wake();
    await again;
    records.log.append(event("acme", "V4"));
    const live = nextRead();
    feed.recorded(records.log.committed.slice(-1));
    await live;
    expect(((await stream.next()).value as TrackedEvent).ref).toBe("V4");
    await stream.return!();
  });

  it("a replay after an id skips what came before it and filters by reference", async () => {
    const { records, feed, subs } = subscriptions();
    await feed.start();
    const e1 = records.log.append(event("acme", "V1"));
    records.log.append(event("acme", "V2"));
    records.log.append(event("acme", "V1", "B"));
    const stream = await subs.stream({ kind: "void", tenant: "acme", ref: "V1", afterEventId: e1.id });
    expect(((await stream.next()).value as TrackedEvent).status).toBe("B");
    await stream.return!();
  });

  it("resuming after an id first replays a smaller id that committed after it, then the larger ones", async () => {
    const { records, feed, subs } = subscriptions();
    await feed.start();
    records.log.append(event("acme", "V0"));
    const slow = records.log.begin(event("acme", "SLOW"));
    const fast = records.log.append(event("acme", "FAST"));
    slow.commit();
    records.log.append(event("acme", "V3"));
    // The client had FAST (and V0) when it dropped; SLOW committed after FAST, with a smaller id.
    const stream = await subs.stream({ kind: "void", tenant: "acme", afterEventId: fast.id });
    const got = [(await stream.next()).value, (await stream.next()).value].map((e: TrackedEvent) => [e.ref, e.replayed === true]);
    expect(got).toEqual([
      ["SLOW", true],
      ["V3", true],
    ]);
    const none = await Promise.race([stream.next(), new Promise((r) => setTimeout(() => r("nothing"), 50))]);
    expect(none).toBe("nothing");
    await stream.return!();
  });

  it("resuming on an instance whose feed has not yet read up to the resume point: nothing the client had comes again, a straggler does", async () => {
    const { records, feed, nextRead, subs } = subscriptions();
    await feed.start();
    // Another subscriber holds the feed's cursor here; the events below are not read yet (no wake-up).
    const other = await subs.stream({ kind: "void", tenant: "acme", ref: "NOBODY" });
    records.log.append(event("acme", "V0"));
    const slow = records.log.begin(event("acme", "SLOW"));
    const fast = records.log.append(event("acme", "FAST"));
    slow.commit();
    // The client had V0 and FAST from another instance; SLOW committed after FAST, with a smaller id.
    const stream = await subs.stream({ kind: "void", tenant: "acme", afterEventId: fast.id });
    records.log.append(event("acme", "V3"));
    const read = nextRead();
    feed.wake();
    await read;
    const got = [(await stream.next()).value, (await stream.next()).value].map((e: TrackedEvent) => e.ref);
    expect(got).toEqual(["SLOW", "V3"]);
    const none = await Promise.race([stream.next(), new Promise((r) => setTimeout(() => r("nothing"), 50))]);
    expect(none).toBe("nothing");
    await stream.return!();
    await other.return!();
  });

  it("a resume point the log cannot place (another tenant's) counts every committed event up to it as had; later ones come; one beyond the tenant's own last is refused, whatever other tenants recorded", async () => {
    const { records, feed, nextRead, subs } = subscriptions();
    await feed.start();
    const other = await subs.stream({ kind: "void", tenant: "acme", ref: "NOBODY" });
    records.log.append(event("acme", "V1")); // 1
    records.log.append(event("globex", "G1")); // 2
    records.log.append(event("acme", "V2")); // 3
    records.log.append(event("globex", "G2")); // 4: the log's last, not acme's
    await expect(subs.stream({ kind: "void", tenant: "acme", afterEventId: "4" })).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
      message: "afterEventId: 4 is beyond the last event this gateway recorded for you",
    });
    expect(subs.active).toBe(1);
    const stream = await subs.stream({ kind: "void", tenant: "acme", afterEventId: "2" });
    records.log.append(event("acme", "V3"));
    const read = nextRead();
    feed.wake();
    await read;
    expect(((await stream.next()).value as TrackedEvent).ref).toBe("V2");
    expect(((await stream.next()).value as TrackedEvent).ref).toBe("V3");
    await stream.return!();
    await other.return!();
  });

  it("a resume point that cannot be checked (the store is down) is SERVICE_UNAVAILABLE, retryable, and counts nothing", async () => {
    const { records, feed, subs } = subscriptions();
    await feed.start();
    records.log.lastId = () => Promise.reject(new Error("connection refused"));
    await expect(subs.stream({ kind: "void", tenant: "acme", afterEventId: "1" })).rejects.toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      extra: { retryable: true },
    });
    expect(subs.active).toBe(0);
  });

  it("leaving releases the feed registration, the watch mark and the count at once, even with a next() pending", async () => {
    const { feed, watchers, subs } = subscriptions();
    await feed.start();
    const streams = await Promise.all(
      Array.from({ length: 50 }, (_, i) => subs.stream({ kind: "void", tenant: "acme", ref: `V${i % 5}` })),
    );
    expect(subs.active).toBe(50);
    expect(feed.listeners).toBe(50);
    expect(watchers.size).toBe(5);
    const pending = streams.map((s) => s.next());
    await Promise.all(streams.map((s) => s.return!()));
    expect(await Promise.all(pending)).toEqual(streams.map(() => ({ value: undefined, done: true })));
    expect(subs.active).toBe(0);
    expect(feed.listeners).toBe(0);
    expect(watchers.size).toBe(0);
  });
});
