/**
 * The floor the gateway's fixed cost is measured against (issue 14): the same voidQuote
 * operation the bench sends the gateway, answered by one trivial resolver (a constant quote,
 * no supplier call) — through bare Apollo Server 5 on node:http (`startStandaloneServer`),
 * through Apollo Server 5 on express 5, or plain node:http answering a constant JSON body (no
 * GraphQL at all). And the bare hop (issue 24): plain node:http that forwards each request as
 * the same voidQuotation.do to the supplier stand-in with undici `request` (gzip asked for),
 * gunzips and parses the reply and answers its figures as JSON — the supplier hop with no
 * GraphQL, no auth, no validation. Between them, graphql-js with no server framework: node:http,
 * the document parsed and validated once and kept, `execute` per request — answering the
 * constant (`graphql-js`), or with the bare hop's call in the resolver (`graphql-hop`): what
 * GraphQL itself adds to the hop, without Apollo Server's pipeline. Run by bench/overhead.ts as
 * a child process: `node dist/bench/floor-server.js apollo-http|apollo-express|node-http|graphql-js|bare-hop|graphql-hop
 * [direct request as JSON]`.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import { buildSchema, execute, parse, validate, type DocumentNode } from "graphql";
import { Agent, request } from "undici";

const kind = process.argv[2] ?? "apollo-http";
const typeDefs = `
  enum Supplier { ATRIP ALITRIP CTT }
  input VoidQuoteInput { supplier: Supplier!, orderNo: String! }
  type VoidFare { currency: String!, originalAmount: String!, estimatedRefund: String! }
  type VoidQuote { orderNo: String!, voidOfferId: String, fare: VoidFare }
  type Query { hello: String }
  type Mutation { voidQuote(input: VoidQuoteInput!): VoidQuote! }
`;
const quote = {
  orderNo: "ATR-VOID-DEPOSIT",
  voidOfferId: "v_floor",
  fare: { currency: "CNY", originalAmount: "1280.50", estimatedRefund: "1180.50" },
};
const resolvers = { Query: { hello: () => "world" }, Mutation: { voidQuote: () => quote } };

/** The bench's direct request (URL, body, headers): the supplier's call is named in one place, bench/overhead.ts. */
type DirectRequest = { url: string; body: string; headers: Record<string, string> };

/** The supplier call of the bare hop: voidQuotation.do over undici, gunzipped and parsed. */
function supplierCall(target: DirectRequest): () => Promise<unknown> {
  const dispatcher = new Agent({ keepAliveTimeout: 60_000, connections: 64 });
  const headers = { "content-type": "application/json", ...target.headers };
  return async () => {
    const answer = await request(target.url, { method: "POST", dispatcher, headers, body: target.body });
    const raw = Buffer.from(await answer.body.arrayBuffer());
    return JSON.parse((answer.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw).toString());
  };
}

/** node:http → undici → gunzip → JSON, and back: the hop a gateway cannot go below. */
function bareHop(target: DirectRequest): http.Server {
  const call = supplierCall(target);
  return http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      void (async () => {
        const body = JSON.stringify({ data: { voidQuote: await call() } });
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
        res.end(body);
      })().catch((err: unknown) => {
        res.writeHead(502).end(String(err));
      });
    });
  });
}

/** node:http → JSON body → graphql-js `execute` (documents parsed and validated once) → JSON. */
function graphqlJs(voidQuote: () => unknown): http.Server {
  const schema = buildSchema(typeDefs);
  const documents = new Map<string, DocumentNode>();
  const rootValue = { voidQuote, hello: () => "world" };
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const { query, variables } = JSON.parse(Buffer.concat(chunks).toString()) as { query: string; variables?: Record<string, unknown> };
        let document = documents.get(query);
        if (!document) {
          document = parse(query);
          const errors = validate(schema, document);
          if (errors.length > 0) throw new Error(errors[0].message);
          documents.set(query, document);
        }
        const body = JSON.stringify(await execute({ schema, document, rootValue, variableValues: variables }));
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
        res.end(body);
      })().catch((err: unknown) => {
        res.writeHead(500).end(String(err));
      });
    });
  });
}

async function start(): Promise<string> {
  if (kind === "graphql-js" || kind === "graphql-hop") {
    // With the hop, the resolver answers the constant once the supplier's reply is in and parsed:
    // the bare hop maps nothing either, and the supplier's field names stay in its datasource.
    const call = kind === "graphql-hop" ? supplierCall(JSON.parse(process.argv[3] ?? "{}") as DirectRequest) : undefined;
    const server = graphqlJs(
      call
        ? async () => {
            await call();
            return quote;
          }
        : () => quote,
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  }
  if (kind === "bare-hop") {
    const server = bareHop(JSON.parse(process.argv[3] ?? "{}") as DirectRequest);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  }
  if (kind === "node-http") {
    const body = JSON.stringify({
      data: { voidQuote: { voidOfferId: quote.voidOfferId, fare: { originalAmount: quote.fare.originalAmount } } },
    });
    const server = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
        res.end(body);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  }
  const apollo = new ApolloServer({ typeDefs, resolvers });
  if (kind === "apollo-http") {
    const { url } = await startStandaloneServer(apollo, { listen: { port: 0, host: "127.0.0.1" } });
    return `${url.replace(/\/$/, "")}/graphql`;
  }
  await apollo.start();
  const app = express();
  app.use("/graphql", express.json(), expressMiddleware(apollo));
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

console.log(`FLOOR ${await start()}`);
process.on("SIGTERM", () => process.exit(0));
