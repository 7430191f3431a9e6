/**
 * CTT's decision rule (docs/suppliers/ctt.md; datasources/ctt/errors.ts): code 1 success, 0 or negative a
 * refusal with CTT's code and message, anything else (or no numeric code) an unknown outcome.
 */
import { describe, expect, it } from "vitest";
import { cttError, cttOutcome, cttUnknownOrder } from "../../datasources/ctt/errors.js";
import { apiResultOfString } from "../../datasources/ctt/wire.js";
import { parseJson } from "../../datasources/json.js";

const CANCEL = { supplier: "CTT" as const, operation: "api/order/cancel", changesState: true };

describe("CTT codes", () => {
  it.each([
    [1n, "SUCCESS"],
    [0n, "REFUSED"],
    [-1n, "REFUSED"],
    [-2n, "REFUSED"],
    [-3n, "REFUSED"],
    [-99n, "REFUSED"],
    [2n, "UNKNOWN"],
    [200n, "UNKNOWN"],
    [10000000000000000001n, "UNKNOWN"],
  ])("code %s → %s", (code, outcome) => {
    expect(cttOutcome(code)).toBe(outcome);
  });

  it("a refusal is CANCEL_REJECTED with CTT's own code and message (no negative code gets a meaning of its own)", () => {
    for (const code of [0n, -2n, -3n]) {
      expect(cttError(CANCEL, code, "签名错误")).toMatchObject({
        code: "CANCEL_REJECTED",
        supplier: "CTT",
        supplierCode: String(code),
        supplierMessage: "签名错误",
        retryable: false,
      });
    }
  });

  it("another code on a cancel is SUPPLIER_OUTCOME_UNKNOWN with CTT's code and message", () => {
    expect(cttError(CANCEL, 2n, "已受理")).toMatchObject({
      code: "SUPPLIER_OUTCOME_UNKNOWN",
      supplierCode: "2",
      supplierMessage: "已受理",
      retryable: false,
    });
  });

  it("a code too large for a double is kept to its last digit", () => {
    const { code } = apiResultOfString.parse(parseJson('{"code":10000000000000000001,"message":"?"}'));
    expect(cttError(CANCEL, code, "?")).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN", supplierCode: "10000000000000000001" });
    expect(cttError(CANCEL, apiResultOfString.parse(parseJson('{"code":-90071992547409931}')).code, null)).toMatchObject({
      code: "CANCEL_REJECTED",
      supplierCode: "-90071992547409931",
    });
  });

  it.each(['{"message":"ok","data":"x"}', '{"code":"1","message":"ok"}', '{"code":1.5}', '{"code":null}'])(
    "%s has no integer code: not readable",
    (text) => {
      expect(apiResultOfString.safeParse(parseJson(text)).success).toBe(false);
    },
  );

  it("the help page's sample reads as success; message and data of another type are dropped, not decisive", () => {
    expect(apiResultOfString.parse(parseJson('{ "code": 1, "message": "sample string 2", "data": "sample string 3" }'))).toMatchObject({
      code: 1n,
      message: "sample string 2",
      data: "sample string 3",
    });
    expect(apiResultOfString.parse(parseJson('{"code":1,"message":{"zh":"成功"},"data":42}'))).toMatchObject({
      code: 1n,
      message: null,
      data: null,
    });
  });
});

describe("another tenant's order on a shared account", () => {
  it("against the simulator reads as its unknown-order refusal; against real CTT, which documents none, is the gateway's own ORDER_NOT_FOUND", () => {
    const ctx = { supplier: "CTT" as const, operation: "api/order/cancel", changesState: true };
    expect(cttUnknownOrder(true)).toEqual(cttError(ctx, -3n, "订单不存在 (order not found)"));
    expect(cttUnknownOrder(true).extensions()).toMatchObject({ code: "CANCEL_REJECTED", supplierCode: "-3" });
    expect(cttUnknownOrder(false).extensions()).toEqual({
      code: "ORDER_NOT_FOUND",
      supplier: "CTT",
      supplierCode: null,
      supplierMessage: null,
      retryable: false,
    });
  });
});
