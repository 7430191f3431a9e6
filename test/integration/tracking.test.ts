/**
 * Void tracking in a gateway (in-process, real HTTP and websockets, real simulator, PGlite):
 * the same void driven to its final state by webhooks only, by polling only and by both,
 * with identical event sequences and each change once.
 */
import { afterEach, describe, expect, it } from "vitest";
import { eventually, fresh } from "../helpers/atrip.js";
import { wsClient } from "../helpers/clients.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql, quoteAndSubmit, VOID_EVENTS, type EventOut } from "../helpers/graphql.js";
import { collect } from "../helpers/subscribe.js";

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function followToFinal(mode: "webhooks" | "polling" | "both") {
  const env: Record<string, string> =
    mode === "webhooks"
      ? { VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000", VOID_POLL_WATCHED_MS: "3600000" }
      : { VOID_POLL_MIN_MS: "300", VOID_POLL_WATCHED_MS: "300" };
  t = await startTestGateway(env);
  if (mode === "polling") t.sandbox.atrip!.server.faults.webhookDropRate = 1;
  const client = wsClient(t.wsUrl);
  const orderNo = fresh("ATR-VOID-DEPOSIT");
  const sub = collect<EventOut>(client, VOID_EVENTS, { orderNo }, (d) => d.voidStatusChanged as EventOut);
  await new Promise((r) => setTimeout(r, 100)); // let the subscription reach the server
  const voidCode = await quoteAndSubmit(t.url, orderNo);
  await sub.waitUntil((e) => e.isFinal, 20_000);
  // Give any late duplicate the chance to show up.
  await new Promise((r) => setTimeout(r, 1500));
  sub.stop();
  await client.dispose();
  const history = await gql<{ voidOrder: { history: EventOut[] } }>(
    t.url,
    `{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}") { history { id status source } } }`,
  );
  return {
    voidCode,
    events: sub.items,
    errors: sub.errors,
    history: history.data!.voidOrder.history,
    webhooks: t.sandbox.atrip!.server.stats.events,
  };
}

describe("void tracking", () => {
  it.each(["webhooks", "polling", "both"] as const)("driven by %s: each change once, in order", async (mode) => {
    const r = await followToFinal(mode);
    expect(r.errors).toEqual([]);
    expect(r.events.map((e) => e.status)).toEqual(["SUPPLIER_PROCESSING", "AIRLINE_PROCESSING", "REFUNDED"]);
    expect(r.events.map((e) => e.previousStatus)).toEqual([null, "SUPPLIER_PROCESSING", "AIRLINE_PROCESSING"]);
    expect(r.events[0].source).toBe("SUBMIT");
    const later = r.events.slice(1).map((e) => e.source);
    if (mode === "webhooks") expect(later).toEqual(["WEBHOOK", "WEBHOOK"]);
    if (mode === "polling") {
      expect(later).toEqual(["POLL", "POLL"]);
      expect(r.webhooks["webhook.dropped"]).toBeGreaterThanOrEqual(3);
    }
    if (mode === "both") for (const s of later) expect(["WEBHOOK", "POLL"]).toContain(s);
    const ids = r.events.map((e) => BigInt(e.id));
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
    expect(r.history.map((e) => e.id)).toEqual(r.events.map((e) => e.id));
    expect(r.events[2].voidOrder).toEqual({ voidCode: r.voidCode, status: "REFUNDED", isFinal: true });
  });

  it("coalesces concurrent asks for one void into one supplier call", async () => {
    t = await startTestGateway({ VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000" });
    const sim = t.sandbox.atrip!.server;
    const voidCode = await quoteAndSubmit(t.url, fresh("ATR-VOID-VCC"));
    sim.faults = { ...sim.faults, latencyMs: 300, operations: ["queryVoidOrders.do"] };
    const before = sim.stats.byOperation["queryVoidOrders.do"] ?? 0;
    const q = `{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}", refresh: true) { voidCode status } }`;
    const results = await Promise.all(Array.from({ length: 10 }, () => gql<{ voidOrder: { voidCode: string } }>(t!.url, q)));
    for (const r of results) expect(r.data?.voidOrder.voidCode).toBe(voidCode);
    expect((sim.stats.byOperation["queryVoidOrders.do"] ?? 0) - before).toBe(1);
  });

  it("refresh adopts a void submitted elsewhere on an order the tenant operated on; an unknown void is null", async () => {
    t = await startTestGateway({ VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000" });
    const orderNo = fresh("ATR-VOID-VCC");
    // Submitted straight at the supplier, not through the gateway: the gateway's account's own
    // adapter (a port the registry hands out would apply order ownership; issue 21, item 6).
    const adapter = t.gw.services.registry.get("ATRIP")!.voids!;
    const q = await adapter.quote(orderNo);
    const v = await adapter.submit(orderNo, q.voidOfferId!);
    const refresh = `{ voidOrder(supplier: ATRIP, voidCode: "${v.voidCode}", refresh: true) { voidCode } }`;
    // The tenant never operated on the order through the gateway: not adopted (hardening issue, item 4).
    expect((await gql<{ voidOrder: unknown }>(t.url, refresh)).data?.voidOrder).toBeNull();
    // A quote through the gateway makes the order the tenant's (the supplier answers "already submitted").
    expect(
      (await gql(t.url, `mutation { voidQuote(input: { supplier: ATRIP, orderNo: "${orderNo}" }) { orderNo } }`)).errors?.[0]?.extensions
        ?.code,
    ).toBe("VOID_ALREADY_SUBMITTED");
    const plain = await gql<{ voidOrder: unknown }>(t.url, `{ voidOrder(supplier: ATRIP, voidCode: "${v.voidCode}") { voidCode } }`);
    expect(plain.data?.voidOrder).toBeNull();
    const adopted = await gql<{ voidOrder: { voidCode: string; submittedAt: string | null; history: Array<{ source: string }> } }>(
      t.url,
      `{ voidOrder(supplier: ATRIP, voidCode: "${v.voidCode}", refresh: true) { voidCode submittedAt history { source } } }`,
    );
    expect(adopted.data?.voidOrder).toMatchObject({ voidCode: v.voidCode, submittedAt: null, history: [{ source: "QUERY" }] });
    const list = await gql<{ voidOrders: Array<{ voidCode: string }> }>(t.url, `{ voidOrders(orderNo: "${orderNo}") { voidCode } }`);
    expect(list.data?.voidOrders).toEqual([{ voidCode: v.voidCode }]);
    const unknown = await gql<{ voidOrder: unknown }>(
      t.url,
      `{ voidOrder(supplier: ATRIP, voidCode: "209901-0000", refresh: true) { voidCode } }`,
    );
    expect(unknown.data?.voidOrder).toBeNull();
  });

  it("final voids are never polled again", async () => {
    t = await startTestGateway({ VOID_POLL_MIN_MS: "200", SANDBOX_TIME_SCALE: "600" });
    const sim = t.sandbox.atrip!.server;
    const voidCode = await quoteAndSubmit(t.url, fresh("ATR-VOID-REJECT"));
    const isFinal = async () =>
      (await gql<{ voidOrder: { isFinal: boolean } }>(t!.url, `{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}") { isFinal } }`)).data
        ?.voidOrder.isFinal;
    for (let i = 0; i < 100 && !(await isFinal()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await isFinal()).toBe(true);
    const count = () => sim.recent.filter((r) => r.operation === "queryVoidOrders.do" && r.body.includes(voidCode)).length;
    const atFinal = count();
    await new Promise((r) => setTimeout(r, 1000));
    expect(count()).toBe(atFinal);
  });

  it("a rejection seen by polling: the event's message is ATRIP's cancelReason, not the query envelope's \"success\"", async () => {
    t = await startTestGateway({ VOID_POLL_MIN_MS: "200", SANDBOX_TIME_SCALE: "600" });
    t.sandbox.atrip!.server.faults = { ...t.sandbox.atrip!.server.faults, webhookDropRate: 1 };
    const voidCode = await quoteAndSubmit(t.url, fresh("ATR-VOID-REJECT"));
    const read = () =>
      gql<{
        voidOrder: { isFinal: boolean; cancelReason: string; history: Array<{ status: string; source: string; message: string | null }> };
      }>(t!.url, `{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}") { isFinal cancelReason history { status source message } } }`);
    const done = await eventually(async () => ((await read()).data?.voidOrder.isFinal ? (await read()).data!.voidOrder : undefined));
    const last = done.history.at(-1)!;
    expect(last).toMatchObject({ status: "REJECTED", source: "POLL" });
    expect(last.message).toBe(done.cancelReason);
    expect(last.message).toMatch(/airline rejected/);
  });
});
