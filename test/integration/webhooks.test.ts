/**
 * Webhook intake and confirmation. The simulator's clock runs at real speed here, so a void
 * stays at status 0 for a simulated minute and any other status a webhook claims is false.
 */
import { deflateSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, fresh } from "../helpers/atrip.js";
import { wsClient } from "../helpers/clients.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql, quoteAndSubmit, VOID_EVENTS, type EventOut } from "../helpers/graphql.js";
import { collect } from "../helpers/subscribe.js";

let t: TestGateway;
let hook: string;
beforeAll(async () => {
  t = await startTestGateway({
    SANDBOX_TIME_SCALE: "1",
    VOID_POLL_MIN_MS: "3600000",
    VOID_POLL_MAX_MS: "3600000",
    VOID_POLL_WATCHED_MS: "3600000",
    WEBHOOK_MAX_BYTES: "2048",
    CIRCUIT_HALF_OPEN_MS: "500",
  });
  t.sandbox.atrip!.server.faults.webhookDropRate = 1; // only the webhooks this test posts arrive
  hook = `${t.url.replace("/graphql", "")}/webhooks/atrip/${t.gw.webhookTokens.ATRIP}`;
});
afterAll(async () => t?.close());

const post = (url: string, body: string, type = "application/json") =>
  fetch(url, { method: "POST", headers: { "content-type": type }, body });
const envelope = (data: Record<string, unknown>, type = "order.void") => JSON.stringify({ cid: "sandbox-client", type, status: -1, data });

async function history(voidCode: string): Promise<EventOut[]> {
  const r = await gql<{ voidOrder: { history: EventOut[] } }>(
    t.url,
    `{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}") { history { id status source } } }`,
  );
  return r.data!.voidOrder.history;
}

async function settled(): Promise<Record<string, number>> {
  return eventually(async () => {
    const c = await t.store.inbox.countByState();
    return (c.RECEIVED ?? 0) + (c.PROCESSING ?? 0) === 0 ? c : undefined;
  });
}

