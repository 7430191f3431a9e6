import { Arg, Args, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { VoidOrderData, VoidQuoteData } from "../datasources/model.js";
import { SubmitVoidInput, VoidOrderArgs, VoidQuoteInput } from "../schema/inputs.js";
import { VoidOrder } from "../schema/void-order.type.js";
import { VoidQuote } from "../schema/void-quote.type.js";
import type { GatewayContext } from "./context.js";

/** A void as the API shows it: the supplier's view plus the gateway's times. */
export type VoidOrderView = VoidOrderData & { submittedAt: Date | null; updatedAt: Date };

@Resolver(() => VoidOrder)
export class VoidsResolver {
  @Mutation(() => VoidQuote, { description: "Ask the supplier what voiding the whole order would give back now (mandatory before submitVoid)" })
  voidQuote(@Arg("input", () => VoidQuoteInput) input: VoidQuoteInput, @Ctx() ctx: GatewayContext): Promise<VoidQuoteData> {
    return ctx.services.registry.voids(input.supplier).quote(input.orderNo);
  }

  @Mutation(() => VoidOrder, {
    description: "Submit a void with the voidOfferId of the latest quote. Never resent automatically; track the result by voidCode.",
  })
  async submitVoid(@Arg("input", () => SubmitVoidInput) input: SubmitVoidInput, @Ctx() ctx: GatewayContext): Promise<VoidOrderView> {
    const submitted = await ctx.services.registry.voids(input.supplier).submit(input.orderNo, input.voidOfferId);
    const now = new Date();
    return { ...submitted, submittedAt: now, updatedAt: now };
  }

  @Query(() => VoidOrder, { nullable: true, description: "A void as the supplier reports it now; null when the supplier does not know the voidCode" })
  async voidOrder(@Args(() => VoidOrderArgs) args: VoidOrderArgs, @Ctx() ctx: GatewayContext): Promise<VoidOrderView | null> {
    const found = await ctx.services.registry.voids(args.supplier).query(args.voidCode);
    return found ? { ...found, submittedAt: null, updatedAt: new Date() } : null;
  }
}
