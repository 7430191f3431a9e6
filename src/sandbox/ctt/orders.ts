/** The CTT simulator's demo orders (order_number). Any "-suffix" gives a fresh copy. */
import type { DemoTemplate } from "../demo-orders.js";

export interface CttDemoOrder extends DemoTemplate {
  cancellable: boolean;
}

export const CTT_ORDERS: CttDemoOrder[] = [
  { orderNo: "CTT-CANCEL-OK", cancellable: true, shows: "departs in more than 30 days: cancellable" },
  { orderNo: "CTT-WITHIN-30", cancellable: false, shows: "departs within 30 days: not cancellable here → CANCEL_REJECTED" },
];
