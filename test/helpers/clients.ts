/**
 * Real GraphQL clients for the tests: Apollo Client over HTTP (its plain HttpLink also follows
 * subscriptions, over Apollo's multipart protocol), graphql-ws over a websocket, graphql-sse.
 */
import { ApolloClient, gql, HttpLink, InMemoryCache } from "@apollo/client";
import { createFetchMultipartSubscription } from "@apollo/client/utilities/subscriptions/relay";
import { Client as UrqlClient, fetchExchange } from "@urql/core";
import { getOperationAST, parse } from "graphql";
import { createClient as createSseClient, type Client as SseClient } from "graphql-sse";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import type { RequestParameters } from "relay-runtime";
import type { Subscriber } from "./subscribe.js";

export function apolloClient(url: string, headers: Record<string, string> = {}): ApolloClient {
  return new ApolloClient({
    link: new HttpLink({ uri: url, headers }),
    cache: new InMemoryCache(),
    defaultOptions: { query: { fetchPolicy: "no-cache" }, mutate: { fetchPolicy: "no-cache" } },
  });
}

export function wsClient(url: string, connectionParams: Record<string, unknown> = {}): Client {
  return createClient({ url, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true });
}

/** Runs one operation over graphql-ws and resolves with its (single) result. */
export function wsRequest<T = Record<string, unknown>>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ data?: T | null; errors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }> }> {
  return new Promise((resolve, reject) => {
    let result: unknown;
    client.subscribe(
      { query, variables },
      {
        next: (r) => (result = r),
        error: reject,
        complete: () => resolve(result as never),
      },
    );
  });
}

/** The graphql-sse client (distinct connections mode), with `headers` on every request. */
export function sseClient(url: string, headers: Record<string, string> = {}): SseClient {
  return createSseClient({ url, headers, retryAttempts: 0 });
}

/**
 * Apollo Client's `subscribe` in the shape `collect` takes (./subscribe.ts). Over the plain
 * HttpLink it is Apollo's multipart protocol; its errors arrive as `error` (Apollo Client 4).
 */
export function apolloSubscriber(client: ApolloClient): Subscriber {
  return {
    subscribe(payload, sink) {
      const sub = client.subscribe({ query: gql(payload.query), variables: payload.variables }).subscribe({
        next: (r) => sink.next({ data: r.data ?? undefined, errors: r.error ? [r.error] : undefined }),
        error: (e: unknown) => sink.error(e),
        complete: () => sink.complete(),
      });
      return () => sub.unsubscribe();
    },
  };
}

/** urql with `fetchSubscriptions`: it asks for `text/event-stream, multipart/mixed` and gets SSE here. */
export function urqlSubscriber(url: string, headers: Record<string, string> = {}): Subscriber {
  const client = new UrqlClient({ url, exchanges: [fetchExchange], fetchSubscriptions: true, fetchOptions: { headers } });
  return {
    subscribe(payload, sink) {
      const sub = client.subscription(payload.query, payload.variables ?? {}).subscribe((r) => {
        sink.next({ data: r.data ?? undefined, errors: r.error ? [r.error] : undefined });
      });
      return () => sub.unsubscribe();
    },
  };
}

/** Relay's network layer through Apollo's multipart adapter (`createFetchMultipartSubscription`). */
export function relaySubscriber(url: string, headers: Record<string, string> = {}): Subscriber {
  const fetchSubscription = createFetchMultipartSubscription(url, { headers });
  return {
    subscribe(payload, sink) {
      const name = getOperationAST(parse(payload.query))?.name?.value ?? "";
      const operation = {
        name,
        text: payload.query,
        operationKind: "subscription",
        id: null,
        cacheID: name,
        metadata: {},
      } as RequestParameters;
      const sub = fetchSubscription(operation, payload.variables ?? {}).subscribe({
        next: (r) => sink.next({ data: "data" in r ? (r.data ?? undefined) : undefined, errors: "errors" in r ? r.errors : undefined }),
        error: (e: unknown) => sink.error(e),
        complete: () => sink.complete(),
      });
      return () => sub.unsubscribe();
    },
  };
}
