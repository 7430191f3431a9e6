/**
 * ATRIP's wire shapes, with ATRIP's own field names and spellings (`voidTimeAfterIssure`,
 * `voidTimeBeforeDepature`). Source: seed 002 (docs/suppliers/atrip.md "Sources") (the OpenAPI fragments of
 * voidQuotation.do, void.do, queryVoidOrders.do), 000_* (stopTicket.do) and
 * docs/suppliers/atrip.md (queryOrderDetails.do, webhooks).
 *
 * The schemas are strict where the gateway relies on a value (status codes, voidStatus,
 * voidCode, orderNo) and tolerant elsewhere: optional fields are listed here with their
 * documented shapes and read one by one (../lenient.ts), so an odd one is left out alone.
 */
import { z } from "zod";
import { jsonCurrency, jsonDecimal, jsonFlag, jsonInt, jsonIntegerText, optionalText } from "../json.js";
import { isToken, TOKEN_MAX } from "../../src/vocabulary/tokens.js";

/**
 * `msg`: "Required: No … Please DO NOT use this field to check the success" (seed 000), nullable
 * in seed 002. Nothing is decided on it, so a `msg` that is not text is left out (null) instead
 * of losing a reply — for void.do, one that says the void was accepted.
 */
const humanMessage = optionalText.catch(null);

/** Every ATRIP reply: `status` 0 is success; `msg` is for humans only. */
export const envelope = z.object({ status: jsonInt, msg: humanMessage });
export type AtripEnvelope = z.infer<typeof envelope>;

const voidTicket = z.object({
  firstName: z.string(),
  lastName: z.string(),
  ticketNo: z.string(),
});

/**
 * A quoted ticket. Seed 002 requires each name and the ticket number in void.do's and
 * queryVoidOrders.do's voidTickets, but not in voidQuotation.do's: there a missing name reads
 * as "" (the ticket is still quoted); a ticket without its number is left out, as elsewhere.
 */
const quoteTicket = z.object({
  firstName: z
    .string()
    .nullish()
    .transform((s) => s ?? ""),
  lastName: z
    .string()
    .nullish()
    .transform((s) => s ?? ""),
  ticketNo: z.string(),
});

const voidFareAmount = z.object({
  currency: jsonCurrency,
  originalFareAmount: jsonDecimal,
  estimatedRefundAmount: jsonDecimal,
});

const voidPostTicketingServiceAmount = z.object({
  postTicketingOrderNo: z.string(),
  currency: jsonCurrency,
  originalPostTicketingServiceAmount: jsonDecimal,
  estimatedRefundAmount: jsonDecimal,
});

const serviceFee = z.object({ currency: jsonCurrency, transactionFee: jsonDecimal });

const voidWindow = z.object({
  supportVoid: jsonFlag,
  allowVoid: jsonFlag,
  voidTimeAfterIssure: optionalText,
  voidTimeBeforeDepature: optionalText,
  sameDayDeadlineTime: optionalText,
  sameDayTimezone: optionalText,
});

const voidMethod = z.enum(["CashBackToOriginalPayment", "Voucher"]);

/** yyyyMMdd (a real calendar date) → yyyy-MM-dd; "" → null. */
export const atripDate = z.string().transform((s, ctx) => {
  if (s === "") return null;
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!m || !date || date.getUTCMonth() !== Number(m[2]) - 1 || date.getUTCDate() !== Number(m[3])) {
    ctx.addIssue({ code: "custom", message: `"${s}" is not a yyyyMMdd date` });
    return z.NEVER;
  }
  return `${m[1]}-${m[2]}-${m[3]}`;
});

/**
 * queryVoidOrders.do's actualRefundAmount. Seed 002 names it in prose only ("the actual refund
 * amount once the airline confirmed"), with no type, so the gateway accepts what it can read
 * unambiguously: a number or decimal string (an amount in the currency of voidFareAmount), or
 * an object {currency, amount}. Any other shape is left null (../lenient.ts).
 */
const actualRefundAmount = z.union([
  jsonDecimal.transform((amount) => ({ amount, currency: null as string | null })),
  z.object({ currency: jsonCurrency, amount: jsonDecimal }),
]);

/**
 * The optional fields of the three void replies, by name. They are read one at a time by
 * ../lenient.ts: an odd one is left out, never the whole reply (issue B.5).
 */
