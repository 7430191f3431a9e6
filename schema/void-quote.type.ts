import { Field, ObjectType } from "type-graphql";
import { RefundMethod, Supplier } from "./enums.js";
import { Money } from "./money.type.js";
import { DateScalar, DateTimeScalar, DecimalScalar } from "./scalars.js";

@ObjectType("VoidTicket", { simpleResolvers: true, description: "A ticket covered by a void" })
export class VoidTicket {
  @Field(() => String, { description: "Passenger's first name" })
  firstName!: string;

  @Field(() => String, { description: "Passenger's last name" })
  lastName!: string;

  @Field(() => String, { description: "ATRIP ticketNo, which ATRIP describes as \"the PNR received from the airline in the retrieve PNR response\"" })
  ticketNo!: string;
}

@ObjectType("VoidFare", { simpleResolvers: true, description: "The fare part of a void: what was paid and what is expected back" })
export class VoidFare {
  @Field(() => String, { description: "3-letter ISO 4217 currency code" })
  currency!: string;

  @Field(() => DecimalScalar, { description: "The original fare (flight fare and inflow ancillaries)" })
  originalAmount!: string;

  @Field(() => DecimalScalar, { description: "The amount expected back" })
  estimatedRefund!: string;
}

@ObjectType("PostTicketingServiceRefund", { simpleResolvers: true, description: "The refund of a post-ticketing service (baggage etc.) voided with the order" })
export class PostTicketingServiceRefund {
  @Field(() => String, { description: "The post-ticketing service's order number" })
  postTicketingOrderNo!: string;

  @Field(() => String, { description: "3-letter ISO 4217 currency code" })
  currency!: string;

  @Field(() => DecimalScalar, { description: "What the service cost" })
  originalAmount!: string;

  @Field(() => DecimalScalar, { description: "The amount expected back for it" })
  estimatedRefund!: string;
}

@ObjectType("VoidWindow", { simpleResolvers: true, description: "The airline's void window, as the supplier reports it" })
export class VoidWindow {
  @Field(() => Boolean, { description: "Whether the airline supports void at all" })
  supportVoid!: boolean;

  @Field(() => Boolean, { description: "Whether void is allowed now" })
  allowVoid!: boolean;

  @Field(() => String, { nullable: true, description: "How long after issue a void is possible (supplier's text, e.g. 24h)" })
  voidTimeAfterIssue?: string | null;

  @Field(() => String, { nullable: true, description: "How long before departure a void must happen (supplier's text)" })
  voidTimeBeforeDeparture?: string | null;

  @Field(() => String, { nullable: true, description: "Same-day deadline, e.g. 23:59" })
  sameDayDeadlineTime?: string | null;

  @Field(() => String, { nullable: true, description: "Time zone of the same-day deadline, e.g. GMT+8" })
  sameDayTimezone?: string | null;
}

@ObjectType("VoidQuote", { simpleResolvers: true, description: "What voiding a whole order would give back now. Submit it with submitVoid and its voidOfferId." })
export class VoidQuote {
  @Field(() => Supplier, { description: "The supplier that quoted" })
  supplier!: Supplier;

  @Field(() => String, { description: "The order quoted" })
  orderNo!: string;

  @Field(() => Boolean, { description: "Whether the order can be voided now" })
  isVoidable!: boolean;

  @Field(() => String, { nullable: true, description: "Pass to submitVoid; only the latest quote's offer is valid, and only for a while" })
  voidOfferId?: string | null;

  @Field(() => RefundMethod, { nullable: true, description: "How the money comes back" })
  refundMethod?: RefundMethod | null;

  @Field(() => Boolean, { description: "true when the airline confirms voids automatically" })
  fastConfirmation!: boolean;

  @Field(() => DateScalar, { nullable: true, description: "When the airline's confirmation is expected" })
  expectedConfirmationDate?: string | null;

  @Field(() => DateScalar, { nullable: true, description: "When the refund is expected" })
  expectedRefundDate?: string | null;

  @Field(() => [VoidTicket], { description: "The tickets the void covers (always the whole order)" })
  tickets!: VoidTicket[];

  @Field(() => VoidFare, { nullable: true, description: "Fare amounts (present when the refund goes to the original payment)" })
  fare?: VoidFare | null;

  @Field(() => [PostTicketingServiceRefund], { description: "Refunds of post-ticketing services voided with the order" })
  postTicketingServices!: PostTicketingServiceRefund[];

  @Field(() => Money, { nullable: true, description: "The supplier's void service fee" })
  serviceFee?: Money | null;

  @Field(() => VoidWindow, { nullable: true, description: "The airline's void window" })
  window?: VoidWindow | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Until when submitVoid is accepted for this order, as the supplier wrote it in the quote (ATRIP voidDeadline, usually that day's cut-off such as \"23:59\"); past it the supplier refuses (VOID_DEADLINE_EXCEEDED). Null when the quote did not say",
  })
  voidDeadline?: string | null;

  @Field(() => DateTimeScalar, { description: "When the gateway received this quote" })
  quotedAt!: Date;
}
