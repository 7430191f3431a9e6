import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import { RequireScope } from "../src/auth/field-scopes.js";
import type { CancelOrderData } from "../datasources/model.js";
import { CancelOrderResult } from "../schema/cancel-order.type.js";
import { cancelAsSent, CancelOrderInput } from "../schema/inputs.js";
import type { GatewayContext } from "./context.js";

@Resolver(() => CancelOrderResult)
export class OrdersResolver {
  @RequireScope("write")
  @Mutation(() => CancelOrderResult, {
    description:
      "Cancel an order at a supplier that offers CANCEL_ORDER (see suppliers). A supplier refusal (e.g. already ticketed) is a CANCEL_REJECTED error. Never resent automatically.",
  })
  cancelOrder(@Arg("input", () => CancelOrderInput) input: CancelOrderInput, @Ctx() ctx: GatewayContext): Promise<CancelOrderData> {
    const { idempotency, tracking } = ctx.services;
    // The input as the supplier is sent it: a field it ignores does not make a repeat "other input".
    // (A key stored before that was for the whole input: it still matches, `{ ...input }`.)
    return idempotency.run(
      ctx.tenant,
      "cancelOrder",
      input.idempotencyKey,
      cancelAsSent(input),
      () =>
        tracking.cancels.cancel(
          ctx.tenant,
          input.supplier,
          {
            orderNo: input.orderNo,
            subChannel: input.subChannel,
            passengerIds: input.passengerIds,
            reason: input.reason,
          },
          { requestId: ctx.requestId },
        ),
      { ...input },
    );
  }
}
