/** Builds the executable schema from the type-graphql classes and resolvers. */
import "reflect-metadata";
import { validate } from "class-validator";
import type { GraphQLSchema } from "graphql";
import { buildSchema, type BuildSchemaOptions } from "type-graphql";
import { badInput } from "./vocabulary/errors.js";
import { enforceScopes } from "./auth/field-scopes.js";
import { EventsResolver } from "../resolvers/events.resolver.js";
import { OrdersResolver } from "../resolvers/orders.resolver.js";
import { StopEventsResolver } from "../resolvers/stop-events.resolver.js";
import { SuppliersResolver } from "../resolvers/suppliers.resolver.js";
import { TicketingResolver } from "../resolvers/ticketing.resolver.js";
import { VoidsResolver } from "../resolvers/voids.resolver.js";

/**
 * Runs class-validator on input objects and turns the first failure into BAD_USER_INPUT
 * naming the field, so the client reads "orderNo: may contain only letters…".
 */
async function validateInput(value: unknown): Promise<void> {
  if (value === null || typeof value !== "object") return;
  const errors = await validate(value, { forbidUnknownValues: false });
  const first = errors[0];
  if (!first) return;
  const problem = Object.values(first.constraints ?? {})[0] ?? "is invalid";
  throw badInput(first.property, problem);
}

/**
 * type-graphql insists on a pubSub once a schema has subscriptions, even when every
 * subscription brings its own `subscribe` (ours read the event log and the gateway's pub/sub,
 * src/tracking/subscriptions.ts). Topic-based subscriptions are not used; this says so loudly.
 */
const topicSubscriptionsUnused = {
  publish(): void {
    throw new Error("topic-based subscriptions are not used: publish through src/pubsub");
  },
  subscribe(): AsyncIterable<unknown> {
    throw new Error("topic-based subscriptions are not used: give @Subscription a subscribe function");
  },
};

/**
 * The gateway's resolvers and build options (the subgraph schema, src/federation, adds to them).
 * Every @ObjectType sets `simpleResolvers`: its plain fields are read by graphql-js's default
 * resolver, not through a type-graphql wrapper and middleware chain each (no field has
 * middleware; scopes are checked on root fields, ./auth/field-scopes.ts). Fields that are
 * methods, and @FieldResolvers, keep type-graphql's (test/unit/schema-resolvers.test.ts).
 */
export function gatewaySchemaOptions(): BuildSchemaOptions {
  return {
    resolvers: [SuppliersResolver, VoidsResolver, EventsResolver, TicketingResolver, StopEventsResolver, OrdersResolver],
    validateFn: validateInput,
    pubSub: topicSubscriptionsUnused,
  };
}

/** The schema, with each field's declared scope (@RequireScope) checked before its resolver. */
export async function buildGatewaySchema(): Promise<GraphQLSchema> {
  return enforceScopes(await buildSchema(gatewaySchemaOptions()));
}
