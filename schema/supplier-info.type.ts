import { Field, ObjectType } from "type-graphql";
import { Supplier, SupplierOperation } from "./enums.js";

@ObjectType("SupplierInfo", { simpleResolvers: true, description: "A supplier the gateway routes to, and what it offers" })
export class SupplierInfo {
  @Field(() => Supplier, { description: "The supplier" })
  supplier!: Supplier;

  @Field(() => [SupplierOperation], { description: "The operations this supplier offers through the gateway" })
  operations!: SupplierOperation[];

  @Field(() => Boolean, { description: "true when requests go to the embedded simulator instead of the real supplier" })
  sandbox!: boolean;

  @Field(() => Boolean, { description: "false while the gateway has stopped calling it (circuit open)" })
  available!: boolean;
}
