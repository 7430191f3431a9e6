/**
 * What to do with one GraphQL request's document, given the trusted documents and the caller:
 * a pure function, so every transport (Apollo over HTTP, graphql-ws, or whatever serves
 * /graphql next) asks the same question before anything is parsed.
 *
 * - `off`: the request goes on as sent (automatic persisted queries included).
 * - `allow`: an id from a manifest (`extensions.persistedQuery.sha256Hash`) runs that
 *   manifest's document; anything else goes on as sent, so APQ and free-form documents work.
 * - `safelist`: only manifest documents run — by id, or a body that is byte for byte a
 *   manifest's. Any other document, and an unknown id, is refused: nothing is parsed and no
 *   supplier is called. Callers whose credential carries the `documents:any` scope (Apollo
 *   Sandbox, internal tools) are treated as in `allow`.
 */
import type { ErrorCode } from "../vocabulary/errors.js";
import { sha256Hex } from "../auth/api-keys.js";
import type { TrustedDocuments } from "./manifest.js";

export const TRUSTED_DOCUMENTS_MODES = ["off", "allow", "safelist"] as const;
export type TrustedDocumentsMode = (typeof TRUSTED_DOCUMENTS_MODES)[number];

/** The parts of a GraphQL request (HTTP body or graphql-ws subscribe payload) looked at. */
export interface DocumentRequest {
  query?: unknown;
  extensions?: unknown;
}

/** What the caller's credential says about documents. */
export interface DocumentCaller {
  /** True for credentials allowed free-form documents in safelist mode. */
  freeformDocuments?: boolean;
}

export type DocumentDecision =
  /** Leave the request as it is. */
  | { action: "pass" }
  /** Run this manifest document (and drop `extensions.persistedQuery`: it has been resolved). */
  | { action: "use"; id: string; query: string }
  /** Refuse with PERSISTED_QUERY_NOT_IN_LIST. */
  | { action: "refuse"; message: string };

/** The error code of a refusal (docs/errors.md). */
export const NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST" satisfies ErrorCode;

/** `extensions.persistedQuery.sha256Hash`, when it is a string. */
function persistedQueryHash(extensions: unknown): string | undefined {
  if (extensions === null || typeof extensions !== "object") return undefined;
  const pq = (extensions as { persistedQuery?: unknown }).persistedQuery;
  if (pq === null || typeof pq !== "object") return undefined;
  const hash = (pq as { sha256Hash?: unknown }).sha256Hash;
  return typeof hash === "string" ? hash : undefined;
}

export function decideDocument(
  request: DocumentRequest,
  caller: DocumentCaller | null | undefined,
  documents: TrustedDocuments,
  mode: TrustedDocumentsMode,
): DocumentDecision {
  if (mode === "off") return { action: "pass" };
  const hash = persistedQueryHash(request.extensions);
  const byId = hash === undefined ? undefined : documents.get(hash);
  if (byId) return { action: "use", id: byId.id, query: byId.body };
  if (mode === "allow" || caller?.freeformDocuments) return { action: "pass" };
  if (hash !== undefined) {
    return {
      action: "refuse",
      message: `Operation ${JSON.stringify(hash.slice(0, 64))} is not in this gateway's trusted documents (the operation manifests of supported app releases)`,
    };
  }
  if (typeof request.query === "string") {
    const byBody = documents.get(sha256Hex(request.query));
    if (byBody) return { action: "use", id: byBody.id, query: byBody.body };
    return {
      action: "refuse",
      message:
        "This gateway runs only trusted documents: send the id of an operation from your app's manifest in extensions.persistedQuery.sha256Hash",
    };
  }
  // No document at all: nothing to parse; the server answers its own BAD_REQUEST.
  return { action: "pass" };
}
