import { Ctx, Query, Resolver } from "type-graphql";
import { RequireScope } from "../src/auth/field-scopes.js";
import type { SupplierInfoData } from "../datasources/registry.js";
import { SupplierInfo } from "../schema/supplier-info.type.js";
import type { GatewayContext } from "./context.js";

@Resolver(() => SupplierInfo)
export class SuppliersResolver {
  @RequireScope("read")
  @Query(() => [SupplierInfo], { description: "Every supplier the gateway routes to, what it offers and whether it is reachable" })
  suppliers(@Ctx() ctx: GatewayContext): SupplierInfoData[] {
    return ctx.services.registry.list();
  }
}