export const optionalVoidFields = {
  voidMethod,
  fastConfirmation: jsonFlag,
  expectedConfirmationDate: atripDate,
  expectedRefundDate: atripDate,
  voidTicket,
  quoteTicket,
  voidFareAmount,
  voidPostTicketingServiceAmount,
  serviceFee,
  voidWindow,
  cancelReason: optionalText,
  voidOfferId: optionalText,
  /**
   * Seed 002: "trust the quote's isVoidable, voidOfferId and voidDeadline"; "voidDeadline is usually
   * that day's cut-off, e.g. before 23:59". Named in prose only, with no type: read as text.
   */
  voidDeadline: optionalText,
  actualRefundAmount,
};

/**
 * voidQuotation.do reply (status 0): what the quote's use rests on. `voidOfferId` is read
 * strictly because submitVoid needs it as sent: on a voidable quote, an offer id submitVoid would
 * refuse (not 1 to 256 visible ASCII characters, src/vocabulary/tokens.ts) makes the quote
 * unreadable rather than one that cannot be used. Everything else is optional (above).
 */
export const voidQuotationReply = z
  .looseObject({
    ...envelope.shape,
    orderNo: z.string().min(1),
    isVoidable: jsonFlag,
    voidOfferId: optionalText,
  })
  .superRefine((r, ctx) => {
    if (r.isVoidable && r.voidOfferId !== null && !isToken(r.voidOfferId))
      ctx.addIssue({
        code: "custom",
        path: ["voidOfferId"],
        message: `not an offer id submitVoid takes back (1 to ${TOKEN_MAX} visible ASCII characters)`,
      });
  });
export type VoidQuotationReply = z.infer<typeof voidQuotationReply>;

/**
 * A void code the gateway can take back (src/vocabulary/tokens.ts: 1 to 256 visible ASCII): one
 * it cannot could not be queried or subscribed to, and one of some KB could not even be stored
 * (its write failed for ever; differential-store probe, thirty-second session). A void.do answer
 * with such a code is one the gateway cannot interpret: SUPPLIER_OUTCOME_UNKNOWN, sent no more.
 */
const voidCode = z
  .string()
  .refine(isToken, { message: `not a void code the gateway can take back (1 to ${TOKEN_MAX} visible ASCII characters)` });

/** The vital fields of a void (issue B.5): they decide, and a reply without them is rejected. */
const voidVital = {
  orderNo: z.string().min(1),
  voidCode,
  voidStatus: jsonInt,
};

/** void.do reply (status 0): the void's vital fields; the rest as in optionalVoidFields. */
export const voidReply = z.looseObject({ ...envelope.shape, ...voidVital });
export type VoidReply = z.infer<typeof voidReply>;

/** One entry of queryVoidOrders.do's `voidOrders`: the vital fields; the rest as in optionalVoidFields. */
export const voidOrder = z.looseObject(voidVital);

/** queryVoidOrders.do reply: entries are checked one by one, only the one asked for matters. */
export const queryVoidOrdersReply = envelope.extend({ voidOrders: z.array(z.unknown()).nullish() });

/**
 * queryOrderDetails.do reply: only what the gateway uses, `orderStatus` (a string here) and
 * `orderNo` (the order the reply is about), text or a JSON number as written; its other fields,
 * ticketStatus among them, decide nothing and are not read, so no shape of theirs can lose the
 * outcome of a stop. An `orderNo` of another shape, or a number, used to be passed over, and a
 * reply about another order then decided the stop (property-based probe, thirty-second
 * session): now a number is compared as written, and another shape makes the reply unreadable.
 */
export const orderDetailsReply = envelope.extend({
  orderStatus: jsonIntegerText.nullish(),
  orderNo: jsonIntegerText.nullish().transform((s) => (s === undefined || s === null || s === "" ? null : s)),
});
export type OrderDetailsReply = z.infer<typeof orderDetailsReply>;

/**
 * Webhook envelope (docs/suppliers/atrip.md "Webhooks"): cid, type, status (internal, ignore),
 * data. A webhook is only a hint of what to ask ATRIP (./webhooks.ts), so only what names the
 * record is read: `type` and the references in `data`. A field ATRIP says to ignore (`status`,
 * `cid`), or one the gateway never uses (`voidStatus`, `message`, `orderStatus`), of any shape,
 * does not lose the notification.
 */
export const webhookEnvelope = z.object({
  type: z.string().min(1),
  data: z.record(z.string(), z.unknown()),
});

/**
 * A reference a webhook names: longer than the gateway takes from a client (the supplier-token
 * rule, src/vocabulary/tokens.ts) is not ATRIP's, and is not logged at length.
 */
const hookRef = z.string().max(TOKEN_MAX);

export const orderVoidEvent = z.object({ orderNo: hookRef, voidCode });

export const orderTicketedEvent = z.object({ orderNo: hookRef });
