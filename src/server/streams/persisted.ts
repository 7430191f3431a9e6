/**
 * Automatic persisted queries on the HTTP streams (docs/clients.md): a subscription sent with
 * its document and `extensions.persistedQuery.sha256Hash` (in a POST body or a GET's URL) is remembered in the same cache as
 * Apollo's own APQ (src/server/app.ts hands both one cache, under Apollo's `apq:` prefix), so
 * the hash alone then opens the stream, as it runs a query. As Apollo, only a document that
 * validates is remembered. A hash that does not match its
 * document is refused as Apollo refuses it; a hash alone that the cache does not know is left
 * for the transport, which answers PERSISTED_QUERY_NOT_FOUND as Apollo does.
 */
import { createHash } from "node:crypto";
import type { KeyValueCache } from "@apollo/utils.keyvaluecache";
import { isJsonObject } from "../body.js";

/** Apollo Server's prefix for APQ entries in the cache it is given (requestPipeline.js `APQ_CACHE_PREFIX`). */
const PREFIX = "apq:";

/** A body with its document filled in from the cache where it sent a known hash alone; or why it is refused. */
export type PersistedBody = { body: unknown } | { refused: { message: string } };

/** The version-1 hash a POST body carries, if any. */
export function persistedHash(body: unknown): string | undefined {
  if (!isJsonObject(body) || !isJsonObject(body.extensions) || !isJsonObject(body.extensions.persistedQuery)) return undefined;
  const { version, sha256Hash } = body.extensions.persistedQuery;
  return version === 1 && typeof sha256Hash === "string" ? sha256Hash : undefined;
}

/**
 * Resolves `body`'s persisted query against `cache`: registers a hash sent with its document
 * (when `valid` says the document runs), fills in a known one sent alone.
 */
export async function withPersistedQuery(
  cache: KeyValueCache<string>,
  body: unknown,
  valid: (query: string, operationName: unknown) => boolean,
): Promise<PersistedBody> {
  const hash = persistedHash(body);
  if (hash === undefined || !isJsonObject(body)) return { body };
  if (typeof body.query === "string") {
    if (createHash("sha256").update(body.query).digest("hex") !== hash)
      return { refused: { message: "provided sha does not match query" } };
    if (valid(body.query, body.operationName)) await cache.set(PREFIX + hash, body.query);
    return { body };
  }
  if (body.query !== undefined) return { body };
  const query = await cache.get(PREFIX + hash);
  return { body: query === undefined ? body : { ...body, query } };
}

/**
 * A GET's URL fields (`query`, `operationName`, `extensions` as JSON) as a POST body would carry
 * them, with its parameters to write a filled-in document back to; undefined when it names no
 * `extensions` (nothing persisted to look up) or they are not JSON (left to the transport to refuse).
 */
export function getAsBody(search: string): { body: Record<string, unknown>; params: URLSearchParams } | undefined {
  const params = new URLSearchParams(search);
  const extensions = params.get("extensions");
  if (extensions === null) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(extensions);
  } catch {
    return undefined;
  }
  const query = params.get("query");
  const operationName = params.get("operationName");
  return {
    body: { ...(query !== null ? { query } : {}), ...(operationName !== null ? { operationName } : {}), extensions: parsed },
    params,
  };
}
