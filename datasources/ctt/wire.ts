/** CTT wire shapes with CTT's own names (seed 004 (docs/suppliers/ctt.md "Sources"): TicketRefundRequest, ApiResultOfString). */
import { z } from "zod";
import { JsonNumber, optionalText } from "../json.js";

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

/**
 * ApiResultOfString: `code` (integer) decides and must be a JSON integer: a reply without a
 * numeric code cannot be interpreted (docs/suppliers/ctt.md). `message` and `data` are only reported, so a
 * value of another type there is dropped rather than rejecting the answer.
 */
export const apiResultOfString = z.looseObject({
  code: z
    .instanceof(JsonNumber, { message: "expected a number" })
    .refine((n) => /^-?\d+$/.test(n.text), { message: "expected an integer" })
    // As a bigint: CTT's own code, every digit kept (supplierCode), however large.
    .transform((n) => BigInt(n.text)),
  message: optionalText.catch(null),
  data: optionalText.catch(null),
});
export type ApiResultOfString = z.infer<typeof apiResultOfString>;
