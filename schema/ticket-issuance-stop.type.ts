import { Field, ID, ObjectType } from "type-graphql";
import { Supplier, TicketIssuanceStopState } from "./enums.js";
import { DateTimeScalar } from "./scalars.js";
import { Tracking, TRACKING_DESCRIPTION } from "./tracking.type.js";
import { TicketIssuanceStopEvent } from "./ticket-issuance-stop-event.type.js";

@ObjectType("TicketIssuanceStop", { simpleResolvers: true, description: "A request to stop ticket issuance of a paid order, and its outcome" })
export class TicketIssuanceStop {
  @Field(() => Supplier, { description: "The supplier asked to stop" })
  supplier!: Supplier;

  @Field(() => String, { description: "The order" })
  orderNo!: string;

  @Field(() => TicketIssuanceStopState, { description: "PENDING: the supplier accepted the attempt; STOPPED / ISSUED: the outcome" })
  state!: TicketIssuanceStopState;

  @Field(() => String, { nullable: true, description: "The supplier's latest message, for people" })
  message?: string | null;

  @Field(() => DateTimeScalar, { description: "When the gateway sent the request" })
  requestedAt!: Date;

  @Field(() => DateTimeScalar, { description: "when the gateway first asks the supplier for the outcome: when the supplier says it can be known (about 8 minutes after the request), or the gateway's configured check delay" })
  checkAfter!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: "When the outcome became known" })
  resolvedAt?: Date | null;

  @Field(() => String, { nullable: true, description: "The supplier's own order status at the latest check (ATRIP orderStatus: -3 stopped, 2 ticketed), for support staff" })
  supplierOrderStatus?: string | null;

  @Field(() => Tracking, { nullable: true, description: TRACKING_DESCRIPTION })
  tracking?: Tracking | null;

  @Field(() => ID, {
    nullable: true,
    description: "In ticketIssuanceStopChanged and in a history entry's stop: the id of the change this stop stands right after; pass it back as afterEventId to resume. Null for the record itself (see history).",
  })
  eventId?: string | null;

  @Field(() => [TicketIssuanceStopEvent], { description: "every recorded change of this request, oldest first; up to eventId when it is set; in stopTicketIssuance's answer (first or replayed), up to the change it was answered with" })
  history!: TicketIssuanceStopEvent[];
}
