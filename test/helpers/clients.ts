/** Real GraphQL clients for end-to-end tests: Apollo Client over HTTP and graphql-ws over a websocket. */
import { ApolloClient, HttpLink, InMemoryCache } from "@apollo/client";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

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
