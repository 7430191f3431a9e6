/**
 * Authentication before any work on /graphql (hardening issue, item 3). With API keys or JWTs
 * configured, a request without a valid credential used to be parsed and validated (hundreds
 * of ms for a large document), answered 200 and allowed to introspect the schema. Now it is
 * refused with HTTP 401 and UNAUTHENTICATED before its body is read: the gate runs before the
 * JSON body parser. The anonymous demo (no credentials configured) is not gated at all.
 *
 * What passes without a credential: CORS preflights (answered by `cors` before the gate) and
 * a GET with neither `query` nor `extensions`, i.e. Apollo Sandbox's landing page, which is
 * static HTML and holds no data. The verified principal is left in `res.locals.principal`, so
 * the GraphQL context does not verify the token again.
 */
import type express from "express";
import { GatewayError } from "../../datasources/errors.js";
import { unauthenticated, type Authenticator, type Principal } from "../auth/index.js";

/** Where the gate leaves the principal for the GraphQL context. */
export function gatedPrincipal(res: express.Response): Principal | undefined {
  return res.locals.principal as Principal | undefined;
}

/** The 401 body, shaped like a GraphQL response so clients handle it like any other error. */
export function unauthenticatedBody(message: string) {
  return { errors: [{ message, extensions: { code: "UNAUTHENTICATED" } }] };
}

function isLandingPage(req: express.Request): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  const at = req.url.indexOf("?");
  const search = new URLSearchParams(at < 0 ? "" : req.url.slice(at + 1));
  return !search.has("query") && !search.has("extensions");
}

/**
 * The gate. `onRefused` is told of every 401 (for metrics); it must not throw.
 */
export function authGate(authenticator: Authenticator, onRefused: () => void = () => undefined): express.RequestHandler {
  const refuse = (res: express.Response, err: GatewayError) => {
    onRefused();
    res.status(401).setHeader("WWW-Authenticate", 'Bearer realm="gateway"').json(unauthenticatedBody(err.message));
  };
  return (req, res, next) => {
    if (authenticator.anonymousAllowed || isLandingPage(req)) return next();
    authenticator.authenticate(req.headers.authorization).then(
      (principal) => {
        if (!principal) return refuse(res, unauthenticated("send 'Authorization: Bearer <api key or JWT>'"));
        res.locals.principal = principal;
        next();
      },
      (err: unknown) => {
        if (err instanceof GatewayError && err.code === "UNAUTHENTICATED") refuse(res, err);
        else next(err);
      },
    );
  };
}
