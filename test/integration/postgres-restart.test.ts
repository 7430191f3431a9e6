/**
 * PostgreSQL restart in scale-out mode: while the store is away the gateway says so
 * (readiness 503, SERVICE_UNAVAILABLE, webhooks refused with 503 so they are not lost as
 * "accepted"), calls no supplier it could not record; when the store is back, tracking
 * resumes and every change is recorded and published exactly once.
 */
import { afterAll, describe, expect, it } from "vitest";
import { eventually, fresh } from "../helpers/atrip.js";
import { wsClient } from "../helpers/clients.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql, QUOTE, quoteAndSubmit, VOID_EVENTS, type EventOut } from "../helpers/graphql.js";
import { PrivatePostgres, privatePostgresUnavailable } from "../helpers/private-postgres.js";
import { DATABASE_URL, postgresStore, skipReason } from "../helpers/store.js";
import { freePort } from "../helpers/net.js";
import { collect } from "../helpers/subscribe.js";

const why = !DATABASE_URL ? "TEST_DATABASE_URL" : privatePostgresUnavailable();
const skip = why ? skipReason("PostgreSQL restart", why) : false;

let pg: PrivatePostgres | undefined;
let t: TestGateway | undefined;
afterAll(async () => {
  await t?.close().catch(() => undefined);
  await t?.store.close().catch(() => undefined);
  try {
    pg?.stop();
  } catch {
    /* already stopped */
  }
});

describe.skipIf(skip)("PostgreSQL restart", () => {
  it("refuses honestly while the store is away and resumes exactly-once tracking after", async () => {
    pg = new PrivatePostgres(await freePort());
    pg.init();
    pg.start();
    const store = await postgresStore("restart_test", pg.url);
    t = await startTestGateway({ VOID_POLL_MIN_MS: "300", VOID_POLL_WATCHED_MS: "300", SANDBOX_TIME_SCALE: "30" }, store);
    const sim = t.sandbox.atrip!.server;
    sim.faults.webhookDropRate = 1;
    const client = wsClient(t.wsUrl);
    const live = collect<EventOut>(client, VOID_EVENTS, {}, (d) => d.voidStatusChanged as EventOut);
    await new Promise((r) => setTimeout(r, 200));
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const voidCode = await quoteAndSubmit(t.url, orderNo);
    await live.waitFor(1);
    const other = fresh("ATR-VOID-VCC");
    const offer = (await gql<{ voidQuote: { voidOfferId: string } }>(t.url, QUOTE, { orderNo: other })).data!.voidQuote.voidOfferId;

    pg.stop();
    await eventually(async () => (await fetch(t!.url.replace("/graphql", "/readyz"))).status === 503);
    const read = await gql(t.url, `{ voidOrders(orderNo: "${orderNo}") { voidCode } }`);
    expect(read.errors?.[0]?.extensions).toMatchObject({ code: "SERVICE_UNAVAILABLE", retryable: true });
    // A quote needs the store too: whose order it is cannot be checked without it (hardening issue, item 4).
    const quotes = sim.stats.byOperation["voidQuotation.do"];
    const quote = await gql(t.url, QUOTE, { orderNo: fresh("ATR-VOID-VCC") });
    expect(quote.errors?.[0]?.extensions?.code).toBe("SERVICE_UNAVAILABLE");
    expect(sim.stats.byOperation["voidQuotation.do"]).toBe(quotes);
    const voids = sim.stats.byOperation["void.do"];
    const refused = await gql(
      t.url,
      `mutation { submitVoid(input: { supplier: ATRIP, orderNo: "${other}", voidOfferId: "${offer}" }) { voidCode } }`,
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe("SERVICE_UNAVAILABLE");
    expect(sim.stats.byOperation["void.do"]).toBe(voids); // nothing sent that could not be recorded
    const hook = await fetch(`${t.url.replace("/graphql", "")}/webhooks/atrip/${t.gw.webhookTokens.ATRIP}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ cid: "c", type: "order.void", status: -1, data: { orderNo, voidCode, voidStatus: 1, message: "" } }),
    });
    expect(hook.status).toBe(503);
    await new Promise((r) => setTimeout(r, 2500)); // the supplier's void moves on meanwhile

    pg.start();
    await eventually(async () => (await fetch(t!.url.replace("/graphql", "/readyz"))).status === 200, 20_000);
    await live.waitUntil((e) => e.voidCode === voidCode && e.isFinal, 20_000);
    const mine = live.items.filter((e) => e.voidCode === voidCode).map((e) => e.status);
    expect(mine[0]).toBe("SUPPLIER_PROCESSING");
    expect(mine[mine.length - 1]).toBe("REFUNDED");
    expect(new Set(mine).size).toBe(mine.length);
    const h = await gql<{ voidOrder: { history: EventOut[] } }>(
      t.url,
      `{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}") { history { status } } }`,
    );
    expect(h.data!.voidOrder.history.map((e) => e.status)).toEqual(mine);
    live.stop();
    await client.dispose();
  });
});
