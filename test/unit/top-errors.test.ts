/** TOP envelopes, error_response parsing and every code range of API.md. */
import { describe, expect, it } from "vitest";
import { topError } from "../../datasources/alitrip/errors.js";
import { toCancelResult } from "../../datasources/alitrip/mapping.js";
import { cancelOrderResponse, errorResponse } from "../../datasources/alitrip/wire.js";
import { SupplierError } from "../../datasources/errors.js";
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

  it("sub_code decides before the code: isp.* → SUPPLIER_UNAVAILABLE, isv.* → SUPPLIER_REJECTED_REQUEST", () => {
    expect(topError("m", { code: 50, sub_code: "isv.invalid-parameter", sub_msg: "非法参数" }, false)).toMatchObject({
      code: "SUPPLIER_REJECTED_REQUEST",
      supplierCode: "50/isv.invalid-parameter",
    });
    expect(topError("m", { code: 40, sub_code: "isp.remote-service-error" }, false)).toMatchObject({ code: "SUPPLIER_UNAVAILABLE", retryable: true });
    expect(topError("m", { code: 50, sub_code: "isv.order-not-exist" }, false).code).toBe("ORDER_NOT_FOUND");
  });

  it("a state-changing call is retryable only when throttled", () => {
    expect(topError("cancel", { code: 15, sub_code: "isp.x" }, true).retryable).toBe(false);
    expect(topError("cancel", { code: 7 }, true).retryable).toBe(true);
  });

  it("an undocumented code is a bad response", () => {
    expect(topError("m", { code: 777 }, false).code).toBe("SUPPLIER_BAD_RESPONSE");
  });

  it("parses the seed's error_response sample", () => {
    const body = parseJson('{"error_response":{"code":50,"msg":"Remote service error","sub_code":"isv.invalid-parameter","sub_msg":"非法参数"}}');
    const parsed = errorResponse.parse(body).error_response;
    expect(parsed).toMatchObject({ code: 50, msg: "Remote service error", sub_code: "isv.invalid-parameter", sub_msg: "非法参数" });
    expect(topError("m", parsed, true).supplierMessage).toBe("Remote service error: 非法参数");
  });
});

describe("order.cancel result", () => {
  const wrap = (result: string) => cancelOrderResponse.parse(parseJson(`{"result": ${result}, "request_id": "r1"}`));

  it("the seed's sample (success=true with fail_code 1001) is CANCEL_REJECTED with the supplier's code and reason", () => {
    const r = wrap(
      '{"module":{"cancel_time":"2021-08-01 09:00:00","fail_code":"1001","fail_reason":"已出票不可取消","order_status":"5"},"result_code":1001,"result_msg":"取消失败","success":true}',
    );
    let err: unknown;
    try {
      toCancelResult("test0087771", r);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SupplierError);
    expect(err).toMatchObject({ code: "CANCEL_REJECTED", supplier: "ALITRIP", supplierCode: "1001", supplierMessage: "已出票不可取消" });
  });

  it("success=false is a refusal", () => {
    expect(() => toCancelResult("A", wrap('{"success":false,"result_code":500,"result_msg":"系统繁忙"}'))).toThrow(/系统繁忙/);
  });

  it("a clean success maps cancel_time (GMT+8) and order_status", () => {
    const ok = toCancelResult("A", wrap('{"module":{"cancel_time":"2021-08-01 09:00:00","order_status":"10"},"result_code":200,"result_msg":"ok","success":true}'));
    expect(ok).toEqual({ supplier: "ALITRIP", orderNo: "A", cancelledAt: new Date("2021-08-01T01:00:00Z"), supplierOrderStatus: "10", message: "ok" });
  });
});