describe("webhook intake", () => {
  it("a wrong token is a 404 and stores nothing", async () => {
    const before = await t.store.inbox.countByState();
    const res = await post(
      hook.replace(t.gw.webhookTokens.ATRIP, "x".repeat(48)),
      envelope({ orderNo: "A", voidCode: "B", voidStatus: 0 }),
    );
    expect(res.status).toBe(404);
    expect((await post(hook.replace("/atrip/", "/nosuchsupplier/"), "{}")).status).toBe(404);
    expect(await t.store.inbox.countByState()).toEqual(before);
  });

  it("a body over the cap is a 413", async () => {
    const res = await post(hook, envelope({ orderNo: "A", voidCode: "B", voidStatus: 0, message: "x".repeat(4000) }));
    expect(res.status).toBe(413);
  });

  it("takes gzip and deflate bodies; refuses another encoding, a body that inflates over the cap, and any method but POST", async () => {
    const before = await t.store.inbox.countByState();
    const body = envelope({ orderNo: "ATR-X", voidCode: "209901-9998", voidStatus: 0 }, "order.other");
    const send = (encoding: string, bytes: Buffer, url = hook) =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "content-encoding": encoding },
        body: new Uint8Array(bytes),
      });
    for (const [encoding, bytes] of [
      ["gzip", gzipSync(body)],
      ["deflate", deflateSync(body)],
    ] as const) {
      const res = await send(encoding, bytes);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { id: string }).id).toMatch(/^\d+$/);
    }
    // The path as express's router took it: a trailing slash and a query string are the same intake.
    expect((await send("identity", Buffer.from(body), `${hook}/?from=test`)).status).toBe(200);
    expect((await send("compress", Buffer.from(body))).status).toBe(400);
    expect((await send("gzip", Buffer.from("not gzip"))).status).toBe(400);
    const big = envelope({ orderNo: "ATR-X", voidCode: "209901-9998", voidStatus: 0, message: " ".repeat(4000) });
    const tooBig = await send("gzip", gzipSync(big));
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toEqual({ error: "body over 2048 bytes" });
    expect((await fetch(hook)).status).toBe(404);
    expect((await fetch(hook, { method: "PUT", body })).status).toBe(404);
    const after = await settled();
    const stored = (s: Record<string, number>) => Object.values(s).reduce((a, b) => a + b, 0);
    expect(stored(after) - stored(before)).toBe(3);
  });

  it("not JSON, or not the envelope, is a 400", async () => {
    expect((await post(hook, "{not json")).status).toBe(400);
    expect((await post(hook, JSON.stringify({ hello: "world" }))).status).toBe(400);
    expect((await post(hook, envelope({ orderNo: "A" }))).status).toBe(400);
    // A reference longer than the gateway takes from a client (256) is not ATRIP's; 256 is taken.
    expect((await post(hook, envelope({ orderNo: "A", voidCode: "V".repeat(257), voidStatus: 0 }))).status).toBe(400);
    expect((await post(hook, envelope({ orderNo: "A", voidCode: "V".repeat(256), voidStatus: 0 }))).status).toBe(200);
  });

  it("fields the gateway does not read (status and cid, which ATRIP says to ignore; voidStatus, message) may have any shape: the notification is kept", async () => {
    const odd = (
      fields: Record<string, unknown>,
      data: Record<string, unknown> = { orderNo: "ATR-X", voidCode: "209901-9997", voidStatus: 1 },
    ) =>
      `{"type":"order.void","data":${JSON.stringify(data)}${Object.entries(fields)
        .map(([k, v]) => `,"${k}":${typeof v === "string" && v.startsWith("raw:") ? v.slice(4) : JSON.stringify(v)}`)
        .join("")}}`;
    const stored = async () => Object.values(await settled()).reduce((a, b) => a + b, 0);
    const before = await stored();
    for (const body of [
      odd({ status: "raw:1e999", cid: 123 }),
      odd({ status: "-1", cid: null }),
      odd({}),
      odd({ status: -1 }, { orderNo: "ATR-X", voidCode: "209901-9997", voidStatus: "1", message: 42 }),
      odd({ status: -1 }, { orderNo: "ATR-X", voidCode: "209901-9997" }),
    ]) {
      const res = await post(hook, body);
      expect(res.status, body).toBe(200);
    }
    // Each one kept in the inbox, to be confirmed by asking ATRIP.
    expect((await stored()) - before).toBe(5);
  });

  it("a name repeated with another value in a field the gateway does not read keeps the notification; in one it reads, the body names nothing for sure (400)", async () => {
    // JSON names SHOULD be unique (RFC 8259), not must: such a body was refused whole, and lost.
    const data = '{"orderNo":"ATR-X","voidCode":"209901-9996","voidStatus":2,"extra":{"k":1,"k":2},"message":"a","message":"b"}';
    expect((await post(hook, `{"cid":"c","type":"order.void","status":-1,"data":${data}}`)).status).toBe(200);
    const twoCodes = '{"orderNo":"ATR-X","voidCode":"209901-9996","voidCode":"209901-9995"}';
    expect((await post(hook, `{"cid":"c","type":"order.void","status":-1,"data":${twoCodes}}`)).status).toBe(400);
    const twoTypes = `{"type":"order.void","type":"order.ticketed","data":{"orderNo":"ATR-X","voidCode":"209901-9996"}}`;
    expect((await post(hook, twoTypes)).status).toBe(400);
    await settled();
  });

  it("is stored before the 200; duplicates and forged statuses change nothing; other types are kept and ignored", async () => {
    const client = wsClient(t.wsUrl);
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const sub = collect<EventOut>(client, VOID_EVENTS, { orderNo }, (d) => d.voidStatusChanged as EventOut);
    await new Promise((r) => setTimeout(r, 100));
    const voidCode = await quoteAndSubmit(t.url, orderNo);
    await sub.waitFor(1);
    const truthful = envelope({ orderNo, voidCode, voidStatus: 0, message: "" });
    const forged = envelope({ orderNo, voidCode, voidStatus: 2, message: "refunded!" });
    const replies = await Promise.all([
      post(hook, truthful),
      post(hook, truthful),
      post(hook, forged),
      post(hook, envelope({ orderNo }, "order.refund")),
    ]);
    for (const r of replies) {
      expect(r.status).toBe(200);
      expect(((await r.json()) as { id: string }).id).toMatch(/^\d+$/);
    }
    const counts = await settled();
    expect(counts.PROCESSED).toBeGreaterThanOrEqual(3);
    expect(counts.IGNORED).toBeGreaterThanOrEqual(1);
    expect((await history(voidCode)).map((e) => e.status)).toEqual(["SUPPLIER_PROCESSING"]);
    expect(sub.items.map((e) => e.status)).toEqual(["SUPPLIER_PROCESSING"]);
    sub.stop();
    await client.dispose();
  });

  it("a body may open with a byte order mark, and is read in the charset its Content-Type names", async () => {
    const stored = async (voidCode: string) =>
      (
        await t.store.db.query<{ payload: unknown }>(`SELECT payload FROM webhook_inbox WHERE payload->'data'->>'voidCode' = $1`, [
          voidCode,
        ])
      ).map((r) => (typeof r.payload === "string" ? JSON.parse(r.payload) : r.payload) as { data: { message: string } });
    const bom = await post(hook, `\uFEFF${envelope({ orderNo: "ATR-X", voidCode: "209901-BOM1", voidStatus: 2 })}`);
    expect(bom.status).toBe(200);
    expect(await stored("209901-BOM1")).toHaveLength(1);
    // 取消失败 in GBK, said to be GBK.
    const [before, after] = envelope({ orderNo: "ATR-X", voidCode: "209901-GBK1", voidStatus: 2, message: "@" }).split("@");
    const gbk = Buffer.concat([Buffer.from(before), Buffer.from("c8a1cffbcaa7b0dc", "hex"), Buffer.from(after)]);
    const res = await fetch(hook, { method: "POST", headers: { "content-type": "application/json; charset=GBK" }, body: gbk });
    expect(res.status).toBe(200);
    expect((await stored("209901-GBK1"))[0].data.message).toBe("取消失败");
    // Read leniently, as a webhook is never sent again: a charset Node does not know, over bytes
    // that are not UTF-8, is read as UTF-8 with U+FFFD (it was a 400, and the webhook lost).
    const gbkUnknown = Buffer.concat([
      Buffer.from(before.replace("209901-GBK1", "209901-GBK2")),
      Buffer.from("c8a1cffbcaa7b0dc", "hex"),
      Buffer.from(after),
    ]);
    const unknown = await fetch(hook, {
      method: "POST",
      headers: { "content-type": "application/json; charset=x-klingon" },
      body: gbkUnknown,
    });
    expect(unknown.status).toBe(200);
    expect((await stored("209901-GBK2"))[0].data.message).toContain("\uFFFD");
    // UTF-8 said to be ISO-8859-1, or two charsets named: read as UTF-8, the suppliers' own.
    for (const [voidCode, contentType] of [
      ["209901-LAT1", "application/json; charset=iso-8859-1"],
      ["209901-TWO1", "application/json; charset=gbk; charset=utf-8"],
    ]) {
      const body = envelope({ orderNo: "ATR-X", voidCode, voidStatus: 2, message: "取消失败" });
      expect((await fetch(hook, { method: "POST", headers: { "content-type": contentType }, body })).status).toBe(200);
      expect((await stored(voidCode))[0].data.message).toBe("取消失败");
    }
    await settled();
  });

  it("a webhook for a void no tenant knows stays in the inbox and publishes nothing", async () => {
    const client = wsClient(t.wsUrl);
    const sub = collect<EventOut>(client, VOID_EVENTS, {}, (d) => d.voidStatusChanged as EventOut);
    await new Promise((r) => setTimeout(r, 100));
    const before = (await t.store.inbox.countByState()).UNKNOWN_VOID ?? 0;
    expect((await post(hook, envelope({ orderNo: "ATR-X", voidCode: "209901-9999", voidStatus: 2 }))).status).toBe(200);
    const counts = await settled();
    expect(counts.UNKNOWN_VOID).toBe(before + 1);
    expect(sub.items).toEqual([]);
    sub.stop();
    await client.dispose();
  });

  it("a truthful webhook is confirmed and recorded with source WEBHOOK", async () => {
    const orderNo = fresh("ATR-VOID-VCC");
    const voidCode = await quoteAndSubmit(t.url, orderNo);
    // Move the simulator's void to status 1 without it telling anyone, then tell the gateway.
    const sim = t.sandbox.atrip!;
    sim.clock.advance(61_000);
    expect(await t.gw.services.registry.voids("ATRIP", "demo").query(voidCode)).toMatchObject({ status: "AIRLINE_PROCESSING" });
    expect((await post(hook, envelope({ orderNo, voidCode, voidStatus: 1, message: "" }))).status).toBe(200);
    await settled();
    const h = await history(voidCode);
    expect(h.map((e) => [e.status, e.source])).toEqual([
      ["SUPPLIER_PROCESSING", "SUBMIT"],
      ["AIRLINE_PROCESSING", "WEBHOOK"],
    ]);
  });

  it("a burst for many voids, each sent three times, is confirmed side by side: every change recorded once", async () => {
    // More voids than one statement records (32), so the batch is written and published in chunks.
    const orders = Array.from({ length: 45 }, () => fresh("ATR-VOID-VCC"));
    const codes = await Promise.all(orders.map((o) => quoteAndSubmit(t.url, o)));
    t.sandbox.atrip!.clock.advance(61_000);
    const bodies = orders.flatMap((orderNo, i) =>
      Array.from({ length: 3 }, () => envelope({ orderNo, voidCode: codes[i], voidStatus: 1, message: "" })),
    );
    const replies = await Promise.all(bodies.map((b) => post(hook, b)));
    expect(replies.map((r) => r.status)).toEqual(bodies.map(() => 200));
    await settled();
    for (const voidCode of codes) {
      expect((await history(voidCode)).map((e) => [e.status, e.source])).toEqual([
        ["SUPPLIER_PROCESSING", "SUBMIT"],
        ["AIRLINE_PROCESSING", "WEBHOOK"],
      ]);
    }
  });

  it("a confirmation that fails while the supplier is down is tried again after a wait, not burnt at once, and lands once it is back", async () => {
    const orderNo = fresh("ATR-VOID-VCC");
    const voidCode = await quoteAndSubmit(t.url, orderNo);
    const sim = t.sandbox.atrip!;
    sim.clock.advance(61_000);
    sim.server.faults = { ...sim.server.faults, http500Rate: 1, operations: ["queryVoidOrders.do"] };
    const reply = await post(hook, envelope({ orderNo, voidCode, voidStatus: 1, message: "" }));
    const { id } = (await reply.json()) as { id: string };
    const row = async () =>
      (
        await t.store.db.query<{ state: string; attempts: number }>("SELECT state, attempts FROM webhook_inbox WHERE id = $1::bigint", [id])
      )[0];
    await eventually(async () => ((await row()).attempts >= 2 ? true : undefined));
    expect((await row()).attempts).toBeLessThanOrEqual(3); // 1 s, then 2 s between tries: not all eight in a burst
    expect((await row()).state).not.toBe("FAILED");
    expect((await history(voidCode)).map((e) => e.status)).toEqual(["SUPPLIER_PROCESSING"]);
    sim.server.faults = { ...sim.server.faults, http500Rate: 0, operations: [] };
    await eventually(async () => ((await row()).state === "PROCESSED" ? true : undefined), 20_000);
    expect((await history(voidCode)).map((e) => [e.status, e.source])).toEqual([
      ["SUPPLIER_PROCESSING", "SUBMIT"],
      ["AIRLINE_PROCESSING", "WEBHOOK"],
    ]);
  });
});
