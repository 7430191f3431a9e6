/**
 * Which HTTP transport a subscription asks for, from its Accept header (issue 23):
 *
 * - `multipart/mixed` with `subscriptionSpec=1.0` (quoted or not, with or without a boundary):
 *   Apollo's multipart subscription protocol, as Apollo Client's HttpLink, Apollo iOS and Apollo
 *   Kotlin send it (`multipart/mixed;boundary="graphql";subscriptionSpec=1.0, application/json`).
 * - `text/event-stream`: the graphql-sse protocol (distinct connections mode).
 *
 * The first such media range in the header wins; one with `q=0` is refused by the client and
 * skipped. Anything else (plain JSON, `multipart/mixed;deferSpec=…`) is Apollo's as before.
 */
import type { HttpStreamTransport } from "../../metrics.js";

/** The media range's type and its parameters (names lower-cased, values unquoted). */
function mediaRange(range: string): { type: string; params: Map<string, string> } {
  const [type = "", ...rest] = range.split(";");
  const params = new Map<string, string>();
  for (const p of rest) {
    const at = p.indexOf("=");
    if (at < 0) continue;
    params.set(
      p.slice(0, at).trim().toLowerCase(),
      p
        .slice(at + 1)
        .trim()
        .replace(/^"(.*)"$/, "$1"),
    );
  }
  return { type: type.trim().toLowerCase(), params };
}

/** The stream transport `accept` asks for, or undefined for a plain request. */
export function streamTransportOf(accept: string | undefined): HttpStreamTransport | undefined {
  if (!accept) return undefined;
  for (const range of accept.split(",")) {
    const { type, params } = mediaRange(range);
    if (params.get("q") !== undefined && Number(params.get("q")) === 0) continue;
    if (type === "text/event-stream") return "sse";
    if (type === "multipart/mixed" && params.get("subscriptionspec") === "1.0") return "multipart";
  }
  return undefined;
}
