/**
 * Authentication before any work on /graphql (hardening issue, item 3). With API keys or JWTs
 * configured, a request without a valid credential used to be parsed and validated (hundreds
 * of ms for a large document), answered 200 and allowed to introspect the schema. Now it is
 * refused with HTTP 401 and UNAUTHENTICATED before its body is read: the gate runs before the
 * body (src/server/graphql-http.ts). The anonymous demo (no credentials configured) is not
 * gated at all.
 *
 * What passes without a credential: CORS preflights (answered before the gate) and a GET with
 * neither `query` nor `extensions`, i.e. Apollo Sandbox's landing page, which is static HTML
 * and holds no data. The verified principal goes to the GraphQL context, so the token is not
 * verified twice. A request with more than one Authorization header is refused: Node keeps the
 * first, so a proxy that added its own would otherwise authenticate whichever came first.
 */
import type { IncomingMessage } from "node:http";
import { GatewayError } from "../vocabulary/errors.js";
import { unauthenticated, type Authenticator, type Principal } from "../auth/index.js";

function isLandingPage(req: IncomingMessage): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  const url = req.url ?? "";
  const at = url.indexOf("?");
  const search = new URLSearchParams(at < 0 ? "" : url.slice(at + 1));
  return !search.has("query") && !search.has("extensions");
}

/** Whether the request carries the (lower-case) header `name` more than once. */
function repeated(req: IncomingMessage, name: string): boolean {
  const raw = req.rawHeaders;
  let seen = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i].length === name.length && raw[i].toLowerCase() === name && ++seen > 1) return true;
  return false;
}

/**
 * The gate's decision: go on (with the verified principal, when there is one), or refuse with
 * the UNAUTHENTICATED error to answer. Other failures (a JWKS endpoint down) are thrown.
 */
export async function gate(
  authenticator: Authenticator,
  req: IncomingMessage,
): Promise<{ principal?: Principal } | { refused: GatewayError }> {
  if (authenticator.anonymousAllowed || isLandingPage(req)) return {};
  if (repeated(req, "authorization")) return { refused: unauthenticated("send one Authorization header, not several") };
  try {
    const principal = await authenticator.authenticate(req.headers.authorization);
    if (!principal) return { refused: unauthenticated("send 'Authorization: Bearer <api key or JWT>'") };
    return { principal };
  } catch (err) {
    if (err instanceof GatewayError && err.code === "UNAUTHENTICATED") return { refused: err };
    throw err;
  }
}
