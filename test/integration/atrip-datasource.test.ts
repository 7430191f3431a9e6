/** The ATRIP datasource against the ATRIP simulator over real HTTP. */
import { gunzipSync } from "node:zlib";
import { request } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SupplierHttp } from "../../datasources/http.js";
import { createAtripAdapter } from "../../datasources/atrip/index.js";
import { NO_FAULTS } from "../../src/sandbox/http-kit.js";
import { CREDS, eventually, fresh, startAtrip } from "../helpers/atrip.js";
import { failure } from "../helpers/failure.js";
import { isNotKnown, notKnown } from "../../datasources/ports.js";

type Env = Awaited<ReturnType<typeof startAtrip>>;
let env: Env;

beforeAll(async () => {
  env = await startAtrip({}, 500);
});
afterAll(async () => env.close());
afterEach(() => {
  env.sim.server.faults = { ...NO_FAULTS };
});

/** The void as ATRIP sees it; null when it does not know the code. */
async function queried(voidCode: string) {
  const answer = await env.voids.query(voidCode);
  return isNotKnown(answer) ? null : answer;
}

describe("ATRIP datasource ↔ simulator", () => {
  it("sends the five headers and decodes gzip replies", async () => {
    const before = env.sim.server.stats.events["reply.gzip"] ?? 0;
    const q = await env.voids.quote(fresh("ATR-VOID-DEPOSIT"));
    expect(q.isVoidable).toBe(true);
    const h = env.sim.server.lastRequest!.headers;
    expect(h["content-type"]).toBe("application/json");
    expect(h["accept"]).toBe("application/json");
    expect(h["accept-encoding"]).toBe("gzip");
    expect(h["x-atlas-client-id"]).toBe(CREDS.clientId);
    expect(h["x-atlas-client-secret"]).toBe(CREDS.clientSecret);
    expect(env.sim.server.stats.events["reply.gzip"]).toBe(before + 1);
  });

  it("the simulator refuses, as ATRIP documents, a call without a required header, with another body type, or without a void call's field", async () => {
    const headers = {
      "content-type": "application/json",
      accept: "application/json",
      "accept-encoding": "gzip",
      "x-atlas-client-id": CREDS.clientId,
      "x-atlas-client-secret": CREDS.clientSecret,
    };
    const call = async (op: string, body: unknown, h: Record<string, string> = headers) => {
      // undici's request adds no header of its own (fetch adds accept and accept-encoding).
      const res = await request(`${env.sim.url}/${op}`, { method: "POST", headers: h, body: JSON.stringify(body) });
      const text =
        h["accept-encoding"] && res.headers["content-encoding"] === "gzip"
          ? gunzipSync(Buffer.from(await res.body.arrayBuffer())).toString()
          : await res.body.text();
      return (JSON.parse(text) as { status: number }).status;
    };
    const reply = async (op: string, body: unknown) =>
      JSON.parse(
        gunzipSync(
          Buffer.from(
            await (await request(`${env.sim.url}/${op}`, { method: "POST", headers, body: JSON.stringify(body) })).body.arrayBuffer(),
          ),
        ).toString(),
      ) as Record<string, unknown>;
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    expect(await call("voidQuotation.do", { orderNo })).toBe(0);
    for (const name of ["accept", "content-type", "accept-encoding"]) {
      const rest = Object.fromEntries(Object.entries(headers).filter(([k]) => k !== name));
      expect(await call("voidQuotation.do", { orderNo }, rest), name).toBe(100);
    }
    expect(await call("voidQuotation.do", { orderNo }, { ...headers, "content-type": "text/plain" })).toBe(901);
    // Seed 002: 810 "Invalid request parameters" for the void calls; 100 "required data missing" elsewhere.
    expect(await call("void.do", { orderNo })).toBe(810);
    expect(await call("voidQuotation.do", {})).toBe(810);
    expect(await call("stopTicket.do", {})).toBe(100);
    // queryOrderDetails.do takes an orderNo or airlinePNR + carrier (no demo order has a PNR: 703); half of that is 702.
    expect(await call("queryOrderDetails.do", { airlinePNR: "ABC123", carrier: "MU" })).toBe(703);
    expect(await call("queryOrderDetails.do", { airlinePNR: "ABC123" })).toBe(702);
    // Seed 002 requires voidOrders in every queryVoidOrders.do reply, 801 included.
    expect(await reply("queryVoidOrders.do", { voidCode: "NO-SUCH" })).toMatchObject({ status: 801, voidOrders: [] });
  });

  it('keeps amounts exact (1280.50 stays "1280.50")', async () => {
    const q = await env.voids.quote(fresh("ATR-VOID-DEPOSIT"));
    expect(q.fare).toEqual({ currency: "CNY", originalAmount: "1280.50", estimatedRefund: "1180.50" });
    expect(q.serviceFee).toEqual({ amount: "100", currency: "CNY" });
    expect(q.expectedRefundDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it.each([
    ["ATR-VOID-DEPOSIT", ["SUPPLIER_PROCESSING", "AIRLINE_PROCESSING", "REFUNDED"]],
    ["ATR-VOID-VCC", ["SUPPLIER_PROCESSING", "AIRLINE_PROCESSING", "COMPLETED"]],
    ["ATR-VOID-REJECT", ["SUPPLIER_PROCESSING", "AIRLINE_PROCESSING", "REJECTED"]],
  ])("%s: quote → void → status path %j", async (template, path) => {
    const orderNo = fresh(template);
    const q = await env.voids.quote(orderNo);
    const v = await env.voids.submit(orderNo, q.voidOfferId!);
    expect(v).toMatchObject({ orderNo, status: "SUPPLIER_PROCESSING", supplierStatus: 0, isFinal: false });
    expect(v.voidCode).toMatch(/^\d{6}-/);
    const seen: string[] = [];
    await eventually(async () => {
      const now = await queried(v.voidCode);
      if (now && seen[seen.length - 1] !== now.status) seen.push(now.status);
      return now?.isFinal ? now : undefined;
    });
    expect(seen[seen.length - 1]).toBe(path[path.length - 1]);
    for (const s of seen) expect(path).toContain(s);
    const final = await queried(v.voidCode);
    if (template === "ATR-VOID-REJECT") {
      expect(final?.cancelReason).toMatch(/rejected/);
      expect(final?.actualRefund).toBeNull();
    } else {
      expect(final?.actualRefund?.amount).toMatch(/^\d+\.\d{2}$/);
    }
  });

  it.each([
    ["ATR-NOT-VOIDABLE", "NOT_VOIDABLE", "808"],
    ["ATR-TICKET-USED", "TICKET_ALREADY_USED", "820"],
    ["ATR-ANCILLARY", "WRONG_ORDER_NUMBER", "824"],
    ["NO-SUCH-ORDER", "ORDER_NOT_FOUND", "801"],
  ])("quote of %s → %s (ATRIP %s)", async (orderNo, code, supplierCode) => {
    const err = await failure(env.voids.quote(orderNo));
    expect(err.code).toBe(code);
    expect(err.supplierCode).toBe(supplierCode);
  });

  it("deadline passed: void.do answers 822", async () => {
    const orderNo = fresh("ATR-VOID-DEADLINE");
    const q = await env.voids.quote(orderNo);
    const err = await failure(env.voids.submit(orderNo, q.voidOfferId!));
    expect(err.code).toBe("VOID_DEADLINE_EXCEEDED");
  });

  it("past its void window: the quote says not voidable (seed 002), and void.do answers 822", async () => {
    const orderNo = fresh("ATR-VOID-WINDOW-CLOSED");
    const q = await env.voids.quote(orderNo);
    expect(q).toMatchObject({ isVoidable: false, window: { allowVoid: false } });
    expect((await failure(env.voids.submit(orderNo, q.voidOfferId!))).code).toBe("VOID_DEADLINE_EXCEEDED");
    // A lost submission's check that meets such a quote cannot tell whether a void went through.
    expect(await env.voids.findSubmitted!(orderNo)).toMatchObject({ submitted: false, inconclusive: expect.any(String) });
  });

  it("a stale voidOfferId (after a newer quote) → VOID_OFFER_EXPIRED", async () => {
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const first = await env.voids.quote(orderNo);
    await env.voids.quote(orderNo);
    const err = await failure(env.voids.submit(orderNo, first.voidOfferId!));
    expect(err.code).toBe("VOID_OFFER_EXPIRED");
    expect(err.hint).toMatch(/quote again/i);
  });

  it("an offer older than its lifetime → VOID_OFFER_EXPIRED", async () => {
    const slow = await startAtrip({ timeScale: 60_000 });
    try {
      const orderNo = fresh("ATR-VOID-DEPOSIT");
      const q = await slow.voids.quote(orderNo);
      await new Promise((r) => setTimeout(r, 40)); // 40 ms x 60000 = 40 simulated minutes
      expect((await failure(slow.voids.submit(orderNo, q.voidOfferId!))).code).toBe("VOID_OFFER_EXPIRED");
    } finally {
      await slow.close();
    }
  });

  it("a second void.do for the same order → VOID_ALREADY_SUBMITTED (816)", async () => {
    const orderNo = fresh("ATR-VOID-VCC");
    const q = await env.voids.quote(orderNo);
    await env.voids.submit(orderNo, q.voidOfferId!);
    const err = await failure(env.voids.submit(orderNo, q.voidOfferId!));
    expect(err.code).toBe("VOID_ALREADY_SUBMITTED");
    expect(err.supplierCode).toBe("816");
    // A quote after a void also says so (ATRIP lists 816 for voidQuotation.do too).
    expect((await failure(env.voids.quote(orderNo))).supplierCode).toBe("816");
  });

  it("void.do and queryVoidOrders.do expose postTicketingServices; fastConfirmation where the reply has it", async () => {
    const orderNo = fresh("ATR-VOID-VCC");
    const q = await env.voids.quote(orderNo);
    const v = await env.voids.submit(orderNo, q.voidOfferId!);
    const baggage = { postTicketingOrderNo: `${orderNo}-BAG1`, currency: "USD", originalAmount: "35.00", estimatedRefund: "35.00" };
    expect(v).toMatchObject({ fastConfirmation: true, postTicketingServices: [baggage] });
    // queryVoidOrders.do does not list fastConfirmation (seed 002): unknown, not false.
    expect(await queried(v.voidCode)).toMatchObject({ fastConfirmation: null, postTicketingServices: [baggage] });
  });

  it.each([
    ["ATR-VOID-VOUCHER", null, { amount: "96.00", currency: "EUR" }],
    [
      "ATR-REFUND-STRING",
      { currency: "CNY", originalAmount: "1280.50", estimatedRefund: "1180.50" },
      { amount: "1180.50", currency: "CNY" },
    ],
  ])("%s: followed to REFUNDED with the documented variants read", async (template, fare, refund) => {
    const orderNo = fresh(template);
    const q = await env.voids.quote(orderNo);
    expect(q.fare).toEqual(fare);
    const v = await env.voids.submit(orderNo, q.voidOfferId!);
    expect(v.fare).toEqual(fare);
    const final = await eventually(async () => {
      const now = await queried(v.voidCode);
      return now?.isFinal ? now : undefined;
    });
    expect(final).toMatchObject({ status: "REFUNDED", fare, actualRefund: refund });
    expect(env.oddFields.filter((o) => o.ref?.startsWith(orderNo) || o.ref === v.voidCode)).toEqual([]);
  });

  it("ATR-REFUND-ODD: an actualRefundAmount of an unexpected shape leaves the amount null, is reported once, and the void still finishes", async () => {
    const orderNo = fresh("ATR-REFUND-ODD");
    const q = await env.voids.quote(orderNo);
    const v = await env.voids.submit(orderNo, q.voidOfferId!);
    const final = await eventually(async () => {
      const now = await queried(v.voidCode);
      return now?.isFinal ? now : undefined;
    });
    expect(final).toMatchObject({ status: "REFUNDED", isFinal: true, actualRefund: null });
    expect(await queried(v.voidCode)).toMatchObject({ status: "REFUNDED", actualRefund: null });
    const reported = env.oddFields.filter((o) => o.field === "actualRefundAmount");
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ supplier: "ATRIP", operation: "queryVoidOrders.do", ref: v.voidCode });
  });

  it("void.do answering an undocumented status → SUPPLIER_OUTCOME_UNKNOWN with its code and message; the void did happen", async () => {
    const orderNo = fresh("ATR-VOID-ODD");
    const q = await env.voids.quote(orderNo);
    const err = await failure(env.voids.submit(orderNo, q.voidOfferId!));
    expect(err).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN", supplierCode: "830", retryable: false });
    expect(err.supplierMessage).toMatch(/received/);
    expect((await failure(env.voids.quote(orderNo))).code).toBe("VOID_ALREADY_SUBMITTED");
  });

  it("an unknown voidCode queries as not known, with ATRIP's 801 and its words", async () => {
    expect(await env.voids.query("209901-0000")).toEqual(
      notKnown("801", "No voidable orders found. Please check the original main ticket order number."),
    );
  });

  it("stop issuance: accepted, then STOPPED after the delay", async () => {
    const orderNo = fresh("ATR-STOP-OK");
    const accepted = await env.stops.stop(orderNo);
    expect(accepted.message).toMatch(/8 minutes/);
    expect((await env.stops.outcome(orderNo)).state).toBe("PENDING");
    const done = await eventually(async () => {
      const o = await env.stops.outcome(orderNo);
      return o.state !== "PENDING" ? o : undefined;
    });
    expect(done).toMatchObject({ state: "STOPPED", supplierOrderStatus: "-3" });
  });

  it("stop issuance that fails: ISSUED (orderStatus 2)", async () => {
    const orderNo = fresh("ATR-STOP-ISSUED");
    await env.stops.stop(orderNo);
    const done = await eventually(async () => {
      const o = await env.stops.outcome(orderNo);
      return o.state !== "PENDING" ? o : undefined;
    });
    expect(done.state).toBe("ISSUED");
  });

  it("stopTicket.do status 2 (System error) → SUPPLIER_UNAVAILABLE, retryable: the attempt was not accepted", async () => {
    const err = await failure(env.stops.stop("ATR-STOP-REFUSED"));
    expect(err).toMatchObject({ code: "SUPPLIER_UNAVAILABLE", supplierCode: "2", retryable: true });
    expect(err.hint).toMatch(/ask again/i);
  });

  it("stopTicket.do sends cid (the client id) in the body as seed 001 shows, and the headers", async () => {
    const orderNo = fresh("ATR-STOP-OK");
    await env.stops.stop(orderNo);
    const last = env.sim.server.lastRequest!;
    expect(last.operation).toBe("stopTicket.do");
    expect(JSON.parse(last.body)).toEqual({ cid: CREDS.clientId, orderNo });
    expect(last.headers["x-atlas-client-id"]).toBe(CREDS.clientId);
  });

  it("stopTicket.do 2 once, then asked again: accepted and STOPPED", async () => {
    const orderNo = fresh("ATR-STOP-BUSY");
    expect(await failure(env.stops.stop(orderNo))).toMatchObject({ code: "SUPPLIER_UNAVAILABLE", retryable: true });
    await env.stops.stop(orderNo);
    const done = await eventually(async () => {
      const o = await env.stops.outcome(orderNo);
      return o.state !== "PENDING" ? o : undefined;
    });
    expect(done.state).toBe("STOPPED");
  });

  it("stopTicket.do answering an undocumented status → SUPPLIER_OUTCOME_UNKNOWN with its code and message (the stop did go on)", async () => {
    const orderNo = fresh("ATR-STOP-ODD");
    const err = await failure(env.stops.stop(orderNo));
    expect(err).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN", supplierCode: "3", supplierMessage: "Request queued", retryable: false });
    const done = await eventually(async () => {
      const o = await env.stops.outcome(orderNo);
      return o.state !== "PENDING" ? o : undefined;
    });
    expect(done.state).toBe("STOPPED");
  });

  it.each([
    ["ATR-DETAILS-701", "701"],
    ["ATR-DETAILS-702", "702"],
    ["ATR-DETAILS-704", "704"],
  ])("queryOrderDetails.do for %s answers %s → SUPPLIER_REJECTED_REQUEST, not a bad response", async (template, status) => {
    const err = await failure(env.stops.outcome(fresh(template)));
    expect(err).toMatchObject({ code: "SUPPLIER_REJECTED_REQUEST", supplierCode: status, retryable: false });
  });

  it("queryOrderDetails.do 705 (ATRIP timed out) → SUPPLIER_TIMEOUT, retryable; asked again it answers", async () => {
    const orderNo = fresh("ATR-DETAILS-705");
    expect(await failure(env.stops.outcome(orderNo))).toMatchObject({ code: "SUPPLIER_TIMEOUT", supplierCode: "705", retryable: true });
    expect((await env.stops.outcome(orderNo)).state).toBe("PENDING");
  });

  it("wrong credentials → SUPPLIER_AUTH_FAILED (900)", async () => {
    const http = new SupplierHttp();
    const wrong = createAtripAdapter(
      { baseUrl: env.sim.url, clientId: CREDS.clientId, clientSecret: "wrong", timeoutMs: 1000 },
      http,
      true,
    );
    const err = await failure(wrong.voids!.quote("ATR-VOID-DEPOSIT"));
    await http.close();
    expect(err.code).toBe("SUPPLIER_AUTH_FAILED");
    expect(err.supplierCode).toBe("900");
  });

  describe("faults", () => {
    it("slow reply beyond the timeout: SUPPLIER_TIMEOUT for a read, SUPPLIER_OUTCOME_UNKNOWN for void.do", async () => {
      const orderNo = fresh("ATR-VOID-DEPOSIT");
      const q = await env.voids.quote(orderNo);
      env.sim.server.faults = { ...NO_FAULTS, latencyMs: 800 };
      expect((await failure(env.voids.quote(orderNo))).code).toBe("SUPPLIER_TIMEOUT");
      const err = await failure(env.voids.submit(orderNo, q.voidOfferId!));
      expect(err.code).toBe("SUPPLIER_OUTCOME_UNKNOWN");
      expect(err.retryable).toBe(false);
    });

    it("malformed JSON → SUPPLIER_BAD_RESPONSE", async () => {
      env.sim.server.faults = { ...NO_FAULTS, malformedRate: 1 };
      expect((await failure(env.voids.quote("ATR-VOID-DEPOSIT"))).code).toBe("SUPPLIER_BAD_RESPONSE");
    });

    it("broken gzip → SUPPLIER_BAD_RESPONSE", async () => {
      env.sim.server.faults = { ...NO_FAULTS, brokenGzipRate: 1 };
      expect((await failure(env.voids.quote("ATR-VOID-DEPOSIT"))).code).toBe("SUPPLIER_BAD_RESPONSE");
    });

    it("HTTP 500 → SUPPLIER_UNAVAILABLE (retryable for a read, not for void.do)", async () => {
      env.sim.server.faults = { ...NO_FAULTS, http500Rate: 1 };
      const read = await failure(env.voids.quote("ATR-VOID-DEPOSIT"));
      expect(read).toMatchObject({ code: "SUPPLIER_UNAVAILABLE", retryable: true, supplierCode: "HTTP 500" });
      const write = await failure(env.voids.submit("ATR-VOID-DEPOSIT", "v_x"));
      expect(write).toMatchObject({ code: "SUPPLIER_UNAVAILABLE", retryable: false });
    });

    it("connection reset → SUPPLIER_UNAVAILABLE for a read, SUPPLIER_OUTCOME_UNKNOWN for void.do", async () => {
      env.sim.server.faults = { ...NO_FAULTS, resetRate: 1 };
      expect((await failure(env.voids.quote("ATR-VOID-DEPOSIT"))).code).toBe("SUPPLIER_UNAVAILABLE");
      expect((await failure(env.voids.submit("ATR-VOID-DEPOSIT", "v_x"))).code).toBe("SUPPLIER_OUTCOME_UNKNOWN");
    });

    it("connection refused → SUPPLIER_UNAVAILABLE even for void.do (nothing was sent)", async () => {
      const http = new SupplierHttp();
      const dead = createAtripAdapter({ baseUrl: "http://127.0.0.1:9", ...CREDS, timeoutMs: 1000 }, http, false);
      const err = await failure(dead.voids!.submit("ATR-VOID-DEPOSIT", "v_x"));
      await http.close();
      expect(err).toMatchObject({ code: "SUPPLIER_UNAVAILABLE", retryable: true });
    });

    it("void.do status 0 with an undocumented voidStatus → SUPPLIER_OUTCOME_UNKNOWN carrying ATRIP's code and msg", async () => {
      const http = await import("node:http");
      const server = http.createServer((_req, res) =>
        res.end('{"status":0,"msg":"queued for the airline","orderNo":"A","voidCode":"202505-0099","voidStatus":7}'),
      );
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
      const port = (server.address() as { port: number }).port;
      const client = new SupplierHttp();
      const odd = createAtripAdapter({ baseUrl: `http://127.0.0.1:${port}`, ...CREDS, timeoutMs: 1000 }, client, false);
      const err = await failure(odd.voids!.submit("A", "v_1"));
      void client.close();
      server.close();
      expect(err).toMatchObject({
        code: "SUPPLIER_OUTCOME_UNKNOWN",
        supplierCode: "0",
        supplierMessage: "queued for the airline",
        retryable: false,
      });
      expect(err.message).toMatch(/voidStatus/);
    });

    it("a wrongly-shaped reply → SUPPLIER_BAD_RESPONSE", async () => {
      // A server that answers status 0 without the documented fields.
      const http = await import("node:http");
      const server = http.createServer((_req, res) => res.end('{"status":0,"msg":"ok","orderNo":"A"}'));
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
      const port = (server.address() as { port: number }).port;
      const client = new SupplierHttp();
      const odd = createAtripAdapter({ baseUrl: `http://127.0.0.1:${port}`, ...CREDS, timeoutMs: 1000 }, client, false);
      const err = await failure(odd.voids!.quote("A"));
      client.close();
      server.close();
      expect(err.code).toBe("SUPPLIER_BAD_RESPONSE");
      expect(err.message).toMatch(/isVoidable/);
    });
  });
});
