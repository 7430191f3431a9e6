/**
 * The transports' side of trusted documents (src/trusted-documents/decide.ts decides): an
 * Apollo plugin for HTTP and a function for graphql-ws's `onSubscribe`. Both run before the
 * document is parsed. The plugin works in `requestDidStart`, which Apollo runs before its
 * APQ lookup and its parser whatever serves the HTTP request (express today), so it does not
 * depend on how /graphql is mounted.
 */
import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError } from "graphql";
import type { Principal } from "../auth/index.js";
import type { Metrics } from "../metrics.js";
import { decideDocument, NOT_IN_LIST, type DocumentRequest, type TrustedDocumentsMode } from "../trusted-documents/decide.js";
import type { TrustedDocuments } from "../trusted-documents/manifest.js";
import { UNKNOWN } from "./operation-label.js";

/** The loaded manifests and what to do with documents outside them. */
export interface TrustedDocumentsPolicy {
  mode: TrustedDocumentsMode;
  documents: TrustedDocuments;
}

function refusal(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: NOT_IN_LIST, http: { status: 400 } } });
}

function withoutPersistedQuery(extensions: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!extensions || !("persistedQuery" in extensions)) return extensions;
  const rest = { ...extensions };
  delete rest.persistedQuery;
  return rest;
}

/**
 * Resolves manifest ids to their documents and, in safelist mode, refuses any other document
 * with HTTP 400 PERSISTED_QUERY_NOT_IN_LIST before Apollo parses (or looks up APQ) anything.
 */
export function trustedDocumentsPlugin<C extends { principal: Principal | null }>(policy: TrustedDocumentsPolicy, metrics: Metrics): ApolloServerPlugin<C> {
  return {
    async requestDidStart(rc) {
      const d = decideDocument(rc.request, rc.contextValue.principal, policy.documents, policy.mode);
      if (d.action === "refuse") {
        metrics.operation(UNKNOWN, NOT_IN_LIST, 0);
        throw refusal(d.message);
      }
      if (d.action === "use") {
        rc.request.query = d.query;
        rc.request.extensions = withoutPersistedQuery(rc.request.extensions);
      }
    },
  };
}

/**
 * For graphql-ws `onSubscribe`: the document to parse, or the errors to answer with. A
 * manifest id is enough (Apollo's GraphQLWsLink sends the text too; the manifest's is run).
 */
export function websocketDocument(
  payload: DocumentRequest,
  principal: Principal | null | undefined,
  policy: TrustedDocumentsPolicy,
  metrics: Metrics,
): { query: unknown } | { errors: GraphQLError[] } {
  const d = decideDocument(payload, principal, policy.documents, policy.mode);
  if (d.action === "refuse") {
    metrics.operation(UNKNOWN, NOT_IN_LIST, 0);
    return { errors: [new GraphQLError(d.message, { extensions: { code: NOT_IN_LIST } })] };
  }
  return { query: d.action === "use" ? d.query : payload.query };
}
