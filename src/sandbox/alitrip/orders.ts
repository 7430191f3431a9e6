/** The Alitrip (TOP) simulator's demo orders (dis_order_id). Any "-suffix" gives a fresh copy. */
import type { DemoTemplate } from "../demo-orders.js";

export interface AlitripDemoOrder extends DemoTemplate {
  outcome: "CANCELLED" | "TICKETED" | "REMOTE_ERROR";
}

export const ALITRIP_ORDERS: AlitripDemoOrder[] = [
  { orderNo: "ALI-CANCEL-OK", outcome: "CANCELLED", shows: "cancellable: returns cancel_time and order_status" },
  { orderNo: "ALI-TICKETED", outcome: "TICKETED", shows: "already ticketed: success=true with fail_code 1001 已出票不可取消 → CANCEL_REJECTED" },
  { orderNo: "ALI-REMOTE-ERROR", outcome: "REMOTE_ERROR", shows: "the platform answers an isp.* remote error → SUPPLIER_UNAVAILABLE" },
];
