/**
 * How the HTTP instrumentation sees the gateway's server. What it would record by itself,
 * changed where it would carry a secret or a body:
 *
 * - `url.path` of a webhook is `/webhooks/<supplier>/[redacted]`: the last segment is the
 *   webhook token (the supplier's `<SUPPLIER>_WEBHOOK_TOKEN`).
 * - `url.query` keeps parameter names only (`query=REDACTED&variables=REDACTED`): a GraphQL
 *   GET carries its operation and variables there.
 * - `http.route` names the route, and the span is named after it (`POST /graphql`).
 * - Health checks and scrapes (/healthz, /readyz, /metrics) are not traced, nor is anything the
 *   embedded supplier simulators receive (src/telemetry/untraced.ts).
 *
 * No header is ever recorded (no `headersToSpanAttributes`).
 */
import { IncomingMessage } from "node:http";
import type { Attributes, Span } from "@opentelemetry/api";
import type { HttpInstrumentationConfig } from "@opentelemetry/instrumentation-http";
import { isUntracedPort } from "./untraced.js";

const UNTRACED_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);
/** A path segment kept in a webhook's url.path: a supplier's name, never as long as a token (16+). */
const SUPPLIER_SEGMENT = /^[A-Za-z]{1,12}$/;

function split(url: string | undefined): { path: string; search: string } {
  const u = url ?? "/";
  const at = u.indexOf("?");
  return at < 0 ? { path: u, search: "" } : { path: u.slice(0, at), search: u.slice(at + 1) };
}

/** The route a path belongs to and the path as it may be recorded. */
export function recordedPath(path: string): { route?: string; path: string } {
  if (path === "/graphql" || path === "/graphql/") return { route: "/graphql", path };
  // In any case: the intake takes its path so (src/server/webhooks.ts).
  const lower = path.toLowerCase();
  if (lower === "/webhooks" || lower.startsWith("/webhooks/")) {
    const supplier = path.split("/")[2] ?? "";
    return {
      route: "/webhooks/:supplier/:token",
      path: `/webhooks/${SUPPLIER_SEGMENT.test(supplier) ? supplier : "[redacted]"}/[redacted]`,
    };
  }
  return { path };
}

/** A query string with every value replaced. */
export function recordedQuery(search: string): string {
  return [...new URLSearchParams(search).keys()].map((k) => `${encodeURIComponent(k)}=REDACTED`).join("&");
}

function incomingAttributes(req: IncomingMessage): Attributes {
  const { path, search } = split(req.url);
  const recorded = recordedPath(path);
  const attributes: Attributes = { "url.path": recorded.path };
  if (recorded.route) attributes["http.route"] = recorded.route;
  if (search) attributes["url.query"] = recordedQuery(search);
  return attributes;
}

export function httpInstrumentationConfig(): HttpInstrumentationConfig {
  return {
    ignoreIncomingRequestHook: (req) => isUntracedPort(req.socket?.localPort) || UNTRACED_PATHS.has(split(req.url).path),
    startIncomingSpanHook: incomingAttributes,
    requestHook: (span: Span, req) => {
      if (!(req instanceof IncomingMessage)) return;
      const { route } = recordedPath(split(req.url).path);
      if (route) span.updateName(`${req.method ?? "GET"} ${route}`);
    },
  };
}
