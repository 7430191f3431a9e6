import { Field, ObjectType } from "type-graphql";
import { DateTimeScalar } from "./scalars.js";

@ObjectType("TrackingCheckFailure", {
  simpleResolvers: true,
  description:
    "Why the gateway's checks of an open record (scheduled, or a webhook's confirmation) get no answer from the supplier; it keeps checking, backing off",
})
export class TrackingCheckFailure {
  @Field(() => String, { description: "The error code of the last failed check, as the API's errors name it (SUPPLIER_UNAVAILABLE, SUPPLIER_TIMEOUT, ORDER_NOT_FOUND…)" })
  code!: string;

  @Field(() => String, { description: "What went wrong, for people" })
  message!: string;

  @Field(() => String, { nullable: true, description: "The supplier's own code, when it answered with one, for support staff" })
  supplierCode?: string | null;

  @Field(() => DateTimeScalar, { description: "When the checks started failing (the first failed check since the supplier last answered)" })
  since!: Date;
}

@ObjectType("Tracking", {
  simpleResolvers: true,
  description: "How the gateway follows a record to its final state by asking the supplier (webhooks, when the supplier sends them, come besides)",
})
export class Tracking {
  @Field(() => DateTimeScalar, {
    nullable: true,
    description:
      "When the gateway last checked it with the supplier: a scheduled check or a webhook's confirmation that reached it, answered or not, or a refresh whose answer was recorded; null before the first",
  })
  lastCheckedAt?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "When the next scheduled check is due (in the past while one is under way); null once final" })
  nextCheckAt?: Date | null;

  @Field(() => TrackingCheckFailure, { nullable: true, description: "The last check (scheduled, or a webhook's confirmation) got no answer; null once the supplier answers" })
  failure?: TrackingCheckFailure | null;
}

/** The description of the `tracking` field of each tracked type. */
export const TRACKING_DESCRIPTION =
  "How the gateway is following it: its checks of the supplier, and why they fail if they do. Null in a change's snapshot (history, subscriptions), which shows the record as of that change";
