/** TOP envelopes, error_response parsing and every code range of docs/api.md. */
import { describe, expect, it } from "vitest";
import { topError } from "../../datasources/alitrip/errors.js";
import { toCancelResult } from "../../datasources/alitrip/mapping.js";
import { cancelOrderResponse, errorResponse } from "../../datasources/alitrip/wire.js";
import { OUTCOME_HINT, SupplierError } from "../../src/vocabulary/errors.js";
import { parseJson } from "../../datasources/json.js";

const ranges: Array<[number[], string]> = [
  [[4, 5, 6, 7, 8], "SUPPLIER_RATE_LIMITED"],
  [[10, 15, 50], "SUPPLIER_UNAVAILABLE"],
  [[11, 12, 13, 24, 25, 26, 27, 28, 29], "SUPPLIER_AUTH_FAILED"],
  [[9, 21, 22, 23, 30, 31, 32, 33, 34, 40, 41, 42, 43], "SUPPLIER_REJECTED_REQUEST"],
];

describe("TOP error mapping", () => {
  for (const [codes, expected] of ranges) {
    it.each(codes)(`code %i → ${expected}`, (code) => {
      const err = topError("m", { code, msg: "msg" }, false);
      expect(err.code).toBe(expected);
      expect(err.supplierCode).toBe(String(code));
    });
  }

  it("a sub_code decides on the business codes (15, 40, 41, 50): isp.* → SUPPLIER_UNAVAILABLE, isv.* → SUPPLIER_REJECTED_REQUEST", () => {
    expect(topError("m", { code: 50, sub_code: "isv.invalid-parameter", sub_msg: "非法参数" }, false)).toMatchObject({
      code: "SUPPLIER_REJECTED_REQUEST",
      supplierCode: "50/isv.invalid-parameter",
    });
    expect(topError("m", { code: 40, sub_code: "isp.remote-service-error" }, false)).toMatchObject({
      code: "SUPPLIER_UNAVAILABLE",
      retryable: true,
    });
    expect(topError("m", { code: 50, sub_code: "isv.order-not-exist" }, false).code).toBe("ORDER_NOT_FOUND");
  });

  it.each([
    [29, "isv.appkey-not-exists", "SUPPLIER_AUTH_FAILED"],
    [11, "isv.permission-api-package-limit", "SUPPLIER_AUTH_FAILED"],
    [11, "isv.permission-ip-whitelist-limit", "SUPPLIER_AUTH_FAILED"],
    [25, "isv.invalid-signature", "SUPPLIER_AUTH_FAILED"],
    [7, "isv.call-limited", "SUPPLIER_RATE_LIMITED"],
    // An isp. sub code (a fault on the platform's side) still decides first, whatever the code.
    [7, "isp.remote-service-error", "SUPPLIER_UNAVAILABLE"],
    [22, "isp.remote-service-error", "SUPPLIER_UNAVAILABLE"],
    [42, "isp.x", "SUPPLIER_UNAVAILABLE"],
  ])("a platform check's code decides over an isv sub code, an isp sub code over both: %i with %s → %s", (code, sub_code, expected) => {
    const err = topError("cancel", { code, msg: "m", sub_code }, true);
    expect(err).toMatchObject({ code: expected, supplierCode: `${code}/${sub_code}` });
    if (expected === "SUPPLIER_AUTH_FAILED") expect(err.hint).toMatch(/ALITRIP_APP_KEY/);
  });

  it("a state-changing call is retryable only when throttled", () => {
    expect(topError("cancel", { code: 15, sub_code: "isp.x" }, true).retryable).toBe(false);
    expect(topError("cancel", { code: 7 }, true).retryable).toBe(true);
  });

  it("a server-side fault on a cancel (outcome unknown to the gateway) tells the client to query first, not to try again", () => {
    expect(topError("cancel", { code: 15, sub_code: "isp.x" }, true).hint).toBe(OUTCOME_HINT);
    expect(topError("cancel", { code: 50 }, true).hint).toBe(OUTCOME_HINT);
    expect(topError("read", { code: 15, sub_code: "isp.x" }, false).hint).toMatch(/try again later/);
  });

  it("an undocumented code is a bad response for a read, an unknown outcome for a cancel (with its code and message)", () => {
    expect(topError("m", { code: 777 }, false).code).toBe("SUPPLIER_BAD_RESPONSE");
    expect(topError("cancel", { code: 77, msg: "odd" }, true)).toMatchObject({
      code: "SUPPLIER_OUTCOME_UNKNOWN",
      supplierCode: "77",
      supplierMessage: "odd",
      retryable: false,
    });
    // A documented sub_code class still decides, whatever the code.
    expect(topError("cancel", { code: 77, sub_code: "isv.bad" }, true).code).toBe("SUPPLIER_REJECTED_REQUEST");
  });

  it("parses the seed's error_response sample", () => {
    const body = parseJson(
      '{"error_response":{"code":50,"msg":"Remote service error","sub_code":"isv.invalid-parameter","sub_msg":"非法参数"}}',
    );
    const parsed = errorResponse.parse(body).error_response;
    expect(parsed).toMatchObject({ code: 50, msg: "Remote service error", sub_code: "isv.invalid-parameter", sub_msg: "非法参数" });
    expect(topError("m", parsed, true).supplierMessage).toBe("Remote service error: 非法参数");
  });
});

