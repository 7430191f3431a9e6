/**
 * Alitrip order.cancel result → CancelOrderResult, by docs/suppliers/alitrip.md's decision rule:
 *   success: true, no fail_code and no fail_reason → cancelled
 *   a fail_code or a fail_reason (even with success: true, as seed 003's own sample) → refused
 *   success: false with neither → refused, described by result_code / result_msg
 *   no boolean result.success → the gateway cannot tell: SUPPLIER_OUTCOME_UNKNOWN
 *   neither fail field, and result.success and result.module.success disagree → likewise
 *   success: true with neither, but result_code 1001 or result_msg 取消失败 ("cancel failed") → refused
 * `result_code` appears in the seed only in its failure sample, as 1001 beside result_msg 取消失败
 * ("cancel failed"): those two, the seed's own failure signals, refuse a cancel that `success`
 * alone would call done; any other result_code or result_msg is reported (supplierCode,
 * extensions.resultCode, message), not decided on.
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
 * its field table lists them with the module's own fields. The sample's layout is read; a reply
 * laid out as the table (no `success` in `result`, a boolean one in `module`) is read from there.
 */
function hisvResult(result: unknown): unknown {
  if (!isRecord(result) || result.success !== undefined || !isRecord(result.module) || typeof result.module.success !== "boolean")
    return result;
  const { success, result_code, result_msg } = result.module;
  return { ...result, success, result_code: result.result_code ?? result_code, result_msg: result.result_msg ?? result_msg };
}

/**
 * Decides an order.cancel reply by the rule above: returns the cancel, or throws
 * CANCEL_REJECTED (a refusal) or SUPPLIER_OUTCOME_UNKNOWN (nothing can be decided).
 * `note` hears of reported-only fields of an unexpected shape.
 */
export function toCancelResult(orderNo: string, r: CancelOrderResponse, note: OddFieldNote = () => undefined): CancelOrderData {
  const hisv = hisvResult(r.result);
  const raw = isRecord(hisv) ? hisv : {};
  const reported = new OptionalFields(raw, note);
  const resultCode = reported.value("result_code", R.result_code);
  const resultMsg = reported.value("result_msg", R.result_msg);
  const answer = { supplierCode: resultCode ?? undefined, supplierMessage: resultMsg ?? undefined };

  const result = cancelResult.safeParse(hisv);
  if (!result.success) throw unreadableReply(CANCEL_CALL, `result: ${describeZodError(result.error)}`, answer);
  const mod = cancelModule.nullish().safeParse(result.data.module);
  if (!mod.success) throw unreadableReply(CANCEL_CALL, `result.module: ${describeZodError(mod.error)}`, answer);
  const failCode = mod.data?.fail_code ?? null;
  const failReason = mod.data?.fail_reason ?? null;
  const details = new OptionalFields(mod.data ?? {}, (field, problem) => note(`module.${field}`, problem));
  const orderStatus = details.value("order_status", R.order_status);

  // The two places the seed puts `success` (above) disagree, and no fail_code or fail_reason
  // settles it: neither "cancelled" nor "refused" can be told.
  const moduleSuccess = isRecord(result.data.module) ? result.data.module.success : undefined;
  if (failCode === null && failReason === null && typeof moduleSuccess === "boolean" && moduleSuccess !== result.data.success)
    throw unreadableReply(CANCEL_CALL, `result.success is ${result.data.success} but result.module.success is ${moduleSuccess}`, answer);
  // Without fail fields, the seed's own failure code or failure message still says the cancel failed.
  const saysFailed = resultCode === SEED_FAILURE_CODE || resultMsg?.trim() === SEED_FAILURE_MESSAGE;
  if (failCode !== null || failReason !== null || !result.data.success || saysFailed) {
    const supplierMessage = failReason ?? resultMsg ?? undefined;
    throw new SupplierError("CANCEL_REJECTED", `Alitrip refused to cancel order ${orderNo}: ${supplierMessage ?? "no reason given"}`, {
      supplier: "ALITRIP",
      supplierCode: failCode ?? resultCode ?? undefined,
      supplierMessage,
      retryable: false,
      extra: {
        ...(orderStatus ? { supplierOrderStatus: orderStatus } : {}),
        ...(resultCode !== null ? { resultCode } : {}),
      },
    });
  }
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
