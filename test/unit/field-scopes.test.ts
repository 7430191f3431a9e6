/**
 * Scopes declared on fields (src/auth/field-scopes.ts): checked synchronously before the
 * resolver and the subscribe function, and a root field without one stops the build.
 */
import { GraphQLObjectType, GraphQLSchema, GraphQLString, graphql, parse, subscribe } from "graphql";
import { describe, expect, it } from "vitest";
import { enforceScopes } from "../../src/auth/field-scopes.js";
import type { Principal } from "../../src/auth/principal.js";
import { GatewayError } from "../../src/vocabulary/errors.js";

const principal = (...scopes: Array<"read" | "write">): Principal => ({ tenant: "acme", scopes: new Set(scopes), via: "api-key" });

/** The gateway's code of a result's first error (the server's formatError puts it in extensions). */
const codeOf = (r: { errors?: ReadonlyArray<{ originalError?: Error | null }> }) => {
  const e = r.errors?.[0]?.originalError;
  return e instanceof GatewayError ? e.code : undefined;
};

function schema(opts: { unscoped?: boolean } = {}) {
  const calls: string[] = [];
  const query = new GraphQLObjectType({
    name: "Query",
    fields: {
      open: { type: GraphQLString, extensions: { requiredScope: "read" }, resolve: () => (calls.push("open"), "yes") },
      ...(opts.unscoped ? { loose: { type: GraphQLString, resolve: () => "loose" } } : {}),
    },
  });
  const mutation = new GraphQLObjectType({
    name: "Mutation",
    fields: { change: { type: GraphQLString, extensions: { requiredScope: "write" }, resolve: () => (calls.push("change"), "done") } },
  });
  const subscription = new GraphQLObjectType({
    name: "Subscription",
    fields: {
      ticks: {
        type: GraphQLString,
        extensions: { requiredScope: "read" },
        subscribe: async function* () {
          calls.push("subscribe");
          yield { ticks: "tick" };
        },
      },
    },
  });
  return { schema: new GraphQLSchema({ query, mutation, subscription }), calls };
}

describe("enforceScopes", () => {
  it("refuses a root field that declares no scope", () => {
    expect(() => enforceScopes(schema({ unscoped: true }).schema)).toThrow(/Query\.loose declares no scope/);
  });

  it("checks the scope before the resolver runs: UNAUTHENTICATED, FORBIDDEN, or the resolver", async () => {
    const { schema: s, calls } = schema();
    enforceScopes(s);
    const run = (source: string, p: Principal | null) => graphql({ schema: s, source, contextValue: { principal: p } });
    const none = await run("{ open }", null);
    expect(codeOf(none)).toBe("UNAUTHENTICATED");
    const readOnly = await run("mutation { change }", principal("read"));
    expect(codeOf(readOnly)).toBe("FORBIDDEN");
    expect(calls).toEqual([]);
    expect((await run("{ open }", principal("read"))).data).toEqual({ open: "yes" });
    expect((await run("mutation { change }", principal("write"))).data).toEqual({ change: "done" });
    expect(calls).toEqual(["open", "change"]);
  });

  it("checks subscribe too, before the source stream starts", async () => {
    const { schema: s, calls } = schema();
    enforceScopes(s);
    const document = parse("subscription { ticks }");
    const refused = await subscribe({ schema: s, document, contextValue: { principal: principal("write") } });
    expect("errors" in refused && codeOf(refused)).toBe("FORBIDDEN");
    expect(calls).toEqual([]);
    const stream = await subscribe({ schema: s, document, contextValue: { principal: principal("read") } });
    const first = await (stream as AsyncGenerator<{ data?: unknown }>).next();
    expect(first.value?.data).toEqual({ ticks: "tick" });
    expect(calls).toEqual(["subscribe"]);
  });
});
