/**
 * TOP and Alitrip wire shapes, with the platform's own names (seed 003 (docs/suppliers/alitrip.md "Sources"),
 * docs/suppliers/alitrip.md).
 */
import { z } from "zod";
import { jsonInt, jsonIntegerText, optionalText } from "../json.js";

/** `{"error_response": {code, msg, sub_code, sub_msg, request_id}}` replaces the whole body. */
export const errorResponse = z.object({
  error_response: z.object({
    code: jsonInt,
    msg: optionalText,
    sub_code: optionalText,
    sub_msg: optionalText,
    request_id: optionalText,
  }),
});

/** The method name of the order cancel call (seed 003, docs/suppliers/alitrip.md "Sources"). */
export const ORDER_CANCEL_METHOD = "alitrip.btrip.flight.distribution.order.cancel";

/** Business parameter of order.cancel (and order.detail): BtripFlightCancelOrderRq. */
export interface BtripFlightCancelOrderRq {
  sub_channel: string;
  dis_order_id: string;
}

/** A code that TOP writes either as text or as a number ("1001" / 1001); "" is none. */
const textOrNumber = jsonIntegerText.nullish().transform((v) => (v === "" ? null : (v ?? null)));

/**
 * order.cancel's envelope content. `result` is read by ./mapping.ts, which decides on
 * `result.success` and the module's fail_code/fail_reason only (docs/suppliers/alitrip.md).
 */
export const cancelOrderResponse = z.looseObject({
  result: z.unknown().optional(),
  request_id: optionalText.catch(null),
});
export type CancelOrderResponse = z.infer<typeof cancelOrderResponse>;

/** order.cancel `result` (HisvResult): what decides. Without a boolean `success` nothing can be decided. */
export const cancelResult = z.looseObject({
  success: z.boolean(),
  module: z.unknown().optional(),
});

/**
 * BtripFlightCancelOrderRs. fail_code and fail_reason decide (a refusal even with success=true,
 * seed 003 (docs/suppliers/alitrip.md "Sources")), so a value of another type there makes the answer uninterpretable; cancel_time
 * and order_status are only reported and read leniently by the mapping.
 */
export const cancelModule = z.looseObject({
  fail_code: textOrNumber,
  fail_reason: optionalText,
});

/** The fields of an order.cancel result that are only reported, never decided on. */
export const reportedCancelFields = {
  result_code: textOrNumber,
  result_msg: optionalText,
  cancel_time: optionalText,
  order_status: textOrNumber,
};
