import { Field, ObjectType } from "type-graphql";
import { Supplier } from "./enums.js";
import { DateTimeScalar } from "./scalars.js";

@ObjectType("CancelOrderResult", { simpleResolvers: true, description: "A cancellation the supplier confirmed. A refusal is an error (CANCEL_REJECTED), never a result." })
export class CancelOrderResult {
  @Field(() => Supplier, { description: "The supplier that cancelled" })
  supplier!: Supplier;

  @Field(() => String, { description: "The cancelled order" })
  orderNo!: string;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: "When the order was cancelled: ALITRIP's cancel_time; CTT sends no time, so when the gateway received CTT's confirmation",
  })
  cancelledAt?: Date | null;

  @Field(() => String, { nullable: true, description: "The supplier's own order status after the cancel (ALITRIP order_status), for support staff" })
  supplierOrderStatus?: string | null;

  @Field(() => String, { nullable: true, description: "The supplier's message, for people" })
  message?: string | null;
}
