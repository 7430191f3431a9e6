/**
 * TOP and Alitrip wire shapes, with the platform's own names (../shared/seeds/003_*,
 * ../shared/suppliers/ALITRIP.md).
 */
import { z } from "zod";
import { jsonInt, optionalText } from "../json.js";

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

/** The method name of the order cancel call (seeds/003_*). */
export const ORDER_CANCEL_METHOD = "alitrip.btrip.flight.distribution.order.cancel";

/** Business parameter of order.cancel (and order.detail): BtripFlightCancelOrderRq. */
export interface BtripFlightCancelOrderRq {
  sub_channel: string;
  dis_order_id: string;
}

const textOrNumber = z.union([z.string(), jsonInt.transform(String)]).nullish().transform((v) => (v === "" ? null : (v ?? null)));

/** order.cancel `result` (HisvResult with module BtripFlightCancelOrderRs). */
export const cancelOrderResponse = z.object({
  result: z.object({
    success: z.boolean(),
    result_code: jsonInt.nullish(),
    result_msg: optionalText,
    module: z
      .object({
        cancel_time: optionalText,
        fail_code: textOrNumber,
        fail_reason: optionalText,
        order_status: textOrNumber,
      })
      .nullish(),
  }),
  request_id: optionalText,
});
export type CancelOrderResponse = z.infer<typeof cancelOrderResponse>;
