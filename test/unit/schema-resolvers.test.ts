/**
 * What the built schema runs per field: plain fields are read by graphql-js's default resolver
 * (every @ObjectType sets type-graphql's `simpleResolvers`, so no wrapper and no middleware chain
 * per field), field resolvers keep type-graphql's, and every root field carries its scope check.
 */
import { isObjectType, type GraphQLObjectType } from "graphql";
import { describe, expect, it } from "vitest";
import { buildGatewaySchema } from "../../src/schema.js";

/** The @FieldResolver methods of resolvers/, and fields that are methods of their type (type-graphql's resolver stays on these). */
const FIELD_RESOLVERS = [
  "VoidStatusEvent.voidOrder",
  "TicketIssuanceStopEvent.stop",
  "TicketIssuanceStop.history",
  "VoidOrder.history",
  "VoidOrder.postTicketingServices",
];

describe("the gateway's schema", async () => {
  const schema = await buildGatewaySchema();
  const type = (name: string) => schema.getType(name) as GraphQLObjectType;

  it("reads plain fields with graphql-js's default resolver", () => {
    const objectTypes = Object.values(schema.getTypeMap()).filter((t) => isObjectType(t) && !t.name.startsWith("__"));
    const roots = new Set(["Query", "Mutation", "Subscription"]);
    for (const t of objectTypes.filter((t) => !roots.has(t.name)) as GraphQLObjectType[]) {
      const wrapped = Object.values(t.getFields()).filter((f) => f.resolve !== undefined && f.extensions.requiredScope === undefined);
      expect.soft(wrapped.map((f) => `${t.name}.${f.name}`).filter((n) => !FIELD_RESOLVERS.includes(n))).toEqual([]);
    }
    expect(type("Money").getFields().amount.resolve).toBeUndefined();
    expect(type("VoidQuote").getFields().voidOfferId.resolve).toBeUndefined();
  });

  it("keeps the field resolvers and guards every root field", () => {
    for (const name of FIELD_RESOLVERS) {
      const [t, f] = name.split(".");
      expect(type(t).getFields()[f].resolve, name).toBeTypeOf("function");
    }
    for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()])
      for (const f of Object.values(root!.getFields()))
        expect(f.extensions.requiredScope, `${root!.name}.${f.name}`).toMatch(/^(read|write)$/);
  });
});
