/**
 * The last express handler (hardening issue, item 8). A body that is not JSON, one over the
 * cap, an unsupported encoding… used to reach express's default handler, which printed a stack
 * trace and a fragment of the body to stderr (and, outside production, sent the stack to the
 * client). Here each becomes one pino log line and a GraphQL-shaped JSON answer.
 *
 * The log line names the request (id, method, first path segment, status, body-parser's error
 * type) and nothing the client sent: a parse error's message quotes the body, and a path may
 * hold the webhook token.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type express from "express";
import type { Logger } from "../logger.js";
import { errorBody } from "../vocabulary/errors.js";
import { sendGraphqlJson } from "./send-json.js";

interface HttpError {
  status?: number;
  statusCode?: number;
  type?: string;
  limit?: number;
}

/** A request that cannot be served, as body-parser would describe it: a status, an error type, a limit. */
export class RequestFailure {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly limit?: number,
  ) {}
}

/** What a client is told for a body-parser error type (https://github.com/expressjs/body-parser#errors). */
function messageFor(type: string | undefined, limit: number | undefined): string {
  switch (type) {
    case "entity.parse.failed":
      return "The request body is not valid JSON";
    case "entity.not.utf8":
      return "The request body is not valid UTF-8";
    case "url.not.utf8":
      return "The URL's query string is not valid UTF-8 once percent-decoded";
    case "entity.too.large":
      return limit ? `The request body is larger than ${limit} bytes` : "The request body is too large";
    case "encoding.unsupported":
    case "charset.unsupported":
      return "The request body's content encoding or charset is not supported";
    case "request.aborted":
      return "The request was aborted before its body was complete";
    default:
      return "The request could not be read";
  }
}

/** The route a request was for, without anything after its first segment (a token, say). */
function routeOf(url: string | undefined): string {
  return `/${((url ?? "").split("?")[0] ?? "").split("/")[1] ?? ""}`;
}

/**
 * Logs a refused request as one info line: its id, method, first path segment, status and why
 * (`reason`: the gateway's own words, never the credential or anything else the client sent).
 */
export function logRefusal(
  log: Logger,
  req: IncomingMessage,
  requestId: string | undefined,
  status: number,
  reason: Record<string, unknown>,
): void {
  log.info({ requestId, method: req.method, route: routeOf(req.url), status, ...reason }, "request refused");
}

/**
 * Logs a refused or failed request as one line and answers it (on any node:http response).
 * `err` is the cause of a 5xx, logged with its stack; for a 4xx only the type is logged.
 */
export function sendRequestError(
  log: Logger,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string | undefined,
  f: RequestFailure,
  err?: unknown,
): void {
  const status = f.status >= 400 && f.status < 600 ? f.status : 500;
  if (status >= 500) log.error({ requestId, method: req.method, route: routeOf(req.url), status, err }, "request failed");
  else logRefusal(log, req, requestId, status, { type: f.type });
  if (res.headersSent) {
    // Half a response is out: all that is left is to end the connection.
    req.socket.destroy();
    return;
  }
  const client = status < 500;
  const body = client ? errorBody(messageFor(f.type, f.limit), "BAD_REQUEST") : errorBody("Internal server error", "INTERNAL_SERVER_ERROR");
  sendGraphqlJson(req, res, status, body);
}

/** The last express handler: body-parser's (and any other) errors, answered by sendRequestError. */
export function requestErrorHandler(log: Logger): express.ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const e = (err ?? {}) as HttpError;
    const given = e.status ?? e.statusCode;
    const status = typeof given === "number" && given >= 400 && given < 600 ? given : 500;
    sendRequestError(
      log,
      req,
      res,
      res.locals.requestId as string | undefined,
      new RequestFailure(status, e.type ?? "internal", e.limit),
      err,
    );
  };
}
