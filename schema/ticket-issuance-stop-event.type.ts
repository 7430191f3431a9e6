import { Field, ID, ObjectType } from "type-graphql";
import { StatusSource, Supplier, TicketIssuanceStopState } from "./enums.js";
import { DateTimeScalar } from "./scalars.js";

@ObjectType("TicketIssuanceStopEvent", { simpleResolvers: true, description: "One recorded change of a stop-issuance request" })
export class TicketIssuanceStopEvent {
  @Field(() => ID, { description: "increases with every recorded change (one sequence for voids and stops); pass it back as afterEventId to resume" })
  id!: string;

  @Field(() => Supplier, { description: "The supplier asked to stop" })
  supplier!: Supplier;

  @Field(() => String, { description: "The order" })
  orderNo!: string;

  @Field(() => TicketIssuanceStopState, { description: "The state after the change" })
  state!: TicketIssuanceStopState;

  @Field(() => TicketIssuanceStopState, { nullable: true, description: "The state before the change (null for the request itself)" })
  previousState?: TicketIssuanceStopState | null;

  @Field(() => Boolean, { description: "true when the new state is final (STOPPED or ISSUED)" })
  isFinal!: boolean;

  @Field(() => StatusSource, { description: "How the gateway learned of the change: SUBMIT (the request), POLL (a scheduled check) or WEBHOOK (a check an order.ticketed webhook prompted)" })
  source!: StatusSource;

  @Field(() => String, { nullable: true, description: "The supplier's message at the change, if any" })
  message?: string | null;

  @Field(() => DateTimeScalar, { description: "When the gateway recorded the change" })
  occurredAt!: Date;
}
