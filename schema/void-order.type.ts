import { Field, Int, ObjectType } from "type-graphql";
import { RefundMethod, Supplier, VoidStatus } from "./enums.js";
import { Money } from "./money.type.js";
import { DateScalar, DateTimeScalar } from "./scalars.js";
import { Tracking, TRACKING_DESCRIPTION } from "./tracking.type.js";
import { PostTicketingServiceRefund, VoidFare, VoidTicket } from "./void-quote.type.js";
import { VoidStatusEvent } from "./void-status-event.type.js";

@ObjectType("VoidOrder", { simpleResolvers: true, description: "A submitted void and where it stands" })
export class VoidOrder {
  @Field(() => Supplier, { description: "The supplier handling the void" })
  supplier!: Supplier;

  @Field(() => String, { description: "The supplier's void number; use it to query and to subscribe" })
  voidCode!: string;

  @Field(() => String, { description: "The voided order" })
  orderNo!: string;

  @Field(() => VoidStatus, { description: "Where the void stands" })
  status!: VoidStatus;

  @Field(() => Int, { description: "the supplier's own status number, for support staff" })
  supplierStatus!: number;

  @Field(() => Boolean, { description: "true once the status can no longer change" })
  isFinal!: boolean;

  @Field(() => RefundMethod, { nullable: true, description: "How the money comes back" })
  refundMethod?: RefundMethod | null;

  @Field(() => [VoidTicket], { description: "The tickets voided" })
  tickets!: VoidTicket[];

  @Field(() => VoidFare, { nullable: true, description: "Fare amounts" })
  fare?: VoidFare | null;

  @Field(() => Money, { nullable: true, description: "What was actually refunded, once the airline confirmed" })
  actualRefund?: Money | null;

  /** As recorded; absent on voids recorded before the field existed (read it through the field below). */
  postTicketingServices?: PostTicketingServiceRefund[];

  @Field(() => [PostTicketingServiceRefund], {
    name: "postTicketingServices",
    description: "Refunds of post-ticketing services (baggage etc.) voided with the order, as the supplier last reported them",
  })
  postTicketingServicesOrNone(): PostTicketingServiceRefund[] {
    // A void recorded before this field existed has none stored: an empty list, not an error.
    return this.postTicketingServices ?? [];
  }

  @Field(() => Boolean, {
    nullable: true,
    description: "true when the airline confirms voids automatically, as the latest report that said it did (ATRIP's void.do says, queryVoidOrders.do does not); null when no report said",
  })
  fastConfirmation?: boolean | null;

  @Field(() => Money, { nullable: true, description: "The supplier's void service fee" })
  serviceFee?: Money | null;

  @Field(() => DateScalar, { nullable: true, description: "When the airline's confirmation is expected" })
  expectedConfirmationDate?: string | null;

  @Field(() => DateScalar, { nullable: true, description: "When the refund is expected" })
  expectedRefundDate?: string | null;

  @Field(() => String, { nullable: true, description: "Why the void was rejected or closed" })
  cancelReason?: string | null;

  @Field(() => String, { nullable: true, description: "latest human-readable message from the supplier" })
  message?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "When the void was submitted through the gateway (null if it was submitted elsewhere)" })
  submittedAt?: Date | null;

  @Field(() => DateTimeScalar, { description: "When the gateway last learned something about this void" })
  updatedAt!: Date;

  @Field(() => Tracking, { nullable: true, description: TRACKING_DESCRIPTION })
  tracking?: Tracking | null;

  @Field(() => [VoidStatusEvent], { description: "every recorded status change, oldest first; in an event's voidOrder, up to that change; in submitVoid's answer (first or replayed), up to the change it was answered with" })
  history!: VoidStatusEvent[];
}
