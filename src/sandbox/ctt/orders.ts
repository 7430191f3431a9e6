/** The CTT simulator's demo orders (order_number). Any "-suffix" gives a fresh copy. */
import type { DemoTemplate } from "../demo-orders.js";

/**
 * How the simulator answers api/order/cancel for an order. CTT documents no codes (seed 004 (docs/suppliers/ctt.md "Sources")
 * shows only the help page's generated sample, code 1); the simulator's refusals use 0 and
 * negative codes, the reading docs/suppliers/ctt.md states as an assumption.
 */
type CttOutcome = "CANCELLED" | "TOO_LATE" | "ODD_CODE" | "NO_CODE";

export interface CttDemoOrder extends DemoTemplate {
  outcome: CttOutcome;
}

export const CTT_ORDERS: CttDemoOrder[] = [
  { orderNo: "CTT-CANCEL-OK", outcome: "CANCELLED", shows: "departs in more than 30 days: cancellable" },
  { orderNo: "CTT-WITHIN-30", outcome: "TOO_LATE", shows: "departs within 30 days: code 0, not cancellable here → CANCEL_REJECTED" },
  { orderNo: "CTT-ODD-CODE", outcome: "ODD_CODE", shows: "cancels, but answers code 2 (undocumented) → SUPPLIER_OUTCOME_UNKNOWN" },
  { orderNo: "CTT-NO-CODE", outcome: "NO_CODE", shows: "cancels, but the reply has no code → SUPPLIER_OUTCOME_UNKNOWN" },
];
