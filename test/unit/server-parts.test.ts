/**
 * The HTTP side of the server's parts without a port (issue 17, item 1): the Apollo plugin list
 * run through `executeOperation`, the HTTP server's routing and timeouts, and the operation
 * meter both transports count with.
 */
import { ApolloServer } from "@apollo/server";
import { GraphQLError, GraphQLObjectType, GraphQLSchema, GraphQLString } from "graphql";
import type http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { GatewayContext } from "../../resolvers/context.js";
import { apolloPlugins } from "../../src/server/apollo-plugins.js";
import { createHttpServer } from "../../src/server/http-server.js";
import { OperationLabels } from "../../src/server/operation-label.js";
import { MeteredOperation, outcomeOf } from "../../src/server/operation-meter.js";

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: "Query",
    fields: {
      hello: { type: GraphQLString, resolve: () => "hello" },
      boom: {
        type: GraphQLString,
        resolve: () => {
          throw new GraphQLError("late", { extensions: { code: "SUPPLIER_TIMEOUT" } });
        },
      },
    },
  }),
  subscription: new GraphQLObjectType({ name: "Subscription", fields: { ticks: { type: GraphQLString } } }),
});

describe("the Apollo plugin list", () => {
  let apollo: ApolloServer<GatewayContext> | undefined;
  afterEach(async () => {
    await apollo?.stop();
    apollo = undefined;
  });

  async function serve() {
    const counted: Array<[string, string]> = [];
    apollo = new ApolloServer<GatewayContext>({
      schema,
      plugins: apolloPlugins({
        metrics: { operation: (label, outcome) => void counted.push([label, outcome]) },
        labels: new OperationLabels(schema),
        explorer: "off",
      }),
    });
    await apollo.start();
    const context = {
      contextValue: {
        principal: null,
        tenant: "",
        requestId: "r",
        services: {} as GatewayContext["services"],
        loaders: {} as GatewayContext["loaders"],
      },
    };
    const run = async (query: string) => {
      const res = await apollo!.executeOperation({ query }, context);
      return res.body.kind === "single" ? res.body.singleResult : undefined;
    };
    return { counted, run };
  }

  it("counts operations by root field and outcome, a refused one without a label", async () => {
    const { counted, run } = await serve();
    expect((await run("{ hello }"))?.data).toEqual({ hello: "hello" });
    expect((await run("{ boom }"))?.errors?.[0]?.extensions?.code).toBe("SUPPLIER_TIMEOUT");
    expect((await run("{ hello"))?.errors?.[0]?.extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
    expect(counted).toEqual([
      ["hello", "OK"],
      ["boom", "SUPPLIER_TIMEOUT"],
      ["unknown", "GRAPHQL_PARSE_FAILED"],
    ]);
  });

  it("refuses a subscription over HTTP with BAD_REQUEST before it runs", async () => {
    const { counted, run } = await serve();
    const result = await run("subscription { ticks }");
    expect(result?.errors?.[0]?.extensions?.code).toBe("BAD_REQUEST");
    expect(result?.errors?.[0]?.message).toMatch(/text\/event-stream.*websocket/);
    expect(counted).toEqual([["ticks", "BAD_REQUEST"]]);
  });

  it("switches plugins on from the list: trusted documents and the drain only when given", () => {
    const base = { metrics: { operation: () => undefined }, labels: new OperationLabels(schema) };
    const plain = apolloPlugins(base).length;
    expect(apolloPlugins({ ...base, explorer: "off" })).toHaveLength(plain);
    expect(apolloPlugins({ ...base, alsoStop: [{ dispose: async () => undefined }] })).toHaveLength(plain + 1);
  });
});

describe("the HTTP server", () => {
  /** Sends one request through the server's listener, as node:http would. */
  function request(server: http.Server, url: string): string[] {
    const seen: string[] = [];
    server.emit("request", { url, headers: {} }, { seen });
    return seen;
  }

  it("sends /graphql to the GraphQL handler once it is set and every other path to the other routes", () => {
    const hits: string[] = [];
    const others = (req: http.IncomingMessage) => void hits.push(`others ${req.url}`);
    const s = createHttpServer(others, { keepAliveTimeoutMs: 65_000 });
    request(s.server, "/graphql");
    s.serveGraphql((req) => void hits.push(`graphql ${req.url}`));
    for (const url of ["/graphql", "/graphql/", "/graphql?query=%7Bhello%7D", "/graphqlx", "/healthz", "/webhooks/atrip/t"])
      request(s.server, url);
    expect(hits).toEqual([
      "others /graphql",
      "graphql /graphql",
      "graphql /graphql/",
      "graphql /graphql?query=%7Bhello%7D",
      "others /graphqlx",
      "others /healthz",
      "others /webhooks/atrip/t",
    ]);
  });

  it("sends what a direct handler matches to it, before the other routes; /graphql still goes to its handler", () => {
    const hits: string[] = [];
    const s = createHttpServer((req) => void hits.push(`others ${req.url}`), {
      keepAliveTimeoutMs: 65_000,
      direct: [
        (req) => {
          if (!req.url!.startsWith("/webhooks/")) return false;
          hits.push(`direct ${req.url}`);
          return true;
        },
      ],
    });
    s.serveGraphql((req) => void hits.push(`graphql ${req.url}`));
    for (const url of ["/webhooks/atrip/t", "/graphql", "/healthz"]) request(s.server, url);
    expect(hits).toEqual(["direct /webhooks/atrip/t", "graphql /graphql", "others /healthz"]);
  });

  it("keeps idle connections longer than load balancers do, with the headers timeout above it", () => {
    const { server } = createHttpServer(() => undefined, { keepAliveTimeoutMs: 65_000 });
    expect(server.keepAliveTimeout).toBe(65_000);
    expect(server.headersTimeout).toBe(66_000);
  });
});

describe("the operation meter", () => {
  it("an outcome is OK or the first error's code; an operation is counted once", () => {
    expect(outcomeOf(undefined)).toBe("OK");
    expect(outcomeOf([{ extensions: { code: "FORBIDDEN" } }, { extensions: { code: "BAD_USER_INPUT" } }])).toBe("FORBIDDEN");
    expect(outcomeOf([{}])).toBe("ERROR");
    const counted: Array<[string, string, number]> = [];
    const op = new MeteredOperation({ operation: (l, o, s) => void counted.push([l, o, s]) }, "voidQuote");
    op.answered([]);
    op.answered([{ extensions: { code: "VOID_OFFER_EXPIRED" } }]);
    op.end();
    op.end();
    expect(counted).toHaveLength(1);
    expect(counted[0]!.slice(0, 2)).toEqual(["voidQuote", "VOID_OFFER_EXPIRED"]);
    expect(counted[0]![2]).toBeGreaterThanOrEqual(0);
  });
});
