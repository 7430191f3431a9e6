/** The JSON type of the gateway's own GraphQL answers (refusals before Apollo runs) follows the client's Accept. */
import { describe, expect, it } from "vitest";
import { graphqlJsonType } from "../../src/server/send-json.js";

describe("graphqlJsonType", () => {
  it.each([
    [
      "Apollo Client 4",
      "multipart/mixed;boundary=graphql;subscriptionSpec=1.0,application/graphql-response+json,application/json;q=0.9",
      "application/graphql-response+json",
    ],
    ["equal weight", "application/json, application/graphql-response+json", "application/graphql-response+json"],
    ["application/json preferred", "application/graphql-response+json;q=0.5, application/json", "application/json"],
    ["only application/json", "application/json", "application/json"],
    ["a wildcard above it", "application/graphql-response+json;q=0.2, */*", "application/json"],
    ["refused with q=0", "application/graphql-response+json;q=0", "application/json"],
    ["no Accept", undefined, "application/json"],
  ])("%s", (_name, accept, expected) => {
    expect(graphqlJsonType(accept)).toBe(`${expected}; charset=utf-8`);
  });
});
