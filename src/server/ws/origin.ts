/**
 * CORS_ORIGINS for the websocket. Browsers apply CORS to HTTP requests only: any page may
 * open a websocket to any host, and the handshake carries the page's `Origin`. So with
 * CORS_ORIGINS set, a handshake from a browser origin outside the list is refused (HTTP 403)
 * before graphql-ws sees the socket; a page from an origin not allowed reads nothing, over
 * HTTP or the websocket. Clients that are not browsers send no Origin and are unaffected.
 */
import type { IncomingMessage } from "node:http";

export type VerifyClient = (
  info: { origin: string; secure: boolean; req: IncomingMessage },
  callback: (ok: boolean, code?: number, message?: string, headers?: Record<string, string>) => void,
) => void;

/** A `ws` `verifyClient` for these origins; undefined (any origin) when there is no list. */
export function verifyOrigin(allowed: readonly string[] | undefined): VerifyClient | undefined {
  if (!allowed) return undefined;
  const set = new Set(allowed);
  return ({ origin }, callback) => {
    if (!origin || set.has(origin)) callback(true);
    else callback(false, 403, "Forbidden: origin not allowed (CORS_ORIGINS)");
  };
}
