/**
 * The transports' side of trusted documents (src/trusted-documents/decide.ts decides). Both
 * sides act before the document is parsed:
 *
 * - HTTP: `trustedHttpRequest`, called once by the /graphql handler (src/server/graphql-http.ts)
 *   after the body is read and before Apollo: it answers a refused request itself (400
 *   PERSISTED_QUERY_NOT_IN_LIST), or replaces a manifest id with its document in the request
 *   it hands to Apollo, ahead of Apollo's APQ lookup and its parser.
 * - graphql-ws: `websocketDocument`, called from `onSubscribe` before `parse`.
 */
import { GraphQLError } from "graphql";
import type { Principal } from "../auth/index.js";
import { ConfigError } from "../config-kit.js";
import { decideDocument, NOT_IN_LIST, type DocumentRequest, type TrustedDocumentsMode } from "../trusted-documents/decide.js";
import type { TrustedDocuments } from "../trusted-documents/manifest.js";
import { errorBody } from "../vocabulary/errors.js";
import { UNKNOWN } from "./operation-label.js";
import { countRefused, type OperationCounter } from "./operation-meter.js";
import type { PreparedOperation, RefusedOperation } from "./prepare-operation.js";

/** The loaded manifests and what to do with documents outside them. */
export interface TrustedDocumentsPolicy {
  mode: TrustedDocumentsMode;
  documents: TrustedDocuments;
}

/**
 * Prepares every manifest operation as a request for it would be (the schema, GraphQL's rules,
 * the query limits, GRAPHQL_MAX_TOKENS), so an operation that could never run stops the start
 * with its file, name and reason, instead of failing each time an app release sends its id.
 * (Not for a federation subgraph: its manifests are written for the supergraph, docs/federation.md.)
 */
export function checkTrustedDocuments(
  policy: TrustedDocumentsPolicy,
  prepare: (query: unknown, operationName?: string | null) => PreparedOperation | RefusedOperation,
): void {
  for (const op of policy.documents.all()) {
    let prepared = prepare(op.body, op.name || undefined);
    // A hand-made manifest's name need not be its operation's: a client sends its own operationName.
    if ("refused" in prepared && prepared.refused.code === "OPERATION_RESOLUTION_FAILURE") prepared = prepare(op.body);
    if (!("refused" in prepared)) continue;
    const why = prepared.refused.errors.map((e) => e.message).join("; ");
    const where = op.source ? `${op.source}: ` : "";
    throw new ConfigError(
      "TRUSTED_DOCUMENTS",
      `${where}operation ${op.name || op.id} cannot run on this gateway (${prepared.refused.code}: ${why})`,
    );
  }
}

/** A GraphQL GET's `query` and `extensions` (JSON) from the URL's search; undefined where absent or not JSON. */
function getRequest(search: URLSearchParams): DocumentRequest {
  let extensions: unknown;
  try {
    extensions = JSON.parse(search.get("extensions") ?? "null");
  } catch {
    extensions = undefined;
  }
  return { query: search.get("query") ?? undefined, extensions };
}

function withoutPersistedQuery(extensions: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!extensions || !("persistedQuery" in extensions)) return extensions;
  const rest = { ...extensions };
  delete rest.persistedQuery;
  return rest;
}

/** An HTTP GraphQL request as the /graphql handler hands it to Apollo: the parsed POST body and the URL's search ("?…" or ""). */
export interface HttpGraphQLInput {
  body: unknown;
  search: string;
}

/**
 * Decides an HTTP request once, before Apollo parses anything: a refusal (safelist mode; counted
 * in the operation metrics) to answer with, or the request to run — with a manifest id replaced
 * by its manifest's document (POST and GET alike), so Apollo's APQ lookup never sees the id.
 */
export function trustedHttpRequest(
  policy: TrustedDocumentsPolicy,
  counter: OperationCounter,
  method: string | undefined,
  input: HttpGraphQLInput,
  principal: Principal | null | undefined,
): { refused: { status: number; body: unknown } } | HttpGraphQLInput {
  const search = new URLSearchParams(input.search);
  const post = method === "POST";
  const request: DocumentRequest = post ? ((input.body ?? {}) as DocumentRequest) : getRequest(search);
  // A JSON array is a batch, which the gateway does not accept; Apollo answers it.
  if (Array.isArray(request)) return input;
  const d = decideDocument(request, principal, policy.documents, policy.mode);
  if (d.action === "refuse") {
    countRefused(counter, UNKNOWN, NOT_IN_LIST);
    return { refused: { status: 400, body: errorBody(d.message, NOT_IN_LIST) } };
  }
  if (d.action !== "use") return input;
  const extensions = withoutPersistedQuery(request.extensions as Record<string, unknown> | undefined);
  if (post) {
    // No `extensions` key unless there are extensions: Apollo refuses an `extensions` that is not an object.
    const body: Record<string, unknown> = { ...(input.body as object), query: d.query, extensions };
    if (extensions === undefined) delete body.extensions;
    return { body, search: input.search };
  }
  search.set("query", d.query);
  if (extensions && Object.keys(extensions).length) search.set("extensions", JSON.stringify(extensions));
  else search.delete("extensions");
  return { body: input.body, search: `?${search.toString()}` };
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
