/** The Alitrip (TOP) simulator's demo orders (dis_order_id). Any "-suffix" gives a fresh copy. */
import type { DemoTemplate } from "../demo-orders.js";

/** How the simulator answers order.cancel for an order (see ./server.ts). */
type AlitripOutcome = "CANCELLED" | "CANCELLED_BARE" | "FAILED_BARE" | "TICKETED" | "REFUSED" | "REMOTE_ERROR" | "NO_SUCCESS" | "ODD_ERROR";

export interface AlitripDemoOrder extends DemoTemplate {
  outcome: AlitripOutcome;
}

export const ALITRIP_ORDERS: AlitripDemoOrder[] = [
  { orderNo: "ALI-CANCEL-OK", outcome: "CANCELLED", shows: "cancellable: returns cancel_time and order_status" },
  {
    orderNo: "ALI-CANCEL-BARE",
    outcome: "CANCELLED_BARE",
    shows: "cancellable; success=true with no result_code or result_msg (seed 003 shows result_code only in a failure sample)",
  },
  {
    orderNo: "ALI-TICKETED",
    outcome: "TICKETED",
    shows: "already ticketed: success=true with fail_code 1001 已出票不可取消 → CANCEL_REJECTED",
  },
  {
    orderNo: "ALI-CANCEL-FAILED",
    outcome: "FAILED_BARE",
    shows: "success=true with result_code 1001 取消失败 but no fail_code/fail_reason → CANCEL_REJECTED (the seed's failure signals)",
  },
  {
    orderNo: "ALI-REFUSED",
    outcome: "REFUSED",
    shows: "success=false with no fail_code/fail_reason → CANCEL_REJECTED with result_code/result_msg",
  },
  { orderNo: "ALI-REMOTE-ERROR", outcome: "REMOTE_ERROR", shows: "the platform answers an isp.* remote error → SUPPLIER_UNAVAILABLE" },
  { orderNo: "ALI-NO-SUCCESS", outcome: "NO_SUCCESS", shows: "cancels, but the result has no success field → SUPPLIER_OUTCOME_UNKNOWN" },
  {
    orderNo: "ALI-ODD-ERROR",
    outcome: "ODD_ERROR",
    shows: "cancels, but answers error_response code 77 (not in the platform's list) → SUPPLIER_OUTCOME_UNKNOWN",
  },
];
