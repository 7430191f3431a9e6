/**
 * The transports' side of trusted documents (src/trusted-documents/decide.ts decides). Both
 * sides act before the document is parsed:
 *
 * - HTTP: `trustedDocumentsRefusal`, called by the /graphql handler (src/server/graphql-http.ts)
 *   after the body is read and before Apollo, answers a refused request itself (400
 *   PERSISTED_QUERY_NOT_IN_LIST), and `trustedDocumentsPlugin` replaces a manifest id with its
 *   document in `requestDidStart`, which Apollo runs before its APQ lookup and its parser.
 *   (Apollo turns an error thrown from `requestDidStart` into a 500, so the refusal cannot
 *   live in the plugin.) Both decide on the request as sent.
 * - graphql-ws: `websocketDocument`, called from `onSubscribe` before `parse`.
 */
import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError } from "graphql";
import type { Principal } from "../auth/index.js";
import { decideDocument, NOT_IN_LIST, type DocumentRequest, type TrustedDocumentsMode } from "../trusted-documents/decide.js";
import type { TrustedDocuments } from "../trusted-documents/manifest.js";
import { errorBody } from "./error-codes.js";
import { UNKNOWN } from "./operation-label.js";
import { countRefused, type OperationCounter } from "./operation-meter.js";

/** The loaded manifests and what to do with documents outside them. */
export interface TrustedDocumentsPolicy {
  mode: TrustedDocumentsMode;
  documents: TrustedDocuments;
}

/** The HTTP answer to a refused request, or undefined when the request may go on. */
export function httpRefusal(
  request: DocumentRequest,
  principal: Principal | null | undefined,
  policy: TrustedDocumentsPolicy,
): { status: number; body: unknown } | undefined {
  const d = decideDocument(request, principal, policy.documents, policy.mode);
  if (d.action !== "refuse") return undefined;
  return { status: 400, body: errorBody(d.message, NOT_IN_LIST) };
}

/** A GraphQL GET's `query` and `extensions` (JSON) from the URL; undefined where absent or not JSON. */
function getRequest(url: string): DocumentRequest {
  const at = url.indexOf("?");
  const search = new URLSearchParams(at < 0 ? "" : url.slice(at + 1));
  let extensions: unknown;
  try {
    extensions = JSON.parse(search.get("extensions") ?? "null");
  } catch {
    extensions = undefined;
  }
  return { query: search.get("query") ?? undefined, extensions };
}

/**
 * The refusal of an HTTP request whose document is not trusted (safelist mode), or undefined
 * when it may go on; counted in the operation metrics. `body` is the parsed POST body.
 */
export function trustedDocumentsRefusal(
  policy: TrustedDocumentsPolicy,
  counter: OperationCounter,
  method: string | undefined,
  url: string | undefined,
  body: unknown,
  principal: Principal | null | undefined,
): { status: number; body: unknown } | undefined {
  const request: DocumentRequest = method === "POST" ? ((body ?? {}) as DocumentRequest) : getRequest(url ?? "");
  // A JSON array is a batch, which the gateway does not accept; Apollo answers it.
  const refused = Array.isArray(request) ? undefined : httpRefusal(request, principal, policy);
  if (refused) countRefused(counter, UNKNOWN, NOT_IN_LIST);
  return refused;
}

function withoutPersistedQuery(extensions: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!extensions || !("persistedQuery" in extensions)) return extensions;
  const rest = { ...extensions };
  delete rest.persistedQuery;
  return rest;
}

/** Apollo: a manifest id becomes its manifest's document (POST and GET alike), before APQ and parsing. */
export function trustedDocumentsPlugin<C extends { principal: Principal | null }>(policy: TrustedDocumentsPolicy): ApolloServerPlugin<C> {
  return {
    async requestDidStart(rc) {
      const d = decideDocument(rc.request, rc.contextValue.principal, policy.documents, policy.mode);
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
): { query: unknown } | { errors: GraphQLError[] } {
  const d = decideDocument(payload, principal, policy.documents, policy.mode);
  if (d.action === "refuse") return { errors: [new GraphQLError(d.message, { extensions: { code: NOT_IN_LIST } })] };
  return { query: d.action === "use" ? d.query : payload.query };
}
