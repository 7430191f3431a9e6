/** Builds the executable schema from the type-graphql classes and resolvers. */
import "reflect-metadata";
import { validate } from "class-validator";
import type { GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { badInput } from "../datasources/errors.js";
import { OrdersResolver } from "../resolvers/orders.resolver.js";
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

export function buildGatewaySchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [SuppliersResolver, VoidsResolver, TicketingResolver, OrdersResolver],
    validateFn: validateInput,
  });
}
