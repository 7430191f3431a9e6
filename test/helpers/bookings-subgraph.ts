/**
 * A second subgraph written for the supergraph test: a bookings service whose Booking
 * references the gateway's Order entity by its key (supplier orderNo). Apollo Server with
 * @apollo/subgraph, on its own port.
 */
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { startStandaloneServer } from "@apollo/server/standalone";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";

export const BOOKINGS_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

  enum Supplier { ATRIP ALITRIP CTT }

  "A booking in the bookings service; its order lives in the post-booking gateway"
  type Booking @key(fields: "id") {
    id: ID!
    traveller: String!
    order: Order!
  }

  type Order @key(fields: "supplier orderNo", resolvable: false) {
    supplier: Supplier!
    orderNo: String!
  }

  type Query {
    booking(id: ID!): Booking
  }
`;

export interface BookingRow {
  id: string;
  traveller: string;
  supplier: string;
  orderNo: string;
}

export async function startBookingsSubgraph(bookings: BookingRow[]): Promise<{ url: string; stop(): Promise<void> }> {
  const byId = new Map(bookings.map((b) => [b.id, b]));
  const schema = buildSubgraphSchema({
    typeDefs: parse(BOOKINGS_SDL),
    resolvers: {
      Query: { booking: (_: unknown, { id }: { id: string }) => byId.get(id) ?? null },
      Booking: {
        __resolveReference: (ref: { id: string }) => byId.get(ref.id) ?? null,
        order: (b: BookingRow) => ({ supplier: b.supplier, orderNo: b.orderNo }),
      },
    },
  });
  const server = new ApolloServer({ schema, plugins: [ApolloServerPluginInlineTraceDisabled()] });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: "127.0.0.1" } });
  return { url, stop: () => server.stop() };
}
