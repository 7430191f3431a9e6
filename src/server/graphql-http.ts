/**
 * /graphql over HTTP, served from node:http straight into Apollo's
 * `executeHTTPGraphQLRequest` (issue 14: the lean request path). Express, its router,
 * body-parser and content negotiation cost ~120 µs of CPU per request here — as much as bare
 * Apollo Server itself — for nothing the GraphQL endpoint needs; the other routes (webhooks,
 * health, metrics) stay on express.
 *
 * The order is the one the express chain had: request id, CORS (answers preflights), the
 * authentication gate (401 before the body is read, src/server/auth-gate.ts), the body — read
 * once, capped at GRAPHQL_MAX_BODY_BYTES, parsed once — the trusted-documents check (safelist
 * mode refuses before parsing, src/server/trusted-documents.ts), then Apollo, whose own checks (CSRF
 * prevention, APQ, the landing page, GET queries) are untouched. A body that cannot be read
 * ends in the same answers and log lines as before (src/server/request-errors.ts).
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { HeaderMap, type ApolloServer } from "@apollo/server";
import cors from "cors";
import { GraphQLError } from "graphql";
import type { GatewayContext } from "../../resolvers/context.js";
import { GatewayError } from "../vocabulary/errors.js";
import type { Authenticator, Principal } from "../auth/index.js";
import type { Logger } from "../logger.js";
import { gate } from "./auth-gate.js";
import { errorBody } from "../vocabulary/errors.js";
import { UNKNOWN } from "./operation-label.js";
import { countRefused, type OperationCounter } from "./operation-meter.js";
import { readBody } from "./body.js";
import { logRefusal, RequestFailure, sendRequestError } from "./request-errors.js";
import { sendGraphqlJson } from "./send-json.js";
import { sendExplorerPage } from "./explorer.js";
import { refuseOnSse, streamTransportOf, type HttpStreamServer } from "./streams/index.js";
import { trustedHttpRequest, type TrustedDocumentsPolicy } from "./trusted-documents.js";
import type { LeanExecution } from "./lean-execution.js";

/** What the /graphql handler needs: a started Apollo Server and the checks that run before it. */
export interface GraphqlHttpOptions {
  apollo: ApolloServer<GatewayContext>;
  authenticator: Authenticator;
  log: Logger;
  /** Allowed browser origins; undefined: any. */
  corsOrigins?: string[];
  maxBodyBytes: number;
  contextFor: (principal: Principal | null, requestId: string) => GatewayContext;
  /** Trusted documents: in safelist mode a document outside the manifests is refused here, before Apollo parses it. */
  trustedDocuments?: TrustedDocumentsPolicy;
  /** Requests refused here (401, trusted documents) are counted as operations with no label. */
  metrics: OperationCounter;
  /** Subscriptions over HTTP (multipart, SSE; ./streams/); undefined: refused with 400 (Apollo plugin). */
  streams?: HttpStreamServer;
  /** Plain operations executed without Apollo's pipeline, answered as Apollo would (./lean-execution.ts). */
  lean?: LeanExecution;
}

/** True for the paths this handler serves (the express mount served these too). */
export function isGraphqlPath(url: string | undefined): boolean {
  const path = (url ?? "").split("?", 1)[0];
  return path === "/graphql" || path === "/graphql/";
}

function requestId(header: unknown): string {
  return typeof header === "string" && /^[\w.-]{1,128}$/.test(header) ? header : randomUUID();
}