describe("order.cancel result (docs/suppliers/alitrip.md's decision rule)", () => {
  const wrap = (result: string) => cancelOrderResponse.parse(parseJson(`{"result": ${result}, "request_id": "r1"}`));
  const rejection = (result: string) => {
    try {
      toCancelResult("A", wrap(result));
    } catch (e) {
      return e as SupplierError;
    }
    throw new Error("expected a rejection");
  };

  it("the seed's sample (success=true with fail_code 1001) is CANCEL_REJECTED with the supplier's code and reason", () => {
    const err = rejection(
      '{"module":{"cancel_time":"2021-08-01 09:00:00","fail_code":"1001","fail_reason":"已出票不可取消","order_status":"5"},"result_code":1001,"result_msg":"取消失败","success":true}',
    );
    expect(err).toBeInstanceOf(SupplierError);
    expect(err).toMatchObject({ code: "CANCEL_REJECTED", supplier: "ALITRIP", supplierCode: "1001", supplierMessage: "已出票不可取消" });
    expect(err.extensions()).toMatchObject({ supplierOrderStatus: "5", resultCode: "1001" });
  });

  it("codes and statuses written as numbers beyond 2^53 keep every digit", () => {
    expect(
      rejection(
        '{"module":{"fail_code":90071992547409931,"order_status":90071992547409933},"result_code":12345678901234567890,"success":true}',
      ),
    ).toMatchObject({ code: "CANCEL_REJECTED", supplierCode: "90071992547409931" });
    const err = rejection('{"result_code":12345678901234567890,"result_msg":"x","success":false}');
    expect(err.supplierCode).toBe("12345678901234567890");
    expect(err.extensions()).toMatchObject({ resultCode: "12345678901234567890" });
    const ok = toCancelResult("A", wrap('{"module":{"order_status":90071992547409931},"result_code":0,"success":true}'));
    expect(ok.supplierOrderStatus).toBe("90071992547409931");
  });

  it("a fail_reason alone (no fail_code) is a refusal too", () => {
    expect(rejection('{"module":{"fail_reason":"不可取消"},"success":true}')).toMatchObject({
      code: "CANCEL_REJECTED",
      supplierMessage: "不可取消",
    });
  });

  it("success=false with neither is a refusal described by result_code/result_msg", () => {
    expect(rejection('{"success":false,"result_code":500,"result_msg":"系统繁忙"}')).toMatchObject({
      code: "CANCEL_REJECTED",
      supplierCode: "500",
      supplierMessage: "系统繁忙",
    });
  });

  it("a reply laid out as seed 003's field table (success, result_code, result_msg inside module) reads the same as its sample", () => {
    const err = rejection(
      '{"module":{"fail_code":"1001","fail_reason":"已出票不可取消","order_status":"5","result_code":1001,"result_msg":"取消失败","success":true}}',
    );
    expect(err).toMatchObject({ code: "CANCEL_REJECTED", supplierCode: "1001", supplierMessage: "已出票不可取消" });
    const ok = toCancelResult(
      "A",
      wrap('{"module":{"cancel_time":"2021-08-01 09:00:00","order_status":"10","result_msg":"ok","success":true}}'),
    );
    expect(ok).toMatchObject({ cancelledAt: new Date("2021-08-01T01:00:00Z"), supplierOrderStatus: "10", message: "ok" });
    expect(rejection('{"module":{"result_msg":"取消失败","success":false}}')).toMatchObject({
      code: "CANCEL_REJECTED",
      supplierMessage: "取消失败",
    });
    // A success neither beside nor inside module decides nothing.
    expect(rejection('{"module":{"order_status":"10"}}')).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN" });
  });

  it("a success beside module that module's own success contradicts decides nothing, unless a fail field settles it", () => {
    expect(rejection('{"module":{"success":false,"order_status":"5"},"success":true,"result_msg":"取消失败"}')).toMatchObject({
      code: "SUPPLIER_OUTCOME_UNKNOWN",
      supplierMessage: "取消失败",
    });
    expect(rejection('{"module":{"success":true},"success":false,"result_code":500}')).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN" });
    expect(rejection('{"module":{"success":false,"fail_code":"1001"},"success":true}')).toMatchObject({ code: "CANCEL_REJECTED" });
    expect(toCancelResult("A", wrap('{"module":{"success":true,"order_status":"10"},"success":true}'))).toMatchObject({ orderNo: "A" });
  });

  it("a clean success maps cancel_time (GMT+8) and order_status", () => {
    const ok = toCancelResult(
      "A",
      wrap('{"module":{"cancel_time":"2021-08-01 09:00:00","order_status":"10"},"result_code":200,"result_msg":"ok","success":true}'),
    );
    expect(ok).toEqual({
      supplier: "ALITRIP",
      orderNo: "A",
      cancelledAt: new Date("2021-08-01T01:00:00Z"),
      supplierOrderStatus: "10",
      message: "ok",
    });
  });

  it.each([
    '{"success":true}',
    '{"module":{"cancel_time":"2021-08-01 09:00:00"},"success":true}',
    '{"success":true,"result_code":200,"result_msg":"取消成功"}',
    '{"success":true,"result_code":1002}',
    // Only the seed's own message: a cancel whose refund failed is still a cancel.
    '{"success":true,"result_code":200,"result_msg":"取消成功，退款失败"}',
  ])("success=true without fail fields is cancelled, whatever other result_code there is, or none: %s", (result) => {
    expect(toCancelResult("A", wrap(result))).toMatchObject({ supplier: "ALITRIP", orderNo: "A" });
  });

  it.each([
    // The seed's failure sample without its fail fields.
    ['{"module":{"order_status":"5"},"result_code":1001,"result_msg":"取消失败","success":true}', "1001", "取消失败"],
    ['{"success":true,"result_code":"1001"}', "1001", undefined],
    ['{"success":true,"result_code":1003,"result_msg":" 取消失败 "}', "1003", " 取消失败 "],
  ])("success=true with the seed's failure code 1001 or its message 取消失败 is a refusal, not a cancel: %s", (result, code, message) => {
    expect(rejection(result)).toMatchObject({ code: "CANCEL_REJECTED", supplierCode: code, supplierMessage: message, retryable: false });
  });

  it.each([
    // The seed's failure sample without `success`, or with one that is not a boolean.
    [
      '{"module":{"cancel_time":"2021-08-01 09:00:00","fail_code":"1001","fail_reason":"已出票不可取消","order_status":"5"},"result_code":1001,"result_msg":"取消失败"}',
    ],
    ['{"module":{"fail_code":"1001","fail_reason":"已出票不可取消"},"success":"true"}'],
    ['{"module":{"fail_reason":"已出票不可取消"}}'],
  ])("a fail field refuses whether or not there is a boolean success (API.md: CANCEL_REJECTED is ALITRIP fail_code): %s", (result) => {
    expect(rejection(result)).toMatchObject({ code: "CANCEL_REJECTED", supplierMessage: "已出票不可取消", retryable: false });
  });

  it.each([
    ['{"success":true,"module":{"order_status":"5","result_code":1001,"result_msg":"取消失败"}}', "1001"],
    ['{"success":true,"module":{"success":true,"result_code":1001}}', "1001"],
    ['{"success":true,"module":{"success":true,"result_code":1003,"result_msg":"取消失败"}}', "1003"],
    // A result_code or result_msg in result does not hide the module's failure signal.
    ['{"success":true,"result_code":200,"result_msg":"ok","module":{"result_code":1001,"result_msg":"取消失败"}}', "1001"],
    ['{"success":true,"result_code":0,"result_msg":"成功","module":{"result_msg":"取消失败"}}', "0"],
    ['{"success":true,"result_msg":7,"module":{"result_code":1003,"result_msg":"取消失败"}}', "1003"],
    // The seed's failure message within a longer one.
    ['{"success":true,"result_code":1003,"result_msg":"取消失败，已出票不可取消"}', "1003"],
  ])("the seed's failure code or message, in result or in module, refuses a success: %s", (result, code) => {
    const err = rejection(result);
    expect(err).toMatchObject({ code: "CANCEL_REJECTED", supplierCode: code, retryable: false });
    expect(err.extra.resultCode).toBe(code);
  });

  it("reported-only fields of another shape are left out, not decided on", () => {
    const noted: string[] = [];
    const ok = toCancelResult(
      "A",
      wrap('{"module":{"cancel_time":20210801,"order_status":{"v":1}},"result_msg":7,"success":true}'),
      (f) => void noted.push(f),
    );
    expect(ok).toEqual({ supplier: "ALITRIP", orderNo: "A", cancelledAt: null, supplierOrderStatus: null, message: null });
    expect(noted.sort()).toEqual(["module.cancel_time", "module.order_status", "result_msg"]);
  });

  it.each(["2021-08-01T09:00:00+08:00", "2021-8-1 9:00:00", "2023-02-29 10:00:00", "1600000000"])(
    "a cancel_time that is text but not a GMT+8 time (%s) is left out and noted",
    (cancelTime) => {
      const noted: string[] = [];
      const ok = toCancelResult(
        "A",
        wrap(JSON.stringify({ module: { cancel_time: cancelTime }, success: true })),
        (f, p) => void noted.push(`${f}: ${p}`),
      );
      expect(ok.cancelledAt).toBeNull();
      expect(noted).toEqual([`module.cancel_time: not a GMT+8 time as yyyy-MM-dd HH:mm:ss: ${JSON.stringify(cancelTime)}`]);
    },
  );

  it.each([
    ['{"result_code":1001,"result_msg":"处理中"}', "no success"],
    ['{"success":"true"}', "success not a boolean"],
    ['{"success":true,"module":{"fail_code":{"x":1}}}', "a fail_code that is neither text nor a number"],
    ['{"success":true,"module":"已取消"}', "a module that is not an object"],
    ["null", "no result"],
  ])("%s (%s) is SUPPLIER_OUTCOME_UNKNOWN, never a guessed success or refusal", (result) => {
    const err = rejection(result);
    expect(err).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN", supplier: "ALITRIP", retryable: false });
    expect(err.hint).toMatch(/query/i);
  });

  it("an unknown outcome still carries result_code and result_msg when there are any", () => {
    expect(rejection('{"result_code":1001,"result_msg":"处理中"}')).toMatchObject({ supplierCode: "1001", supplierMessage: "处理中" });
  });
});
