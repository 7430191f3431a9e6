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
 *   The page is built once, on first use, and sent gzipped (2.4 MB instead of 9 MB), with an
 *   ETag and `cache-control: no-cache`, so a browser that has it revalidates (304) instead of
 *   fetching it again.
 * - `off`: no page; GET /graphql without a query is refused like any bad request.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
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

/** A large page as it is sent: gzipped once, with a validator per encoding for conditional requests. */
interface PageEntity {
  html: string;
  gzip: Buffer;
  /** The page's ETag as sent uncompressed, and as sent gzipped (RFC 9110: each encoding its own). */
  etag: string;
  gzipEtag: string;
}
let entity: PageEntity | undefined;

/** `html` (the explorer's page is the same string every time) gzipped and tagged, once. */
function pageEntity(html: string): PageEntity {
  if (entity?.html !== html) {
    const tag = createHash("sha256").update(html).digest("base64url");
    entity = { html, gzip: gzipSync(html), etag: `"${tag}"`, gzipEtag: `"${tag}-gzip"` };
  }
  return entity;
}

/** What the startup banner says GET /graphql shows a browser. */
export function explorerHint(explorer: Explorer): string {
  return explorer === "off" ? "" : `  (open it in a browser for ${explorer === "sandbox" ? "Apollo Sandbox" : "GraphiQL"})`;
}

/**
 * The explorer's page, megabytes of HTML the same for everyone (graphql-http.ts hands it over): gzipped once,
 * revalidated by its ETag (304), `Vary` kept as CORS set it (Origin) plus Accept-Encoding.
 */
export function sendExplorerPage(req: IncomingMessage, res: ServerResponse, page: string): void {
  const entity = pageEntity(page);
  const gzip = /\bgzip\b/.test(String(req.headers["accept-encoding"]));
  const etag = gzip ? entity.gzipEtag : entity.etag;
  const vary = [res.getHeader("vary") ?? []].flat().map(String).filter(Boolean);
  res.setHeader("vary", [...vary, "Accept-Encoding"].join(", "));
  res.setHeader("etag", etag);
  res.setHeader("cache-control", "no-cache");
  if (req.headers["if-none-match"]?.split(/\s*,\s*/).includes(etag)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  if (!gzip) return void res.end(page);
  res.setHeader("content-encoding", "gzip");
  res.end(entity.gzip);
}
