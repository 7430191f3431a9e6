import { Field, ID, ObjectType } from "type-graphql";
import { StatusSource, Supplier, VoidStatus } from "./enums.js";
import { DateTimeScalar } from "./scalars.js";

@ObjectType("VoidStatusEvent", { simpleResolvers: true, description: "One recorded status change of a void" })
export class VoidStatusEvent {
  @Field(() => ID, { description: "increases with every recorded change; pass it back as afterEventId to resume" })
  id!: string;

  @Field(() => Supplier, { description: "The supplier handling the void" })
  supplier!: Supplier;

  @Field(() => String, { description: "The supplier's void number" })
  voidCode!: string;

  @Field(() => String, { description: "The voided order" })
  orderNo!: string;

  @Field(() => VoidStatus, { description: "The status after the change" })
  status!: VoidStatus;

  @Field(() => VoidStatus, { nullable: true, description: "The status before the change (null for the first event)" })
  previousStatus?: VoidStatus | null;

  @Field(() => Boolean, { description: "true when the new status is final" })
  isFinal!: boolean;

  @Field(() => StatusSource, { description: "How the gateway learned of the change: SUBMIT, WEBHOOK (confirmed with the supplier), POLL or QUERY" })
  source!: StatusSource;

  @Field(() => String, { nullable: true, description: "The supplier's message at the change, if any" })
  message?: string | null;

  @Field(() => DateTimeScalar, { description: "When the gateway recorded the change" })
  occurredAt!: Date;
}
