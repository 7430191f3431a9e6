import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import { RequireScope } from "../src/auth/field-scopes.js";
import type { TrackedEvent } from "../src/store/tracked-model.js";
import type { VoidOrderData, VoidQuoteData } from "../datasources/model.js";
import { OrderArgs, SubmitVoidInput, VoidOrderArgs, VoidQuoteInput } from "../schema/inputs.js";
import { VoidOrder } from "../schema/void-order.type.js";
import { VoidQuote } from "../schema/void-quote.type.js";
import { VoidStatusEvent } from "../schema/void-status-event.type.js";
import { eventsUpTo, voidEventView, voidView, type VoidEventView, type VoidOrderView } from "../src/tracking/views.js";
import { heldVoid } from "../src/tracking/void-submission.js";
import { GatewayError } from "../src/vocabulary/errors.js";
import type { GatewayContext } from "./context.js";

@Resolver(() => VoidOrder)
export class VoidsResolver {
  @RequireScope("write")
  @Mutation(() => VoidQuote, {
    description: "Ask the supplier what voiding the whole order would give back now (mandatory before submitVoid)",
  })
  async voidQuote(@Arg("input", () => VoidQuoteInput) input: VoidQuoteInput, @Ctx() ctx: GatewayContext): Promise<VoidQuoteData> {
    // The tenant's void port applies order ownership (issue 21, item 6); the quote is recorded as the order's latest.
    try {
      return await ctx.services.tracking.submissions.quote(ctx.tenant, input.supplier, input.orderNo, { requestId: ctx.requestId });
    } catch (err) {
      // "Already submitted": name the void when the gateway holds it (API.md, VOID_ALREADY_SUBMITTED).
      if (err instanceof GatewayError && err.code === "VOID_ALREADY_SUBMITTED" && err.extra.voidCode === undefined) {
        const held = heldVoid(await ctx.services.tracking.voids.byOrder(ctx.tenant, input.orderNo).catch(() => []), input.supplier);
        if (held) err.extra.voidCode = held.ref;
      }
      throw err;
    }
  }

  @RequireScope("write")
  @Mutation(() => VoidOrder, {
    description:
      "Submit a void with the voidOfferId of the latest quote this tenant made through the gateway (otherwise VOID_OFFER_EXPIRED, or NOT_VOIDABLE when that quote called the order not voidable; nothing is sent). Never resent automatically, and never sent while the gateway holds a void for the order, whatever its status (VOID_ALREADY_SUBMITTED with its voidCode). The gateway records it and follows it to its final state: subscribe with voidStatusChanged(voidCode).",
  })
  async submitVoid(@Arg("input", () => SubmitVoidInput) input: SubmitVoidInput, @Ctx() ctx: GatewayContext): Promise<VoidOrderView> {
    const { idempotency, tracking } = ctx.services;
    return idempotency.run(ctx.tenant, "submitVoid", input.idempotencyKey, { ...input }, async () =>
      voidView(
        await tracking.submissions.submit(ctx.tenant, input.supplier, input.orderNo, input.voidOfferId, { requestId: ctx.requestId }),
      ),
    );
  }

  @RequireScope("read")
  @Query(() => VoidOrder, {
    nullable: true,
    description: "the gateway's record; refresh: true asks the supplier first (and adopts a void submitted elsewhere). null when unknown.",
  })
  async voidOrder(@Args(() => VoidOrderArgs) args: VoidOrderArgs, @Ctx() ctx: GatewayContext): Promise<VoidOrderView | null> {
    const { tracking, registry, ownership } = ctx.services;
    registry.voids(args.supplier, ctx.tenant);
    // A void the gateway does not hold is adopted only onto an order this tenant operated on
    // (hardening issue, item 4); otherwise null, at the cost of an unknown code.
    const account = registry.account(args.supplier, ctx.tenant);
    const mayAdopt = (orderNo: string | null) => ownership.mayAdopt(ctx.tenant, args.supplier, account, orderNo);
    const record = args.refresh
      ? await tracking.submissions.refresh(ctx.tenant, args.supplier, args.voidCode, mayAdopt, { requestId: ctx.requestId })
      : await tracking.voids.get(ctx.tenant, args.supplier, args.voidCode);
    return record ? voidView(record) : null;
  }

  @RequireScope("read")
  @Query(() => [VoidOrder], { description: "Every void the gateway recorded for an order (yours only)" })
  async voidOrders(@Args(() => OrderArgs) args: OrderArgs, @Ctx() ctx: GatewayContext): Promise<VoidOrderView[]> {
    return (await ctx.services.tracking.voids.byOrder(ctx.tenant, args.orderNo)).map(voidView);
  }

  @FieldResolver(() => [VoidStatusEvent])
  async history(@Root() order: VoidOrderView, @Ctx() ctx: GatewayContext): Promise<VoidEventView[]> {
    // Accepted by the supplier while the store was failing: nothing recorded yet, and no read
    // that would fail the whole answer (and with it the voidCode; black-box probe).
    if (order.unrecorded) return [];
    const key = ctx.services.tracking.voids.key(ctx.tenant, order.supplier, order.voidCode);
    // Batched with the other history fields of the request (src/tracking/loaders.ts).
    // An event's voidOrder is the void right after that event: its history ends there.
    const events = (await ctx.loaders.history.load(key)) as Array<TrackedEvent<VoidOrderData>>;
    return eventsUpTo(events, order.asOfEventId).map(voidEventView);
  }
}
