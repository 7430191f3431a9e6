/**
 * Alitrip order.cancel result → CancelOrderResult, by docs/suppliers/alitrip.md's decision rule:
 *   a fail_code or a fail_reason → refused, whatever `success` says or whether it is there (seed
 *     003's own sample pairs them with success: true; the contract's CANCEL_REJECTED is
 *     "ALITRIP fail_code / unsuccessful result")
 *   no boolean `success` (in result, or the table's layout: in module) → SUPPLIER_OUTCOME_UNKNOWN
 *   result.success and result.module.success disagree → SUPPLIER_OUTCOME_UNKNOWN
 *   success: false → refused, described by result_code / result_msg
 *   success: true, but result_code 1001 or a result_msg saying 取消失败 ("cancel failed") → refused likewise
 *   success: true otherwise → cancelled
 * `result_code` appears in the seed only in its failure sample, as 1001 beside result_msg 取消失败
 * ("cancel failed"): those two, the seed's own failure signals, refuse a cancel that `success`
 * alone would call done, wherever the seed puts them (in result or in module); any other
 * result_code or result_msg is reported (supplierCode, extensions.resultCode, message), not decided on.
 */
import { unreadableReply, type ReplyContext } from "../errors.js";
import { SupplierError } from "../../src/vocabulary/errors.js";
import { OptionalFields, type OddFieldNote } from "../lenient.js";
import { describeZodError, isRecord } from "../json.js";
import type { CancelOrderData } from "../model.js";
import { parseTopTime } from "./sign.js";
import { cancelModule, cancelResult, ORDER_CANCEL_METHOD, reportedCancelFields as R, type CancelOrderResponse } from "./wire.js";

const CANCEL_CALL: ReplyContext = { supplier: "ALITRIP", operation: ORDER_CANCEL_METHOD, changesState: true };

/** Seed 003's failure sample: result_code 1001 (its fail_code too), result_msg 取消失败 ("cancel failed"). */
const SEED_FAILURE_CODE = "1001";
const SEED_FAILURE_MESSAGE = "取消失败";

/**
 * Seed 003's sample puts `success`, `result_code` and `result_msg` in `result`, beside `module`;
 * its field table lists them with the module's own fields. `success` is read from `result`,
 * else (a boolean) from `module`; result_code and result_msg are reported from `result`, else
 * from `module`, and the failure signals among them are looked for in both.
 */
function withSuccess(result: unknown): unknown {
  if (!isRecord(result) || result.success !== undefined || !isRecord(result.module) || typeof result.module.success !== "boolean")
    return result;
  return { ...result, success: result.module.success };
}

/** The seed's failure code, or its failure message within a result_msg (取消失败，已出票不可取消 says it too). */
function saysFailed(codes: ReadonlyArray<string | null>, messages: ReadonlyArray<string | null>): boolean {
  return codes.includes(SEED_FAILURE_CODE) || messages.some((m) => m?.includes(SEED_FAILURE_MESSAGE));
}

interface Refusal {
  failCode: string | null;
  failReason: string | null;
  resultCode: string | null;
  resultMsg: string | null;
  orderStatus: string | null;
}

function refused(orderNo: string, r: Refusal): SupplierError {
  const supplierMessage = r.failReason ?? r.resultMsg ?? undefined;
  return new SupplierError("CANCEL_REJECTED", `Alitrip refused to cancel order ${orderNo}: ${supplierMessage ?? "no reason given"}`, {
    supplier: "ALITRIP",
    supplierCode: r.failCode ?? r.resultCode ?? undefined,
    supplierMessage,
    retryable: false,
    extra: {
      ...(r.orderStatus ? { supplierOrderStatus: r.orderStatus } : {}),
      ...(r.resultCode !== null ? { resultCode: r.resultCode } : {}),
    },
  });
}

/**
 * Decides an order.cancel reply by the rule above: returns the cancel, or throws
 * CANCEL_REJECTED (a refusal) or SUPPLIER_OUTCOME_UNKNOWN (nothing can be decided).
 * `note` hears of reported-only fields of an unexpected shape.
 */
export function toCancelResult(orderNo: string, r: CancelOrderResponse, note: OddFieldNote = () => undefined): CancelOrderData {
  const hisv = withSuccess(r.result);
  const raw = isRecord(hisv) ? hisv : {};
  const reported = new OptionalFields(raw, note);
  const topCode = reported.value("result_code", R.result_code);
  const topMsg = reported.value("result_msg", R.result_msg);

  const mod = cancelModule.nullish().safeParse(raw.module);
  if (!mod.success)
    throw unreadableReply(CANCEL_CALL, `result.module: ${describeZodError(mod.error)}`, {
      supplierCode: topCode ?? undefined,
      supplierMessage: topMsg ?? undefined,
    });
  const failCode = mod.data?.fail_code ?? null;
  const failReason = mod.data?.fail_reason ?? null;
  const details = new OptionalFields(mod.data ?? {}, (field, problem) => note(`module.${field}`, problem));
  const orderStatus = details.value("order_status", R.order_status);
  const moduleCode = details.value("result_code", R.result_code);
  const moduleMsg = details.value("result_msg", R.result_msg);
  const resultCode = topCode ?? moduleCode;
  const resultMsg = topMsg ?? moduleMsg;
  const refusal: Refusal = { failCode, failReason, resultCode, resultMsg, orderStatus };

  // A fail field refuses whatever `success` says, or whether it is there: the contract's
  // CANCEL_REJECTED is "ALITRIP fail_code / unsuccessful result" (../shared/design/API.md).
  if (failCode !== null || failReason !== null) throw refused(orderNo, refusal);
  const result = cancelResult.safeParse(hisv);
  if (!result.success)
    throw unreadableReply(CANCEL_CALL, `result: ${describeZodError(result.error)}`, {
      supplierCode: resultCode ?? undefined,
      supplierMessage: resultMsg ?? undefined,
    });
  // The two places the seed puts `success` (above) disagree: neither "cancelled" nor "refused" can be told.
  const moduleSuccess = isRecord(raw.module) ? raw.module.success : undefined;
  if (typeof moduleSuccess === "boolean" && moduleSuccess !== result.data.success)
    throw unreadableReply(CANCEL_CALL, `result.success is ${result.data.success} but result.module.success is ${moduleSuccess}`, {
      supplierCode: resultCode ?? undefined,
      supplierMessage: resultMsg ?? undefined,
    });
  // Without fail fields, the seed's own failure code or failure message still says the cancel
  // failed; when only `module` says so, its code and message describe the refusal (not, say,
  // result's "成功", "success").
  if (saysFailed([moduleCode], [moduleMsg]) && !saysFailed([topCode], [topMsg]))
    throw refused(orderNo, { ...refusal, resultCode: moduleCode ?? resultCode, resultMsg: moduleMsg ?? resultMsg });
  if (!result.data.success || saysFailed([topCode], [topMsg])) throw refused(orderNo, refusal);
  const cancelTime = details.value("cancel_time", R.cancel_time);
  const cancelledAt = cancelTime ? parseTopTime(cancelTime) : null;
  if (cancelTime && !cancelledAt)
    note("module.cancel_time", `not a GMT+8 time as yyyy-MM-dd HH:mm:ss: ${JSON.stringify(cancelTime.slice(0, 40))}`);
  return {
    supplier: "ALITRIP",
    orderNo,
    cancelledAt,
    supplierOrderStatus: orderStatus,
    message: resultMsg,
  };
}
