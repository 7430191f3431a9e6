import "reflect-metadata";
import { parse, validate } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import type { GraphQLSchema } from "graphql";
import { buildGatewaySchema } from "../../src/schema.js";
import { limitRules } from "../../src/server/limits.js";

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildGatewaySchema();
});

describe("query limits, as a client reads them", () => {
  it.each([
    [
      "{ a: suppliers { supplier } b: suppliers { supplier } c: suppliers { supplier } }",
      ["Aliases limit of 2 exceeded, found 3.", "Query Cost limit of 10 exceeded, found 11."],
    ],
    [
      '{ voidOrder(supplier: ATRIP, voidCode: "X") { history { voidOrder { history { status } } } } }',
      ["Query depth limit of 3 exceeded, found 5.", "Query Cost limit of 10 exceeded, found 22."],
    ],
  ])("a limit is not called a syntax error, and the cost it found is a whole number: %s", (query, said) => {
    const errors = validate(schema, parse(query), limitRules({ maxDepth: 3, maxAliases: 2, maxCost: 10, maxTokens: 1000 }));
    expect(errors.map((e) => e.message)).toEqual(said);
  });
});
