/**
 * Mutation inputs. Identifiers are checked (class-validator) before any supplier call:
 * non-empty, at most 64 characters, letters, digits, '-' and '_' only (issue 2, item 6); the
 * supplier's own tokens (voidOfferId, voidCode) by a looser rule, below.
 */
import { ArrayMaxSize, IsOptional, Length, Matches, ValidateIf } from "class-validator";
import { ArgsType, Field, InputType } from "type-graphql";
import { Supplier } from "./enums.js";
import { ID_MAX, ID_PATTERN, TOKEN_MAX, TOKEN_PATTERN } from "../src/vocabulary/tokens.js";

/** Identifiers: order numbers, offer ids, void codes, sub-channels, idempotency keys. */
export { ID_MAX, ID_PATTERN } from "../src/vocabulary/tokens.js";
export const ID_LENGTH_MESSAGE = `must be 1 to ${ID_MAX} characters long`;
export const ID_PATTERN_MESSAGE = "may contain only letters, digits, '-' and '_'";

/** The supplier-token rule (src/vocabulary/tokens.ts): its messages. */
export const TOKEN_LENGTH_MESSAGE = `must be 1 to ${TOKEN_MAX} characters long`;
export const TOKEN_PATTERN_MESSAGE = "may contain only visible ASCII characters (no spaces)";

/** The identifier rule as a class-validator decorator. */
function SupplierId(): PropertyDecorator {
  return (target, key) => {
    Length(1, ID_MAX, { message: ID_LENGTH_MESSAGE })(target, key as string);
    Matches(ID_PATTERN, { message: ID_PATTERN_MESSAGE })(target, key as string);
  };
}

/** The supplier-token rule as a class-validator decorator. */
function SupplierToken(): PropertyDecorator {
  return (target, key) => {
    Length(1, TOKEN_MAX, { message: TOKEN_LENGTH_MESSAGE })(target, key as string);
    Matches(TOKEN_PATTERN, { message: TOKEN_PATTERN_MESSAGE })(target, key as string);
  };
}

/**
 * The idempotencyKey of every mutation that changes supplier state (src/reliability/idempotency.ts).
 * type-graphql copies its field into each input that extends it; unused on its own, it is
 * not emitted in the schema.
 */
@InputType("IdempotentInput")
abstract class IdempotentInput {
  @Field(() => String, {
    nullable: true,
    description:
      "Makes the request safe to repeat: the first response under this key (per caller and operation) is returned again for the same input, for at least 24 hours. The same key with other input is IDEMPOTENCY_KEY_REUSED; while the first still runs, REQUEST_IN_PROGRESS.",
  })
  @IsOptional()
  @SupplierId()
  idempotencyKey?: string | null;
}

@InputType("StopTicketIssuanceInput", { description: "Ask a supplier to stop issuing the tickets of a paid order" })
export class StopTicketIssuanceInput extends IdempotentInput {
  @Field(() => Supplier, { description: "The supplier of the order (ATRIP)" })
  supplier!: Supplier;

  @Field(() => String, { description: "The supplier's order number" })
  @SupplierId()
  orderNo!: string;
}

@InputType("VoidQuoteInput", { description: "Ask what voiding a whole order would give back" })
export class VoidQuoteInput {
  @Field(() => Supplier, { description: "The supplier of the order (ATRIP)" })
  supplier!: Supplier;

  @Field(() => String, { description: "The supplier's main ticket order number" })
  @SupplierId()
  orderNo!: string;
}

@InputType("SubmitVoidInput", { description: "Submit a void with the offer of the latest quote" })
export class SubmitVoidInput extends IdempotentInput {
  @Field(() => Supplier, { description: "The supplier of the order (ATRIP)" })
  supplier!: Supplier;

  @Field(() => String, { description: "The supplier's main ticket order number" })
  @SupplierId()
  orderNo!: string;

  @Field(() => String, { description: "voidOfferId of the latest voidQuote for this order" })
  @SupplierToken()
  voidOfferId!: string;
}

@ArgsType()
export class VoidOrderArgs {
  @Field(() => Supplier, { description: "The supplier handling the void" })
  supplier!: Supplier;

