import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import { StopTicketIssuanceInput } from "../schema/inputs.js";
import { TicketIssuanceStop } from "../schema/ticket-issuance-stop.type.js";
import type { GatewayContext } from "./context.js";

/** A stop request as the API shows it. */
export interface TicketIssuanceStopView {
  supplier: string;
  orderNo: string;
  state: "PENDING" | "STOPPED" | "ISSUED";
  message: string | null;
  requestedAt: Date;
  checkAfter: Date;
  resolvedAt: Date | null;
}

@Resolver(() => TicketIssuanceStop)
export class TicketingResolver {
  @Mutation(() => TicketIssuanceStop, {
    description: "Ask the supplier to try to stop ticket issuance of a paid order. PENDING means only that it will try; the outcome is known after checkAfter.",
  })
  async stopTicketIssuance(
    @Arg("input", () => StopTicketIssuanceInput) input: StopTicketIssuanceInput,
    @Ctx() ctx: GatewayContext,
  ): Promise<TicketIssuanceStopView> {
    const accepted = await ctx.services.registry.stopIssuance(input.supplier).stop(input.orderNo);
    const requestedAt = new Date();
    return {
      supplier: accepted.supplier,
      orderNo: accepted.orderNo,
      state: "PENDING",
      message: accepted.message,
      requestedAt,
      checkAfter: new Date(requestedAt.getTime() + ctx.services.stopCheckDelayMs),
      resolvedAt: null,
    };
  }
}
