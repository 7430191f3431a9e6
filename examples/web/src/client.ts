/**
 * The web app's Apollo Client: queries and mutations over HTTP, subscriptions over a
 * websocket (GraphQLWsLink, graphql-ws) or — the simpler setup — over HTTP too, where Apollo
 * Client's plain HttpLink speaks Apollo's multipart subscription protocol with no extra link
 * and no websocket library. Every operation is sent by its id from the app's operation
 * manifest (`@apollo/persisted-query-lists`), so a gateway with trusted documents in safelist
 * mode runs it. No browser API is used here, so a test runs the same client in Node (passing
 * `webSocketImpl`).
 */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { getMainDefinition } from "@apollo/client/utilities";
import {
  generatePersistedQueryIdsFromManifest,
  type PersistedQueryManifestForGeneratingPersistedQueryIds,
} from "@apollo/persisted-query-lists";
import { createClient, type Client } from "graphql-ws";

export interface GatewayClientOptions {
  /** The gateway's /graphql URL (http or https; the websocket URL is derived from it). */
  url: string;
  /** An API key or JWT; none for the anonymous demo. */
  token?: string;
  /** The app release's operation manifest (as the generator wrote it). */
  loadManifest: () => Promise<PersistedQueryManifestForGeneratingPersistedQueryIds>;
  /** A WebSocket implementation where there is no global one (Node 20). */
  webSocketImpl?: unknown;
  /** Told when the websocket is connected (acknowledged). */
  onConnected?: () => void;
  /** How subscriptions travel: a websocket (GraphQLWsLink), or HTTP (the plain HttpLink, multipart). @default "websocket" */
  subscriptions?: "websocket" | "http";
}

export interface GatewayClient {
  apollo: ApolloClient;
  /** The websocket client; none when subscriptions travel over HTTP. */
  ws?: Client;
}

export function createGatewayClient(o: GatewayClientOptions): GatewayClient {
  const authorization = o.token ? `Bearer ${o.token}` : undefined;
  const http = new HttpLink({ uri: o.url, headers: authorization ? { authorization } : {} });
  const persisted = new PersistedQueryLink(generatePersistedQueryIdsFromManifest({ loadManifest: o.loadManifest }));
  const apolloWith = (link: ApolloLink) =>
    new ApolloClient({
      link: persisted.concat(link),
      cache: new InMemoryCache(),
      defaultOptions: { query: { fetchPolicy: "no-cache" }, mutate: { fetchPolicy: "no-cache" } },
    });
  if (o.subscriptions === "http") return { apollo: apolloWith(http) };
  const ws = createClient({
    url: o.url.replace(/^http/, "ws"),
    connectionParams: authorization ? { authorization } : {},
    ...(o.webSocketImpl ? { webSocketImpl: o.webSocketImpl } : {}),
    on: { connected: () => o.onConnected?.() },
  });
  const transport = ApolloLink.split(
    ({ query }) => {
      const def = getMainDefinition(query);
      return def.kind === "OperationDefinition" && def.operation === "subscription";
    },
    new GraphQLWsLink(ws),
    http,
  );
  return { apollo: apolloWith(transport), ws };
}
