/**
 * Alitrip order.cancel result → CancelOrderResult. `success: true` alone does not mean the
 * order was cancelled: the seed's own sample is success=true with fail_code 1001 "已出票不可取消"
 * (ALITRIP.md). A fail_code or fail_reason, success=false, or a result_code other than 0/200
 * (which code means success is unconfirmed) is a refusal → CANCEL_REJECTED.
 */
import { SupplierError } from "../errors.js";
import type { CancelOrderData } from "../model.js";
import { parseTopTime } from "./sign.js";
import type { CancelOrderResponse } from "./wire.js";

const SUCCESS_RESULT_CODES = new Set([0, 200]);

export function toCancelResult(orderNo: string, r: CancelOrderResponse): CancelOrderData {
  const { result } = r;
  const m = result.module ?? null;
  const refused =
    !result.success ||
    (m?.fail_code ?? null) !== null ||
    (m?.fail_reason ?? null) !== null ||
    (result.result_code !== null && result.result_code !== undefined && !SUCCESS_RESULT_CODES.has(result.result_code));
  if (refused) {
    const supplierCode = m?.fail_code ?? (result.result_code !== null && result.result_code !== undefined ? String(result.result_code) : undefined);
    const supplierMessage = m?.fail_reason ?? result.result_msg ?? undefined;
    throw new SupplierError("CANCEL_REJECTED", `Alitrip refused to cancel order ${orderNo}: ${supplierMessage ?? "no reason given"}`, {
      supplier: "ALITRIP",
      supplierCode,
      supplierMessage,
      retryable: false,
      extra: m?.order_status ? { supplierOrderStatus: m.order_status } : {},
    });
  }
  return {
    supplier: "ALITRIP",
    orderNo,
    cancelledAt: m?.cancel_time ? parseTopTime(m.cancel_time) : null,
    supplierOrderStatus: m?.order_status ?? null,
    message: result.result_msg,
  };
}
