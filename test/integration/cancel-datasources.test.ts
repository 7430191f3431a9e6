/** The Alitrip (TOP) and CTT datasources against their simulators over real HTTP. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createAlitripAdapter, topForm, type TopConfig } from "../../datasources/alitrip/index.js";
import type { TopSignMethod } from "../../datasources/alitrip/sign.js";
import { cancelOrderResponse, ORDER_CANCEL_METHOD } from "../../datasources/alitrip/wire.js";
import { createCttAdapter } from "../../datasources/ctt/index.js";
import { CTT_TERMINAL, cttRandom, cttSign, cttTimeStamp, DEFAULT_CTT_SIGNING, type CttSigning } from "../../datasources/ctt/sign.js";
import { SupplierError } from "../../src/vocabulary/errors.js";
import { SupplierHttp } from "../../datasources/http.js";
import { AlitripSimulator } from "../../src/sandbox/alitrip/server.js";
import { CttSimulator } from "../../src/sandbox/ctt/server.js";
import { NO_FAULTS } from "../../src/sandbox/http-kit.js";
import { fresh } from "../helpers/atrip.js";

const TOP = { appKey: "app-123", appSecret: "app-secret-xyz", session: "sess-abc" };
const CTT_KEY = "ctt-sign-key";

let ali: AlitripSimulator;
let ctt: CttSimulator;
const http = new SupplierHttp();

beforeAll(async () => {
  ali = await AlitripSimulator.start(TOP);
  ctt = await CttSimulator.start({ signKey: CTT_KEY });
});
afterAll(async () => {
  await http.close();
  await Promise.all([ali.close(), ctt.close()]);
});
afterEach(() => {
  ali.server.faults = { ...NO_FAULTS };
  ctt.server.faults = { ...NO_FAULTS };
});

function topConfig(over: Partial<TopConfig> = {}): TopConfig {
  return { routerUrl: ali.url, ...TOP, signMethod: "md5", timeoutMs: 1000, ...over };
}
const alitrip = (over: Partial<TopConfig> & { defaultSubChannel?: string } = {}) =>
  createAlitripAdapter(topConfig(over), http, true).cancels!;
const cttCancels = (key = CTT_KEY, timeoutMs = 1000, signing?: CttSigning) =>
  createCttAdapter({ baseUrl: ctt.url, signKey: key, timeoutMs, signing }, http, true).cancels!;

async function failure(p: Promise<unknown>): Promise<SupplierError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as SupplierError;
}

describe("Alitrip TOP datasource ↔ simulator", () => {
  it.each(["md5", "hmac", "hmac-sha256"] as TopSignMethod[])("cancels with sign_method %s", async (signMethod) => {
    const orderNo = fresh("ALI-CANCEL-OK");
    const r = await alitrip({ signMethod }).cancel({ orderNo, subChannel: "corp001" });
    expect(r).toMatchObject({ supplier: "ALITRIP", orderNo, supplierOrderStatus: "CANCELLED", message: "取消成功" });
    expect(Math.abs(r.cancelledAt!.getTime() - Date.now())).toBeLessThan(5000);
  });

  it("sends form-encoded system parameters", async () => {
    await alitrip().cancel({ orderNo: fresh("ALI-CANCEL-OK"), subChannel: "corp001" });
    expect(ali.server.lastRequest!.headers["content-type"]).toBe("application/x-www-form-urlencoded;charset=utf-8");
  });

  it("the simulator reads a form body only: the same parameters as JSON are a call without a method (code 21)", async () => {
    const form = topForm(topConfig(), ORDER_CANCEL_METHOD, {
      param_btrip_flight_order_operate_common_rq: { sub_channel: "corp001", dis_order_id: fresh("ALI-CANCEL-OK") },
    });
    const res = await fetch(ali.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(form) });
    expect(((await res.json()) as { error_response: { code: number } }).error_response.code).toBe(21);
  });

  it("uses the default sub-channel, and refuses without one before any call", async () => {
    const r = await alitrip({ defaultSubChannel: "corp009" }).cancel({ orderNo: fresh("ALI-CANCEL-OK") });
    expect(r.supplier).toBe("ALITRIP");
    const before = ali.server.stats.total;
    const err = await failure(alitrip().cancel({ orderNo: fresh("ALI-CANCEL-OK") }));
    expect(err).toMatchObject({ code: "BAD_USER_INPUT" });
    expect(ali.server.stats.total).toBe(before);
  });

  it("already ticketed: CANCEL_REJECTED with fail_code 1001 and 已出票不可取消", async () => {
    const err = await failure(alitrip().cancel({ orderNo: "ALI-TICKETED", subChannel: "corp001" }));
    expect(err).toMatchObject({ code: "CANCEL_REJECTED", supplierCode: "1001", supplierMessage: "已出票不可取消" });
  });

  it("cancelling twice: the second is refused", async () => {
    const orderNo = fresh("ALI-CANCEL-OK");
    await alitrip().cancel({ orderNo, subChannel: "c1" });
    expect((await failure(alitrip().cancel({ orderNo, subChannel: "c1" }))).code).toBe("CANCEL_REJECTED");
  });

  it("unknown order: error_response with an isv sub_code → ORDER_NOT_FOUND", async () => {
    const err = await failure(alitrip().cancel({ orderNo: "NOPE-1", subChannel: "corp001" }));
    expect(err).toMatchObject({ code: "ORDER_NOT_FOUND", supplierCode: "50/isv.order-not-exist" });
  });

  it("isp.* remote error → SUPPLIER_UNAVAILABLE, not retryable for a cancel", async () => {
    const err = await failure(alitrip().cancel({ orderNo: "ALI-REMOTE-ERROR", subChannel: "corp001" }));
    expect(err).toMatchObject({ code: "SUPPLIER_UNAVAILABLE", supplierCode: "15/isp.remote-service-error", retryable: false });
  });

  it.each([
    [{ appSecret: "wrong" }, "25"],
    [{ appKey: "wrong" }, "29"],
    [{ session: "wrong" }, "27"],
  ])("bad credentials %j → SUPPLIER_AUTH_FAILED (%s)", async (over, code) => {
    const err = await failure(alitrip(over).cancel({ orderNo: fresh("ALI-CANCEL-OK"), subChannel: "corp001" }));
    expect(err).toMatchObject({ code: "SUPPLIER_AUTH_FAILED", supplierCode: code });
  });

  it("the router rejects an unknown method (22) and a missing business parameter (40, isv.*)", async () => {
    const client = createAlitripAdapter(topConfig(), http, true).client;
    const unknown = await failure(
      client.call("alitrip.btrip.flight.distribution.nothing", {}, cancelOrderResponse, (r) => r, { changesState: false }),
    );
    expect(unknown).toMatchObject({ code: "SUPPLIER_REJECTED_REQUEST", supplierCode: "22" });
    const missing = await failure(client.call(ORDER_CANCEL_METHOD, {}, cancelOrderResponse, (r) => r, { changesState: true }));
    expect(missing).toMatchObject({ code: "SUPPLIER_REJECTED_REQUEST", supplierCode: "40/isv.missing-parameter" });
  });

  it("the router rejects a timestamp more than 10 minutes off (31)", async () => {
    const form = topForm(
      topConfig(),
      ORDER_CANCEL_METHOD,
      { param_btrip_flight_order_operate_common_rq: { sub_channel: "c", dis_order_id: "ALI-CANCEL-OK-x" } },
      new Date(Date.now() - 11 * 60_000),
    );
    const res = await fetch(ali.url, { method: "POST", body: new URLSearchParams(form) });
    const body = (await res.json()) as { error_response: { code: number } };
    expect(body.error_response.code).toBe(31);
  });

  it("an error_response the gateway cannot read beside a success envelope → SUPPLIER_OUTCOME_UNKNOWN, not a cancel done", async () => {
    ali.server.faults = {
      ...NO_FAULTS,
      rewrite: {
        from: '{"alitrip_btrip_flight_distribution_order_cancel_response":',
        to: '{"error_response":{"code":50.0,"msg":"Remote service error","sub_code":"isp.remote-service-error"},"alitrip_btrip_flight_distribution_order_cancel_response":',
      },
    };
    try {
      const err = await failure(alitrip().cancel({ orderNo: fresh("ALI-CANCEL-OK"), subChannel: "c" }));
      expect(err).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN", retryable: false });
      expect(err.message).toContain("error_response.code");
    } finally {
      ali.server.faults = { ...NO_FAULTS };
    }
  });

  it("a cancel whose reply is lost → SUPPLIER_OUTCOME_UNKNOWN", async () => {
    ali.server.faults = { ...NO_FAULTS, latencyMs: 1500 };
    const err = await failure(alitrip().cancel({ orderNo: fresh("ALI-CANCEL-OK"), subChannel: "c" }));
    expect(err).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN", retryable: false });
  });

  it("success=true without result_code (seed 003 shows result_code only in a failure sample) → cancelled", async () => {
    const orderNo = fresh("ALI-CANCEL-BARE");
    const r = await alitrip().cancel({ orderNo, subChannel: "corp001" });
    expect(r).toMatchObject({ supplier: "ALITRIP", orderNo, supplierOrderStatus: "CANCELLED", message: null });
    expect(r.cancelledAt).toBeInstanceOf(Date);
  });

  it("success=true with result_code 1001 取消失败 and no fail fields → CANCEL_REJECTED, nothing cancelled", async () => {
    const orderNo = fresh("ALI-CANCEL-FAILED");
    const err = await failure(alitrip().cancel({ orderNo, subChannel: "corp001" }));
    expect(err).toMatchObject({ code: "CANCEL_REJECTED", supplierCode: "1001", supplierMessage: "取消失败", retryable: false });
    expect(err.extensions()).toMatchObject({ supplierOrderStatus: "5", resultCode: "1001" });
  });

  it("success=false without fail_code/fail_reason → CANCEL_REJECTED with result_code and result_msg", async () => {
    const err = await failure(alitrip().cancel({ orderNo: fresh("ALI-REFUSED"), subChannel: "corp001" }));
    expect(err).toMatchObject({ code: "CANCEL_REJECTED", supplierCode: "1003", supplierMessage: "订单状态不允许取消", retryable: false });
  });

  it("a result without success → SUPPLIER_OUTCOME_UNKNOWN; the order was in fact cancelled, as a second cancel shows", async () => {
    const orderNo = fresh("ALI-NO-SUCCESS");
    const err = await failure(alitrip().cancel({ orderNo, subChannel: "corp001" }));
    expect(err).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN", supplierMessage: "处理中", retryable: false });
    expect(await failure(alitrip().cancel({ orderNo, subChannel: "corp001" }))).toMatchObject({
      code: "CANCEL_REJECTED",
      supplierCode: "1002",
    });
  });

  it("an error_response code outside the platform's list → SUPPLIER_OUTCOME_UNKNOWN with the code and message", async () => {
    const err = await failure(alitrip().cancel({ orderNo: fresh("ALI-ODD-ERROR"), subChannel: "corp001" }));
    expect(err).toMatchObject({
      code: "SUPPLIER_OUTCOME_UNKNOWN",
      supplierCode: "77",
      supplierMessage: "Unlisted platform error",
      retryable: false,
    });
  });

  it("malformed reply to a cancel → SUPPLIER_OUTCOME_UNKNOWN (it may have happened)", async () => {
    ali.server.faults = { ...NO_FAULTS, malformedRate: 1 };
    expect((await failure(alitrip().cancel({ orderNo: fresh("ALI-CANCEL-OK"), subChannel: "c" }))).code).toBe("SUPPLIER_OUTCOME_UNKNOWN");
  });
});

describe("CTT datasource ↔ simulator", () => {
  it("signs with the configured terminal, time zone and signed string (CTT.md: unconfirmed, so configurable)", async () => {
    const orderNo = fresh("CTT-CANCEL-OK");
    await cttCancels(CTT_KEY, 1000, { ...DEFAULT_CTT_SIGNING, terminal: 2 }).cancel({ orderNo, passengerIds: ["P1"] });
    expect(JSON.parse(ctt.server.lastRequest!.body)).toMatchObject({ order_number: orderNo, terminal: 2 });
    // The simulator checks the front-end's scheme: a time stamp in another zone, or another signed string, is refused.
    for (const signing of [
      { ...DEFAULT_CTT_SIGNING, utcOffsetMinutes: 480 },
      { ...DEFAULT_CTT_SIGNING, template: "timestamp={timestamp}&random={random}&terminal={terminal}" },
    ]) {
      const err = await failure(cttCancels(CTT_KEY, 1000, signing).cancel({ orderNo: fresh("CTT-CANCEL-OK"), passengerIds: ["P1"] }));
      expect(err).toMatchObject({ code: "CANCEL_REJECTED", supplierCode: "-2" });
    }
  });

  it("the simulator refuses a body that is not JSON with 415, as ASP.NET Web API does; the gateway's cancel is JSON", async () => {
    const random = cttRandom();
    const time_stamp = cttTimeStamp();
    const body = {
      order_number: fresh("CTT-CANCEL-OK"),
      refund_passanger_ids: "P1",
      refund_reason: "",
      terminal: CTT_TERMINAL,
      time_stamp,
      random,
      sign: cttSign(CTT_KEY, random, time_stamp),
    };
    const res = await fetch(`${ctt.url}/api/order/cancel`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(415);
    const ok = await fetch(`${ctt.url}/api/order/cancel`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(((await ok.json()) as { code: number }).code).toBe(1);
  });

  it("cancels an order more than 30 days out, with passenger ids joined by commas", async () => {
    const orderNo = fresh("CTT-CANCEL-OK");
    const r = await cttCancels().cancel({ orderNo, passengerIds: ["P1", "P2"], reason: "trip cancelled" });
    expect(r).toMatchObject({ supplier: "CTT", orderNo });
    const sent = JSON.parse(ctt.server.lastRequest!.body) as Record<string, unknown>;
    expect(sent).toMatchObject({ order_number: orderNo, refund_passanger_ids: "P1,P2", refund_reason: "trip cancelled", terminal: 1 });
    expect(sent.time_stamp).toMatch(/^\d{14}$/);
    expect(sent.random).toBeGreaterThanOrEqual(10000);
    expect(sent.random).toBeLessThanOrEqual(19999);
  });

  it("within 30 days → CANCEL_REJECTED with CTT's message", async () => {
    const err = await failure(cttCancels().cancel({ orderNo: "CTT-WITHIN-30" }));
    expect(err).toMatchObject({ code: "CANCEL_REJECTED", supplierCode: "0" });
    expect(err.supplierMessage).toMatch(/30/);
  });

  // CTT documents no codes; a negative one is a refusal (docs/suppliers/ctt.md), whatever the simulator means by it.
  it("unknown order (the simulator's -3) → CANCEL_REJECTED with CTT's code and message", async () => {
    const err = await failure(cttCancels().cancel({ orderNo: "CTT-NOPE" }));
    expect(err).toMatchObject({ code: "CANCEL_REJECTED", supplierCode: "-3" });
    expect(err.supplierMessage).toMatch(/not found/);
  });

  it("wrong sign key (the simulator's -2) → CANCEL_REJECTED with CTT's code and message", async () => {
    const err = await failure(cttCancels("not-the-key").cancel({ orderNo: fresh("CTT-CANCEL-OK") }));
    expect(err).toMatchObject({ code: "CANCEL_REJECTED", supplierCode: "-2" });
    expect(err.supplierMessage).toMatch(/sign/);
  });

  it("an undocumented code (2) → SUPPLIER_OUTCOME_UNKNOWN; the order was in fact cancelled", async () => {
    const orderNo = fresh("CTT-ODD-CODE");
    const err = await failure(cttCancels().cancel({ orderNo }));
    expect(err).toMatchObject({
      code: "SUPPLIER_OUTCOME_UNKNOWN",
      supplierCode: "2",
      supplierMessage: "已受理 (accepted)",
      retryable: false,
    });
    expect(await failure(cttCancels().cancel({ orderNo }))).toMatchObject({ code: "CANCEL_REJECTED", supplierCode: "0" });
  });

  it("a reply without a code → SUPPLIER_OUTCOME_UNKNOWN", async () => {
    const err = await failure(cttCancels().cancel({ orderNo: fresh("CTT-NO-CODE") }));
    expect(err).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN", retryable: false });
    expect(err.supplierMessage).toMatch(/取消成功/);
  });

  it("HTTP 500 on a cancel → SUPPLIER_UNAVAILABLE, not retryable", async () => {
    ctt.server.faults = { ...NO_FAULTS, http500Rate: 1 };
    expect(await failure(cttCancels().cancel({ orderNo: fresh("CTT-CANCEL-OK") }))).toMatchObject({
      code: "SUPPLIER_UNAVAILABLE",
      retryable: false,
    });
  });

  it("what the supplier said in a non-2xx reply's body is its supplierMessage (JSON message, text/plain); an HTML page says nothing", async () => {
    const failWith = async (status: number, body: string, contentType: string) => {
      ctt.server.faults = { ...NO_FAULTS, failNext: { status, count: 1, body, contentType } };
      return failure(cttCancels().cancel({ orderNo: fresh("CTT-CANCEL-OK") }));
    };
    expect(await failWith(400, '{"Message":"The request is invalid."}', "application/json; charset=utf-8")).toMatchObject({
      code: "SUPPLIER_REJECTED_REQUEST",
      supplierCode: "HTTP 400",
      supplierMessage: "The request is invalid.",
    });
    expect(await failWith(502, '{"error_response":{"code":15,"msg":"Remote service error"}}', "application/json")).toMatchObject({
      code: "SUPPLIER_UNAVAILABLE",
      supplierMessage: "Remote service error",
      retryable: false,
    });
    expect((await failWith(503, "busy,\r\n try later", "text/plain")).supplierMessage).toBe("busy, try later");
    expect((await failWith(500, "<html><body>Error</body></html>", "text/html")).supplierMessage).toBeUndefined();
    expect((await failWith(400, `{"message":"${"x".repeat(400)}"}`, "application/json")).supplierMessage).toBe(`${"x".repeat(300)}…`);
    // A large body is not read; a refusal of the gateway's credentials is not passed on to a tenant.
    expect((await failWith(400, `{"message":"big","pad":"${"x".repeat(20_000)}"}`, "application/json")).supplierMessage).toBeUndefined();
    expect(await failWith(403, '{"message":"key k-123 of account acme is disabled"}', "application/json")).toMatchObject({
      code: "SUPPLIER_AUTH_FAILED",
      supplierMessage: undefined,
    });
  });

  it("reset connection on a cancel → SUPPLIER_OUTCOME_UNKNOWN", async () => {
    ctt.server.faults = { ...NO_FAULTS, resetRate: 1 };
    expect((await failure(cttCancels().cancel({ orderNo: fresh("CTT-CANCEL-OK") }))).code).toBe("SUPPLIER_OUTCOME_UNKNOWN");
  });
});
