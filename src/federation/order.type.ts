/**
 * The order as other subgraphs of a federated supergraph reference it (key: supplier
 * orderNo). A bookings service that knows the order extends its Booking with it; the gateway
 * answers what it knows of the order's post-booking operations. Only in the subgraph schema
 * (FEDERATION_SUBGRAPH): the default schema has no Order type.
 */
import { Field, ObjectType } from "type-graphql";
import { Supplier } from "../../schema/enums.js";

@ObjectType("Order", {
  simpleResolvers: true,
  description: "An order, as other subgraphs reference it: the gateway's voids and stop request for it (yours only)",
})
export class Order {
  @Field(() => Supplier, { description: "The supplier the order was booked with" })
  supplier!: Supplier;

  @Field(() => String, { description: "The supplier's order number" })
  orderNo!: string;
}
