/**
 * An event committed but never published reaches subscribers on another instance (issue 11):
 * two gateways on one PostgreSQL schema and one Redis, where every publish of gateway A fails
 * (as if it died right after each commit). A subscriber on gateway B still gets every change A
 * records, once and in order, from B's catch-up reads of the event log. Skipped, with a printed
 * reason, without TEST_DATABASE_URL / TEST_REDIS_URL.
 */
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { RedisPubSub } from "../../src/pubsub/redis.js";
import type { PubSub } from "../../src/pubsub/types.js";
import type { Store } from "../../src/store/index.js";
import { fresh } from "../helpers/atrip.js";
import { wsClient } from "../helpers/clients.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql, quoteAndSubmit, VOID_EVENTS, type EventOut } from "../helpers/graphql.js";
import { DATABASE_URL, postgresStore, REDIS_URL, skipReason } from "../helpers/store.js";
import { collect } from "../helpers/subscribe.js";

const skip = !DATABASE_URL
  ? skipReason("delivery without publish", "TEST_DATABASE_URL")
  : !REDIS_URL
    ? skipReason("delivery without publish", "TEST_REDIS_URL")
    : false;

const gateways: TestGateway[] = [];
let store: Store | undefined;
afterAll(async () => {
  for (const g of gateways) await g.close();
  await store?.close();
});

describe.skipIf(skip)("a commit whose publish is lost", () => {
  it("reaches a subscriber on another instance from the log", async () => {
    store = await postgresStore();
    const prefix = `nopub-${randomBytes(4).toString("hex")}:`;
    const real = new RedisPubSub(REDIS_URL!, prefix);
    let attempts = 0;
    const broken: PubSub = {
      publish: async () => {
        attempts += 1;
        throw new Error("the instance died right after its commit");
      },
      subscribe: (topic, listener) => real.subscribe(topic, listener),
      ping: () => real.ping(),
      close: () => real.close(),
    };
    // A records everything (it polls its simulator); B only delivers.
    const a = await startTestGateway({ VOID_POLL_MIN_MS: "300", VOID_POLL_WATCHED_MS: "300" }, store, broken);
    gateways.push(a);
    const b = await startTestGateway(
      { VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000", VOID_POLL_WATCHED_MS: "3600000", EVENT_CATCHUP_MS: "300" },
      store,
      new RedisPubSub(REDIS_URL!, prefix),
    );
    gateways.push(b);
    // B has a simulator of its own that knows none of A's voids: it must not check them.
    b.gw.services.tracking.pause();
    a.sandbox.atrip!.server.faults.webhookDropRate = 1;

    const client = wsClient(b.wsUrl);
    const sub = collect<EventOut>(client, VOID_EVENTS, {}, (d) => d.voidStatusChanged as EventOut);
    await new Promise((r) => setTimeout(r, 300));
    const voidCode = await quoteAndSubmit(a.url, fresh("ATR-VOID-DEPOSIT"));
    await sub.waitUntil((e) => e.voidCode === voidCode && e.isFinal, 20_000);
    await new Promise((r) => setTimeout(r, 800)); // a duplicate would show up by now

    const h = await gql<{ voidOrder: { history: Array<{ id: string; status: string }> } }>(
      a.url,
      `{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}") { history { id status } } }`,
    );
    const history = h.data!.voidOrder.history;
    // Polling may see the short intermediate status or not; whatever was recorded is what B delivers.
    expect(history[0].status).toBe("SUPPLIER_PROCESSING");
    expect(history.at(-1)!.status).toBe("REFUNDED");
    expect(sub.items.map((e) => [e.id, e.status])).toEqual(history.map((e) => [e.id, e.status]));
    expect(attempts).toBeGreaterThanOrEqual(1);
    sub.stop();
    await client.dispose();
  });
});
