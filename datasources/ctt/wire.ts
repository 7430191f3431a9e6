/** CTT wire shapes with CTT's own names (../shared/seeds/004_*: TicketRefundRequest, ApiResultOfString). */
import { z } from "zod";
import { jsonInt, optionalText } from "../json.js";

/** POST api/order/cancel body. `refund_passanger_ids` is CTT's spelling. */
export interface TicketRefundRequest {
  order_number: string;
  refund_passanger_ids: string;
  refund_reason: string;
  terminal: number;
  time_stamp: string;
  random: number;
  sign: string;
}

export const apiResultOfString = z.object({
  code: jsonInt,
  message: optionalText,
  data: z.union([z.string(), z.null()]).optional(),
});
export type ApiResultOfString = z.infer<typeof apiResultOfString>;
