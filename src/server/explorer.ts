/**
 * The explorer a browser gets on GET /graphql (EXPLORER; issue 25, item 5):
 *
 * - `sandbox` (the default): Apollo Sandbox, embedded. Its code comes from Apollo's CDN, so it
 *   needs a way out to the internet; it is what the README's first session shows.
 * - `graphiql`: GraphiQL served by the gateway itself — the page, its styles, its editor
 *   workers, all from the npm package `@graphql-yoga/render-graphiql` (GraphiQL prebuilt into
 *   one page), nothing from another host — so it works on a network with no way out.
 *   Subscriptions run over SSE on /graphql (the gateway's graphql-sse transport), with the
 *   headers typed in its header editor, so `Authorization` works for them as for queries.
 *   The page is built once, on first use, and sent gzipped (2.4 MB instead of 9 MB).
 * - `off`: no page; GET /graphql without a query is refused like any bad request.
 */
import { gzipSync } from "node:zlib";
import type { ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";

export type Explorer = "sandbox" | "graphiql" | "off";

/** The landing page plugin for `explorer`. */
export function explorerPlugin<C extends object>(explorer: Explorer): ApolloServerPlugin<C> {
  if (explorer === "off") return ApolloServerPluginLandingPageDisabled() as ApolloServerPlugin<C>;
  if (explorer === "sandbox")
    return ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }) as ApolloServerPlugin<C>;
  let page: Promise<string> | undefined;
  const render = async () => {
    const { renderGraphiQL } = await import("@graphql-yoga/render-graphiql");
    return renderGraphiQL({
      title: "Travel post-booking gateway",
      // Subscriptions over HTTP (text/event-stream) on this same endpoint, with the editor's headers.
      subscriptionsProtocol: "SSE",
      defaultQuery: "query Suppliers {\n  suppliers {\n    supplier\n    available\n  }\n}\n",
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    });
  };
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html: () => (page ??= render()) };
        },
      };
    },
  };
}

let compressed: { html: string; gzip: Buffer } | undefined;

/** A large HTML page gzipped, once (the explorer's page is the same string every time). */
export function gzippedPage(html: string): Buffer {
  if (compressed?.html !== html) compressed = { html, gzip: gzipSync(html) };
  return compressed.gzip;
}
