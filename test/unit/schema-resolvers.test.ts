/**
 * What the built schema runs per field: plain fields are read by graphql-js's default resolver
 * (every @ObjectType sets type-graphql's `simpleResolvers`, so no wrapper and no middleware chain
 * per field), field resolvers keep type-graphql's, and every root field carries its scope check,
 * in the subgraph schema too (which is rebuilt from the SDL with the resolvers carried over).
 */
import { isObjectType, type GraphQLObjectType } from "graphql";
import { describe, expect, it } from "vitest";
import { buildSubgraphGatewaySchema } from "../../src/federation/schema.js";
import { buildGatewaySchema } from "../../src/schema.js";
import { GatewayError } from "../../src/vocabulary/errors.js";

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

/** The code a resolver throws at once, before any work (the scope check), for a caller without credentials. */
function refusalOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (err) {
    return err instanceof GatewayError ? err.code : String(err);
  }
  return undefined;
}

describe("the subgraph schema (FEDERATION_SUBGRAPH)", async () => {
  const schema = await buildSubgraphGatewaySchema();
  const anonymous = { principal: null };

  it("refuses a caller without credentials in every root field and in the Order entity's fields, before anything runs", () => {
    const info = {} as never;
    for (const root of [schema.getQueryType()!, schema.getMutationType()!, schema.getSubscriptionType()!])
      for (const f of Object.values(root.getFields())) {
        if (f.name === "_entities" || f.name === "_service") continue; // federation's own: the reference resolvers check the scope
        const run = root === schema.getSubscriptionType() ? f.subscribe! : f.resolve!;
        expect(
          refusalOf(() => run(undefined, {}, anonymous, info)),
          `${root.name}.${f.name}`,
        ).toBe("UNAUTHENTICATED");
      }
    const order = (schema.getType("Order") as GraphQLObjectType).getFields();
    for (const name of ["voids", "ticketIssuanceStop"])
      expect(
        refusalOf(() => order[name].resolve!({ supplier: "ATRIP", orderNo: "ATR-1" }, {}, anonymous, info)),
        `Order.${name}`,
      ).toBe("UNAUTHENTICATED");
  });
});
