/**
 * Redis restart in scale-out mode, one instance: the gateway keeps answering, its own
 * subscribers keep getting every change while Redis is down (delivery reads the event log;
 * Redis only carries wake-ups), nothing arrives twice when Redis is back, and a subscriber
 * resuming with afterEventId gets what it missed from the log. Uses a private redis-server;
 * skipped with a reason without TEST_REDIS_URL.
 */
import { afterAll, describe, expect, it } from "vitest";
import { eventually, fresh } from "../helpers/atrip.js";
import { wsClient } from "../helpers/clients.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { quoteAndSubmit, VOID_EVENTS, type EventOut } from "../helpers/graphql.js";
import { freePort } from "../helpers/net.js";
import { hasRedisServer, PrivateRedis } from "../helpers/redis.js";
import { RedisPubSub, type ConnectionNews } from "../../src/pubsub/redis.js";
import { REDIS_URL, skipReason } from "../helpers/store.js";
import { collect } from "../helpers/subscribe.js";

const skip = !REDIS_URL
  ? skipReason("Redis restart", "TEST_REDIS_URL")
  : !hasRedisServer
    ? skipReason("Redis restart", "redis-server (binary)")
    : false;

let redis: PrivateRedis | undefined;
let t: TestGateway | undefined;
afterAll(async () => {
  await t?.close();
  await redis?.kill();
});

describe.skipIf(skip)("Redis restart", () => {
  it("loses no event: live delivery goes on during the outage, nothing twice after it, missed events replay from the log", async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    t = await startTestGateway({
      REDIS_URL: redis.url,
      REDIS_PREFIX: `rr-${redis.port}:`,
      VOID_POLL_MIN_MS: "3600000",
      VOID_POLL_MAX_MS: "3600000",
      VOID_POLL_WATCHED_MS: "3600000",
    });
    t.sandbox.atrip!.server.faults.webhookDropRate = 1;
    const client = wsClient(t.wsUrl);
    const live = collect<EventOut>(client, VOID_EVENTS, {}, (d) => d.voidStatusChanged as EventOut);
    await new Promise((r) => setTimeout(r, 200));
    const v1 = await quoteAndSubmit(t.url, fresh("ATR-VOID-DEPOSIT"));
    const first = await live.waitUntil((e) => e.voidCode === v1);

    await redis.kill();
    await eventually(async () => (await fetch(t!.url.replace("/graphql", "/readyz"))).status === 503, 5000);
    const v2 = await quoteAndSubmit(t.url, fresh("ATR-VOID-VCC")); // the gateway keeps answering
    await live.waitUntil((e) => e.voidCode === v2, 5000); // and its subscribers keep hearing

    await redis.start();
    await eventually(async () => (await fetch(t!.url.replace("/graphql", "/readyz"))).status === 200, 15_000);
    const v3 = await quoteAndSubmit(t.url, fresh("ATR-VOID-REJECT"));
    await live.waitUntil((e) => e.voidCode === v3, 15_000);
    await new Promise((r) => setTimeout(r, 1500)); // a late duplicate would show up by now
    expect(live.items.map((e) => e.voidCode)).toEqual([v1, v2, v3]);
    expect(live.errors).toEqual([]);

    const resumed = collect<EventOut>(client, VOID_EVENTS, { after: first.id }, (d) => d.voidStatusChanged as EventOut);
    await resumed.waitUntil((e) => e.voidCode === v3);
    expect(resumed.items.map((e) => e.voidCode)).toEqual([v2, v3]);
    live.stop();
    resumed.stop();
    await client.dispose();
  });

  it("Redis away at start-up: the gateway starts all the same (not ready), and wake-ups flow once Redis is there", async () => {
    const port = await freePort();
    const late = new PrivateRedis(port);
    let gw: TestGateway | undefined;
    const news: ConnectionNews[] = [];
    const a = new RedisPubSub(late.url, `late-${port}:`, undefined, (n) => news.push(n));
    const b = new RedisPubSub(late.url, `late-${port}:`);
    try {
      gw = await startTestGateway({ REDIS_URL: late.url, REDIS_PREFIX: `late-${port}:` });
      const asked = Date.now();
      const notReady = await fetch(gw.url.replace("/graphql", "/readyz"));
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toMatchObject({ pubsub: expect.stringMatching(/^redis publisher connection /) });
      // Told at once, not after the check's 2 s timeout (a probe with a 1 s timeout would time out).
      expect(Date.now() - asked).toBeLessThan(1_500);
      const r = await fetch(gw.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"query":"{ suppliers { supplier } }"}',
      });
      expect(r.status).toBe(200);
      // A subscription made while Redis is away is made all the same, and holds once Redis is there.
      const got: unknown[] = [];
      await a.subscribe("wake", (m) => got.push(m));
      // Told that Redis cannot be reached once, though ioredis has tried again and again by now.
      expect(news).toEqual([{ up: false, err: expect.objectContaining({ message: expect.stringContaining("ECONNREFUSED") }) }]);
      await late.start();
      await eventually(async () => (await fetch(gw!.url.replace("/graphql", "/readyz"))).status === 200, 15_000);
      await eventually(async () => {
        await b.publish("wake", { n: 1 });
        return got.length > 0;
      }, 15_000);
      expect(got[0]).toEqual({ n: 1 });
      expect(news.at(-1)).toEqual({ up: true });
    } finally {
      await a.close();
      await b.close();
      await gw?.close();
      await late.kill();
    }
  });
});
