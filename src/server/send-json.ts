/** The one way a node:http route answers with JSON: status, `application/json; charset=utf-8`, the body. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { mediaRanges } from "./accept.js";

export function sendJson(res: ServerResponse, status: number, body: unknown, contentType = "application/json; charset=utf-8"): void {
  res.statusCode = status;
  res.setHeader("content-type", contentType);
  res.end(JSON.stringify(body));
}

/**
 * The media type of a GraphQL answer the gateway writes itself (a refusal before Apollo runs):
 * `application/graphql-response+json` when the client accepts it at least as much as
 * `application/json` (GraphQL over HTTP; Apollo Client reads the errors of a 4xx only then),
 * else `application/json`, as Apollo Server chooses for its own answers.
 */
export function graphqlJsonType(accept: string | undefined): string {
  if (accept) {
    const q = new Map(mediaRanges(accept).map((r) => [r.type, r.q]));
    const preferred = q.get("application/graphql-response+json") ?? 0;
    const json = Math.max(q.get("application/json") ?? 0, q.get("application/*") ?? 0, q.get("*/*") ?? 0);
    if (preferred > 0 && preferred >= json) return "application/graphql-response+json; charset=utf-8";
  }
  return "application/json; charset=utf-8";
}

/** A GraphQL-shaped JSON answer to `req`, in the JSON type it prefers (graphqlJsonType). */
export function sendGraphqlJson(req: IncomingMessage | undefined, res: ServerResponse, status: number, body: unknown): void {
  sendJson(res, status, body, graphqlJsonType(req?.headers.accept));
}
