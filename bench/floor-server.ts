/**
 * The floor the gateway's fixed cost is measured against (issue 14): the same voidQuote
 * operation the bench sends the gateway, answered by one trivial resolver (a constant quote,
 * no supplier call) — through bare Apollo Server 5 on node:http (`startStandaloneServer`),
 * through Apollo Server 5 on express 5, or plain node:http answering a constant JSON body (no
 * GraphQL at all). And the bare hop (issue 24): plain node:http that forwards each request as
 * the same voidQuotation.do to the supplier stand-in with undici `request` (gzip asked for),
 * gunzips and parses the reply and answers its figures as JSON — the supplier hop with no
 * GraphQL, no auth, no validation. Run by bench/overhead.ts as a child process:
 * `node dist/bench/floor-server.js apollo-http|apollo-express|node-http|bare-hop [supplier URL]`.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import { Agent, request } from "undici";
import { BENCH_ATRIP } from "./gateway-client.js";

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

/** node:http → undici → gunzip → JSON, and back: the hop a gateway cannot go below. */
function bareHop(supplierUrl: string): http.Server {
  const dispatcher = new Agent({ keepAliveTimeout: 60_000, connections: 64 });
  const headers = {
    "content-type": "application/json",
    "accept-encoding": "gzip",
    "x-atlas-client-id": BENCH_ATRIP.clientId,
    "x-atlas-client-secret": BENCH_ATRIP.clientSecret,
  };
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const { query } = JSON.parse(Buffer.concat(chunks).toString()) as { query: string };
      const orderNo = /orderNo: "([^"]+)"/.exec(query)?.[1] ?? "";
      void (async () => {
        const answer = await request(`${supplierUrl}/voidQuotation.do`, {
          method: "POST",
          dispatcher,
          headers,
          body: JSON.stringify({ orderNo }),
        });
        const raw = Buffer.from(await answer.body.arrayBuffer());
        const text = (answer.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw).toString();
        const reply = JSON.parse(text) as { voidOfferId?: string; serviceFee?: unknown };
        const body = JSON.stringify({
          data: { voidQuote: { voidOfferId: reply.voidOfferId ?? null, fare: { originalAmount: String(reply.serviceFee) } } },
        });
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
        res.end(body);
      })().catch((err: unknown) => {
        res.writeHead(502).end(String(err));
      });
    });
  });
}

async function start(): Promise<string> {
  if (kind === "bare-hop") {
    const server = bareHop(process.argv[3] ?? "");
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
