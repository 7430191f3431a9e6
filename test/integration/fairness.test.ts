/**
 * Fairness (hardening issue, item 7), through the app over real HTTP and websockets against
 * the real simulator: subscriptions are capped per connection and per tenant
 * (MAX_SUBSCRIPTIONS_PER_CONNECTION / _PER_TENANT) with TOO_MANY_SUBSCRIPTIONS, the socket and
 * everyone else carrying on; and one tenant's flood of supplier calls leaves another tenant's
 * calls about as fast as without it (SUPPLIER_MAX_CONCURRENCY shared fairly).
 */
import type { Client } from "graphql-ws";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { NO_FAULTS } from "../../src/sandbox/http-kit.js";
import { eventually, fresh } from "../helpers/atrip.js";
import { API_KEYS, bearer, KEYS } from "../helpers/auth.js";
import { wsClient, wsRequest } from "../helpers/clients.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql, QUOTE } from "../helpers/graphql.js";
import { collect, type Collected } from "../helpers/subscribe.js";

const A = bearer(KEYS.acmeWrite);
const B = bearer(KEYS.globexWrite);
const SUB = `subscription S($code: String) { voidStatusChanged(voidCode: $code) { id } }`;

/** The codes of the errors a subscription got (graphql-ws `error` messages or results with errors). */
const codes = (c: Collected<unknown>) => JSON.stringify(c.errors).match(/"code":"[A-Z_]+"/g) ?? [];

describe("subscription caps", () => {
  let t: TestGateway;
  const clients: Client[] = [];
  beforeAll(async () => {
    t = await startTestGateway({ API_KEYS, MAX_SUBSCRIPTIONS_PER_CONNECTION: "3", MAX_SUBSCRIPTIONS_PER_TENANT: "5" });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    await eventually(() => t.gw.services.tracking.subscriptions.active === 0);
  });
  afterAll(async () => t?.close());

  const client = (who: Record<string, string>) => {
    const c = wsClient(t.wsUrl, who);
    clients.push(c);
    return c;
  };
  const open = () => t.gw.services.tracking.subscriptions.active;
  const subscribe = (c: Client, i: number) => collect(c, SUB, { code: `CAP-${i}` }, (d) => d);

  it("one connection holds at most MAX_SUBSCRIPTIONS_PER_CONNECTION; one more is refused, the socket carries on", async () => {
    const c = client(A);
    const subs = [0, 1, 2].map((i) => subscribe(c, i));
    await eventually(() => open() === 3);
    const over = subscribe(c, 3);
    await eventually(() => over.errors.length > 0);
    expect(codes(over)).toEqual(['"code":"TOO_MANY_SUBSCRIPTIONS"']);
    expect(open()).toBe(3);
    expect(subs.flatMap((s) => s.errors)).toEqual([]);
    // The same socket still answers, at once.
    const started = performance.now();
    expect((await wsRequest<{ suppliers: unknown[] }>(c, "{ suppliers { supplier } }")).data?.suppliers).toHaveLength(3);
    expect(performance.now() - started).toBeLessThan(1000);
    // A subscription completed makes room for another.
    subs[0].stop();
    await eventually(() => open() === 2);
    const again = subscribe(c, 4);
    await eventually(() => open() === 3);
    expect(again.errors).toEqual([]);
  });

  it("one tenant holds at most MAX_SUBSCRIPTIONS_PER_TENANT on an instance; other tenants are not affected", async () => {
    const first = client(A);
    const second = client(A);
    [0, 1, 2].forEach((i) => subscribe(first, i));
    [3, 4].forEach((i) => subscribe(second, i));
    await eventually(() => open() === 5);
    const over = subscribe(second, 5);
    await eventually(() => over.errors.length > 0);
    expect(codes(over)).toEqual(['"code":"TOO_MANY_SUBSCRIPTIONS"']);
    expect(open()).toBe(5);
    const other = subscribe(client(B), 6);
    await eventually(() => open() === 6);
    expect(other.errors).toEqual([]);
    // Closing a socket gives its subscriptions back to the tenant.
    await first.dispose();
    await eventually(() => open() === 3);
    const later = subscribe(client(A), 7);
    await eventually(() => open() === 4);
    expect(later.errors).toEqual([]);
  });
});

describe("supplier concurrency shared between tenants", () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ API_KEYS, SUPPLIER_MAX_CONCURRENCY: "4", VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000" });
  });
  afterAll(async () => t?.close());
  afterEach(() => {
    t.sandbox.atrip!.server.faults = { ...NO_FAULTS };
  });

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  /** B's voidQuote, one after another: each one's time. */
  async function quotes(n: number): Promise<number[]> {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const started = performance.now();
      const r = await gql(t.url, QUOTE, { orderNo: fresh("ATR-VOID-DEPOSIT") }, B);
      times.push(performance.now() - started);
      expect(r.errors).toBeUndefined();
    }
    return times;
  }

  it("tenant A's flood of refresh aliases leaves tenant B's voidQuote about as fast as without it, and A's requests all complete", async () => {
    t.sandbox.atrip!.server.faults = { ...NO_FAULTS, latencyMs: 100 };
    await quotes(2); // warm up
    const baseline = median(await quotes(7));

    // 10 requests × 15 aliases = 150 queryVoidOrders.do calls at 4 in flight: ~3.8 s of supplier time.
    const aliases = (r: number) =>
      Array.from(
        { length: 15 },
        (_, i) => `v${i}: voidOrder(supplier: ATRIP, voidCode: "209901-${r}${String(i).padStart(3, "0")}", refresh: true) { voidCode }`,
      ).join("\n");
    const before = t.sandbox.atrip!.server.stats.byOperation["queryVoidOrders.do"] ?? 0;
    const flood = Promise.all(Array.from({ length: 10 }, (_, r) => gql<Record<string, unknown>>(t.url, `{ ${aliases(r)} }`, {}, A)));
    await eventually(() => (t.sandbox.atrip!.server.stats.byOperation["queryVoidOrders.do"] ?? 0) - before >= 4);
    const during = await quotes(7);
    const loaded = median(during);
    const queried = (t.sandbox.atrip!.server.stats.byOperation["queryVoidOrders.do"] ?? 0) - before;
    const results = await flood;

    // B was served while A's calls still queued, and not much slower than alone: no quote waited
    // behind A's queue (that would be seconds).
    expect(queried).toBeLessThan(150);
    expect(loaded / baseline).toBeLessThan(3);
    expect(Math.max(...during) / baseline).toBeLessThan(6);
    for (const r of results) {
      expect(r.errors).toBeUndefined();
      expect(Object.values(r.data ?? {})).toEqual(Array.from({ length: 15 }, () => null));
    }
    expect((t.sandbox.atrip!.server.stats.byOperation["queryVoidOrders.do"] ?? 0) - before).toBe(150);
  });
});
