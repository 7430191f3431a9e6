/**
 * The web client's setup, runnable in Node: Apollo Client with an HTTP link for queries and
 * mutations and a GraphQLWsLink (graphql-ws) for subscriptions, split by operation type.
 * It quotes and voids a demo order and prints every status change until the void is final.
 *
 *   GATEWAY_URL=http://localhost:4000/graphql [GATEWAY_TOKEN=…] [ORDER_NO=ATR-VOID-DEPOSIT-7] node dist/examples/follow-void.js
 */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { getMainDefinition } from "@apollo/client/utilities";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const url = process.env.GATEWAY_URL ?? "http://localhost:4000/graphql";
const token = process.env.GATEWAY_TOKEN;
const orderNo = process.env.ORDER_NO ?? `ATR-VOID-DEPOSIT-${Date.now()}`;
const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};

const wsClient = createClient({
  url: url.replace(/^http/, "ws"),
  // In a browser, leave webSocketImpl out: the global WebSocket is used.
  webSocketImpl: WebSocket,
  connectionParams: token ? { authorization: `Bearer ${token}` } : {},
});

const link = ApolloLink.split(
  ({ query }) => {
    const def = getMainDefinition(query);
    return def.kind === "OperationDefinition" && def.operation === "subscription";
  },
  new GraphQLWsLink(wsClient),
  new HttpLink({ uri: url, headers }),
);
const client = new ApolloClient({ link, cache: new InMemoryCache() });

const QUOTE = gql`
  mutation Quote($orderNo: String!) {
    voidQuote(input: { supplier: ATRIP, orderNo: $orderNo }) {
      voidOfferId
      fare {
        currency
        estimatedRefund
      }
    }
  }
`;
const SUBMIT = gql`
  mutation Submit($orderNo: String!, $offer: String!, $key: String!) {
    submitVoid(input: { supplier: ATRIP, orderNo: $orderNo, voidOfferId: $offer, idempotencyKey: $key }) {
      voidCode
      status
    }
  }
`;
const FOLLOW = gql`
  subscription Follow($orderNo: String!) {
    voidStatusChanged(orderNo: $orderNo) {
      id
      status
      source
      isFinal
      voidOrder {
        voidCode
        actualRefund {
          amount
          currency
        }
      }
    }
  }
`;

type Event = { id: string; status: string; source: string; isFinal: boolean; voidOrder: { voidCode: string } };

async function main(): Promise<void> {
  // Subscribe first, so no change is missed.
  const done = new Promise<void>((resolve, reject) => {
    const sub = client.subscribe<{ voidStatusChanged: Event }>({ query: FOLLOW, variables: { orderNo } }).subscribe({
      next: ({ data }) => {
        const e = data?.voidStatusChanged;
        if (!e) return;
        console.log(`event ${e.id}: ${e.status} (${e.source})${e.isFinal ? " final" : ""}`);
        if (e.isFinal) {
          sub.unsubscribe();
          resolve();
        }
      },
      error: reject,
    });
  });
  await new Promise((r) => setTimeout(r, 200));
  const { data: q } = await client.mutate<{ voidQuote: { voidOfferId: string; fare: { currency: string; estimatedRefund: string } } }>({
    mutation: QUOTE,
    variables: { orderNo },
  });
  console.log(`quote: ${q!.voidQuote.fare.estimatedRefund} ${q!.voidQuote.fare.currency} back, offer ${q!.voidQuote.voidOfferId}`);
  const { data: v } = await client.mutate<{ submitVoid: { voidCode: string; status: string } }>({
    mutation: SUBMIT,
    variables: { orderNo, offer: q!.voidQuote.voidOfferId, key: `void-${orderNo}` },
  });
  console.log(`submitted: ${v!.submitVoid.voidCode} ${v!.submitVoid.status}`);
  await done;
}

main()
  .then(async () => {
    await wsClient.dispose();
    process.exit(0);
  })
  .catch(async (err: unknown) => {
    console.error(err);
    await wsClient.dispose();
    process.exit(1);
  });
