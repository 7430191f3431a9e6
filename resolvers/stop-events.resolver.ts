import { FieldResolver, Resolver, Root } from "type-graphql";
import { TicketIssuanceStop } from "../schema/ticket-issuance-stop.type.js";
import { TicketIssuanceStopEvent } from "../schema/ticket-issuance-stop-event.type.js";
import type { StopEventView, StopView } from "../src/tracking/views.js";

@Resolver(() => TicketIssuanceStopEvent)
export class StopEventsResolver {
  @FieldResolver(() => TicketIssuanceStop, { description: "The stop request right after this change; its history ends with it" })
  stop(@Root() event: StopEventView): StopView {
    return event.stop;
  }
}
