/**
 * Which HTTP transport a request asks for, from its Accept header (issue 23):
 *
 * - `multipart/mixed` with `subscriptionSpec=1.0` (quoted or not, with or without a boundary):
 *   Apollo's multipart subscription protocol, as Apollo Client's HttpLink, Apollo iOS and Apollo
 *   Kotlin send it (`multipart/mixed;boundary="graphql";subscriptionSpec=1.0, application/json`).
 * - `text/event-stream`: the graphql-sse protocol (distinct connections mode).
 *
 * The header's preference decides, as GraphQL over HTTP asks ("the highest priority media type
 * listed"): a stream only when it weighs more than every JSON type the client also accepts, or
 * as much and is listed first. urql lists `application/graphql-response+json, …, application/json,
 * text/event-stream, multipart/mixed` on every query and mutation: those get JSON from Apollo.
 * A range with `q=0` is refused by the client and skipped. Anything else (plain JSON,
 * `multipart/mixed;deferSpec=…`) is Apollo's as before.
 */
import type { HttpStreamTransport } from "../../metrics.js";
import { mediaRanges } from "../accept.js";

/** Media types of a plain JSON answer (Apollo's). */
const JSON_TYPES = new Set(["application/graphql-response+json", "application/json", "application/graphql+json"]);

/** The stream transport `accept` asks for, or undefined for a plain request. */
export function streamTransportOf(accept: string | undefined): HttpStreamTransport | undefined {
  if (!accept) return undefined;
  // The client's favourite stream and favourite JSON type: the highest weight, the first listed of equals.
  let stream: { transport: HttpStreamTransport; q: number } | undefined;
  let json: { q: number; before: boolean } | undefined;
  for (const { type, params, q } of mediaRanges(accept)) {
    if (!(q > 0)) continue;
    if (JSON_TYPES.has(type)) {
      if (!json || q > json.q) json = { q, before: !stream || stream.q < q };
      continue;
    }
    const transport =
      type === "text/event-stream"
        ? "sse"
        : type === "multipart/mixed" && params.get("subscriptionspec") === "1.0"
          ? "multipart"
          : undefined;
    if (transport && (!stream || q > stream.q)) stream = { transport, q };
  }
  if (!stream) return undefined;
  if (!json) return stream.transport;
  return stream.q > json.q || (stream.q === json.q && !json.before) ? stream.transport : undefined;
}