/** The parsed body Apollo expects: JSON bodies parsed, anything else left for Apollo to refuse (CSRF, 400). */
async function bodyOf(req: IncomingMessage, limit: number): Promise<unknown | RequestFailure> {
  if (req.method !== "POST") return undefined;
  const type = String(req.headers["content-type"] ?? "").toLowerCase();
  if (!/^application\/(.+\+)?json\b/.test(type) && !type.startsWith("text/json")) {
    req.resume();
    return {};
  }
  const charset = /charset=([^;\s]+)/.exec(type)?.[1]?.replace(/"/g, "");
  if (charset && charset !== "utf-8" && charset !== "utf8" && charset !== "us-ascii") {
    req.resume();
    return new RequestFailure(415, "charset.unsupported");
  }
  const raw = await readBody(req, limit);
  if (!Buffer.isBuffer(raw)) return raw;
  let text: string;
  try {
    text = STRICT_UTF8.decode(raw);
  } catch {
    // Not replaced with U+FFFD: a client's text would reach a supplier other than it was sent.
    return new RequestFailure(400, "entity.not.utf8");
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return new RequestFailure(400, "entity.parse.failed");
  }
}

/**
 * Whether the percent-encoded bytes of a URL's query string are UTF-8. URLSearchParams, which
 * Apollo reads a GET with, turns `%FF` into U+FFFD: a client's text would reach a supplier other
 * than it was sent, as with a body that is not UTF-8. A `%` that starts no escape is text.
 */
function percentDecodesToUtf8(search: string): boolean {
  if (!search.includes("%")) return true;
  try {
    decodeURIComponent(search.replace(/%(?![0-9A-Fa-f]{2})/g, "%25"));
    return true;
  } catch {
    return false;
  }
}

/** UTF-8 that refuses invalid bytes (and keeps a byte order mark, which JSON.parse then refuses). */
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Answers 401 UNAUTHENTICATED (the body unread), counted as a refused operation and logged with why. */
function refuseUnauthenticated(o: GraphqlHttpOptions, req: IncomingMessage, res: ServerResponse, id: string, message: string): void {
  countRefused(o.metrics, UNKNOWN, "UNAUTHENTICATED");
  logRefusal(o.log, req, id, 401, { code: "UNAUTHENTICATED", reason: message });
  req.resume();
  res.setHeader("WWW-Authenticate", 'Bearer realm="gateway"');
  sendGraphqlJson(req, res, 401, errorBody(message, "UNAUTHENTICATED"));
}

/**
 * The principal of a request the gate let through without one: the anonymous demo's, or
 * undefined when there is no valid credential. The landing page passes the gate too, so a
 * stream asked for by a bare GET is checked here.
 */
async function anonymousPrincipal(authenticator: Authenticator, req: IncomingMessage): Promise<Principal | undefined> {
  try {
    return (await authenticator.authenticate(req.headers.authorization)) ?? undefined;
  } catch (err) {
    if (err instanceof GatewayError && err.code === "UNAUTHENTICATED") return undefined;
    throw err;
  }
}

/**
 * The node:http listener for /graphql (src/server/http-server.ts routes to it). Every request gets a request id
 * (the caller's `x-request-id` when it is a plain token) that the logs and the context carry.
 */
export function graphqlHttpHandler(o: GraphqlHttpOptions): (req: IncomingMessage, res: ServerResponse) => void {
  // Any origin unless CORS_ORIGINS lists them; the methods /graphql serves; preflights cached 10 minutes;
  // the request id (for support), the 401's challenge and a 503's Retry-After readable by the page.
  const corsHandler = cors({
    ...(o.corsOrigins ? { origin: o.corsOrigins } : {}),
    methods: ["GET", "POST"],
    maxAge: 600,
    exposedHeaders: ["x-request-id", "www-authenticate", "retry-after"],
  });
  const serve = async (req: IncomingMessage, res: ServerResponse, id: string) => {
    const gated = await gate(o.authenticator, req);
    if ("refused" in gated) return refuseUnauthenticated(o, req, res, id, gated.refused.message);
    const parsed = await bodyOf(req, o.maxBodyBytes);
    if (parsed instanceof RequestFailure) return sendRequestError(o.log, req, res, id, parsed);
    const at = (req.url ?? "").indexOf("?");
    const sent = { body: parsed, search: at < 0 ? "" : (req.url ?? "").slice(at) };
    if (req.method === "GET" && !percentDecodesToUtf8(sent.search))
      return sendRequestError(o.log, req, res, id, new RequestFailure(400, "url.not.utf8"));
    const input = o.trustedDocuments ? trustedHttpRequest(o.trustedDocuments, o.metrics, req.method, sent, gated.principal) : sent;
    // Streams are served to GET and POST only; any other method gets Apollo's answer (400 CSRF, or 405).
    const transport = o.streams && (req.method === "GET" || req.method === "POST") ? streamTransportOf(req.headers.accept) : undefined;
    if ("refused" in input) {
      if (transport === "sse") return refuseOnSse(res, input.refused.body);
      return sendGraphqlJson(req, res, input.refused.status, input.refused.body);
    }
    if (transport) {
      const principal = gated.principal ?? (await anonymousPrincipal(o.authenticator, req));
      if (principal === undefined) return refuseUnauthenticated(o, req, res, id, "send 'Authorization: Bearer <api key or JWT>'");
      const r = { req, res, id, principal, body: input.body, search: input.search };
      if (await o.streams!.serve(transport, r)) return;
    }
    // A refusal is made once: the lean path may ask for the context, then hand the request to
    // Apollo, which asks again.
    let refused: GraphQLError | undefined;
    const context = async () => {
      // The gate has verified the credential when credentials are configured; this is the
      // check for the anonymous demo, and a second line of defence.
      if (gated.principal) return o.contextFor(gated.principal, id);
      if (refused) throw refused;
      try {
        return o.contextFor(await o.authenticator.authenticate(req.headers.authorization), id);
      } catch (err) {
        if (err instanceof GatewayError) {
          logRefusal(o.log, req, id, 401, { code: err.code, reason: err.message });
          throw (refused = new GraphQLError(err.message, { extensions: { code: err.code, http: { status: 401 } } }));
        }
        throw err;
      }
    };
    const lean = await o.lean?.run(req, input.body, context);
    if (lean) {
      // As Apollo's answer is written below: an error's headers first, the negotiated type and
      // no-store where they set none.
      for (const [key, value] of lean.headers) res.setHeader(key, value);
      if (!res.hasHeader("content-type")) res.setHeader("content-type", lean.contentType);
      if (!res.hasHeader("cache-control") && !String(res.getHeader("content-type")).startsWith("text/html"))
        res.setHeader("cache-control", "no-store");
      res.statusCode = lean.status;
      res.end(lean.body);
      return;
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers))
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
    const response = await o.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: (req.method ?? "GET").toUpperCase(), headers, search: input.search, body: input.body },
      context,
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    // What Apollo's cache-control plugin (disabled in app.ts for its per-field cost) answered:
    // a GraphQL response carries one tenant's data and must not be stored by intermediaries.
    if (!res.hasHeader("cache-control") && !String(res.getHeader("content-type") ?? "").startsWith("text/html"))
      res.setHeader("cache-control", "no-store");
    res.statusCode = response.status ?? 200;
    if (response.body.kind === "complete") {
      const page = response.body.string;
      if (page.length > 65_536 && String(res.getHeader("content-type")).startsWith("text/html")) return sendExplorerPage(req, res, page);
      res.end(page);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
  let uncheckedLoggedAt = 0;
  return (req, res) => {
    const id = requestId(req.headers["x-request-id"]);
    res.setHeader("x-request-id", id);
    corsHandler(req, res, (err?: unknown) => {
      if (err) return sendRequestError(o.log, req, res, id, new RequestFailure(500, "cors"), err);
      serve(req, res, id).catch((e: unknown) => {
        // The credential could not be checked (the JWT key set cannot be fetched): not the
        // client's fault, nor a bad token, so neither 401 nor a bare 500.
        if (e instanceof GatewayError && e.code === "SERVICE_UNAVAILABLE" && !res.headersSent) {
          // Once a minute while it lasts: every request with a JWT gets it then.
          if (Date.now() - uncheckedLoggedAt >= 60_000) {
            uncheckedLoggedAt = Date.now();
            o.log.warn({ requestId: id, err: e.message }, "a credential could not be checked");
          }
          req.resume();
          res.setHeader("Retry-After", "5");
          return sendGraphqlJson(req, res, 503, { errors: [{ message: e.message, extensions: e.extensions() }] });
        }
        sendRequestError(o.log, req, res, id, new RequestFailure(500, "internal"), e);
      });
    });
  };
}
