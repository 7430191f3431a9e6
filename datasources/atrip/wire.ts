/**
 * ATRIP's wire shapes, with ATRIP's own field names and spellings (`voidTimeAfterIssure`,
 * `voidTimeBeforeDepature`). Source: ../shared/seeds/002_* (the OpenAPI fragments of
 * voidQuotation.do, void.do, queryVoidOrders.do), 000_* (stopTicket.do) and
 * ../shared/suppliers/ATRIP.md (queryOrderDetails.do, webhooks).
 *
 * The schemas are deliberately tolerant where ATRIP's documentation is loose (fields listed as
 * required but obviously absent on error replies, strings vs numbers) and strict where the
 * gateway relies on a value (status codes, voidStatus, voidCode).
 */
import { z } from "zod";
import { jsonDecimal, jsonFlag, jsonInt, optionalText } from "../json.js";

/** Every ATRIP reply: `status` 0 is success; `msg` is for humans only. */
export const envelope = z.object({ status: jsonInt, msg: optionalText });
export type AtripEnvelope = z.infer<typeof envelope>;

export const voidTicket = z.object({
  firstName: z.string(),
  lastName: z.string(),
  ticketNo: z.string(),
});

export const voidFareAmount = z.object({
  currency: z.string(),
  originalFareAmount: jsonDecimal,
  estimatedRefundAmount: jsonDecimal,
});

export const voidPostTicketingServiceAmount = z.object({
  postTicketingOrderNo: z.string(),
  currency: z.string(),
  originalPostTicketingServiceAmount: jsonDecimal,
  estimatedRefundAmount: jsonDecimal,
});

export const serviceFee = z.object({ currency: z.string(), transactionFee: jsonDecimal });

export const voidWindow = z.object({
  supportVoid: jsonFlag,
  allowVoid: jsonFlag,
  voidTimeAfterIssure: optionalText,
  voidTimeBeforeDepature: optionalText,
  sameDayDeadlineTime: optionalText,
  sameDayTimezone: optionalText,
});

export const voidMethod = z.enum(["CashBackToOriginalPayment", "Voucher"]);

/** voidQuotation.do reply (status 0). */
export const voidQuotationReply = envelope.extend({
  orderNo: z.string(),
  isVoidable: jsonFlag,
  voidOfferId: optionalText,
  voidMethod: voidMethod.nullish(),
  fastConfirmation: jsonFlag.nullish(),
  expectedConfirmationDate: optionalText,
  expectedRefundDate: optionalText,
  voidTickets: z.array(voidTicket).nullish(),
  voidFareAmount: voidFareAmount.nullish(),
  voidPostTicketingServiceAmounts: z.array(voidPostTicketingServiceAmount).nullish(),
  serviceFee: serviceFee.nullish(),
  voidWindow: voidWindow.nullish(),
});
export type VoidQuotationReply = z.infer<typeof voidQuotationReply>;

/** void.do reply (status 0): the quotation fields plus the void's code and status. */
export const voidReply = voidQuotationReply.extend({
  voidCode: z.string().min(1),
  voidStatus: jsonInt,
  cancelReason: optionalText,
});
export type VoidReply = z.infer<typeof voidReply>;

/** One entry of queryVoidOrders.do's `voidOrders`. */
export const voidOrder = z.object({
  orderNo: z.string(),
  voidCode: z.string().min(1),
  voidStatus: jsonInt,
  voidMethod: voidMethod.nullish(),
  expectedConfirmationDate: optionalText,
  expectedRefundDate: optionalText,
  voidTickets: z.array(voidTicket).nullish(),
  voidFareAmount: voidFareAmount.nullish(),
  voidPostTicketingServiceAmounts: z.array(voidPostTicketingServiceAmount).nullish(),
  serviceFee: serviceFee.nullish(),
  cancelReason: optionalText,
  voidOfferId: optionalText,
  /** Present once the airline confirmed (ATRIP.md); shape as voidFareAmount's currency + amount. */
  actualRefundAmount: z.union([jsonDecimal, z.object({ currency: z.string(), amount: jsonDecimal })]).nullish(),
});
export type VoidOrderWire = z.infer<typeof voidOrder>;

export const queryVoidOrdersReply = envelope.extend({ voidOrders: z.array(voidOrder).nullish() });

/** queryOrderDetails.do reply: only what the gateway uses. `orderStatus` is a string here. */
export const orderDetailsReply = envelope.extend({
  orderNo: optionalText,
  orderStatus: z.union([z.string(), jsonInt.transform(String)]).nullish(),
  ticketStatus: z.union([z.string(), jsonInt.transform(String)]).nullish(),
});
export type OrderDetailsReply = z.infer<typeof orderDetailsReply>;

/** Webhook envelope (ATRIP.md "Webhooks"): cid, type, status (internal, ignore), data. */
export const webhookEnvelope = z.object({
  cid: z.string().nullish(),
  type: z.string().min(1),
  status: jsonInt.nullish(),
  data: z.record(z.string(), z.unknown()),
});

export const orderVoidEvent = z.object({
  orderNo: z.string(),
  voidCode: z.string().min(1),
  voidStatus: jsonInt,
  message: optionalText,
});

export const orderTicketedEvent = z.object({
  orderNo: z.string(),
  orderStatus: jsonInt,
});