  @Field(() => String, { description: "The supplier's void number (from submitVoid)" })
  @SupplierToken()
  voidCode!: string;

  // Nullable, null meaning false, as docs/api.md promises (`refresh: Boolean = false`).
  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: "true asks the supplier first instead of answering from the gateway's record; null or omitted: false",
  })
  refresh?: boolean | null;
}

/** The `cancelOrder` fields each supplier ignores: never sent there, so neither checked nor part of the input an idempotency key stands for. */
const IGNORED_BY: Partial<Record<Supplier, ReadonlyArray<"subChannel" | "passengerIds" | "reason">>> = {
  CTT: ["subChannel"],
  ALITRIP: ["passengerIds", "reason"],
};

/** A field the chosen supplier ignores is not checked (it is never sent there). */
const sentTo =
  (field: "subChannel" | "passengerIds" | "reason") =>
  (input: { supplier: Supplier }): boolean =>
    !IGNORED_BY[input.supplier]?.includes(field);

/** A cancel's input as its supplier is sent it: the fields it ignores left out (api.md: "the supplier is sent the same"). */
export function cancelAsSent(input: CancelOrderInput): Record<string, unknown> {
  const sent: Record<string, unknown> = { ...input };
  for (const field of IGNORED_BY[input.supplier] ?? []) delete sent[field];
  return sent;
}

@InputType("CancelOrderInput", { description: "Cancel an order. ALITRIP needs orderNo and a subChannel (or the configured default); CTT needs orderNo, and takes passengerIds and reason; its api/order/cancel is for orders more than 30 days out (取消30天以外的订单)." })
export class CancelOrderInput extends IdempotentInput {
  @Field(() => Supplier, { description: "ALITRIP or CTT" })
  supplier!: Supplier;

  @Field(() => String, { description: "ALITRIP: dis_order_id (your external order number); CTT: order_number" })
  @SupplierId()
  orderNo!: string;

  @Field(() => String, { nullable: true, description: "ALITRIP sub_channel (corporate id); defaults to the configured one (ALITRIP_SUB_CHANNEL). Ignored by CTT." })
  @IsOptional()
  @ValidateIf(sentTo("subChannel"))
  @SupplierId()
  subChannel?: string | null;

  @Field(() => [String], { nullable: true, description: "CTT refund_passanger_ids, sent joined with commas; omit for none. Ignored by ALITRIP." })
  @IsOptional()
  @ValidateIf(sentTo("passengerIds"))
  @ArrayMaxSize(50, { message: "at most 50 passenger ids" })
  @Length(1, 64, { each: true, message: "each id must be 1 to 64 characters long" })
  @Matches(/^[A-Za-z0-9_-]*$/, { each: true, message: "each id may contain only letters, digits, '-' and '_'" })
  passengerIds?: string[] | null;

  @Field(() => String, { nullable: true, description: "CTT refund_reason (free text, at most 200 characters: the gateway's limit, CTT documents none). Ignored by ALITRIP." })
  @IsOptional()
  @ValidateIf(sentTo("reason"))
  // Counted in code points, every one of them: class-validator's Length does not count a
  // variation selector (U+FE0E, U+FE0F), and 400 characters got through (property-based probe).
  @Matches(/^[\s\S]{0,200}$/u, { message: "must be at most 200 characters long" })
  // Sent to CTT and signed: text only (a NUL or an unpaired surrogate has no place in a reason).
  @Matches(/^(?:[^\p{Cc}\p{Cs}]|[\t\n\r])*$/u, {
    message: "must be text: no control characters but line breaks and tabs, no unpaired surrogates",
  })
  reason?: string | null;
}

@ArgsType()
export class StopArgs {
  @Field(() => Supplier, { description: "The supplier asked to stop" })
  supplier!: Supplier;

  @Field(() => String, { description: "The order" })
  @SupplierId()
  orderNo!: string;
}

@ArgsType()
export class OrderArgs {
  @Field(() => String, { description: "The order whose voids to list" })
  @SupplierId()
  orderNo!: string;
}
