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
import type express from "express";
import type { Logger } from "../logger.js";

interface HttpError {
  status?: number;
  statusCode?: number;
  type?: string;
  limit?: number;
}

/** What a client is told for a body-parser error type (https://github.com/expressjs/body-parser#errors). */
function messageFor(type: string | undefined, limit: number | undefined): string {
  switch (type) {
    case "entity.parse.failed":
      return "The request body is not valid JSON";
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
function routeOf(req: express.Request): string {
  return `/${(req.originalUrl.split("?")[0] ?? "").split("/")[1] ?? ""}`;
}

export function requestErrorHandler(log: Logger): express.ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const e = (err ?? {}) as HttpError;
    const given = e.status ?? e.statusCode;
    const status = typeof given === "number" && given >= 400 && given < 600 ? given : 500;
    const where = { requestId: res.locals.requestId as string | undefined, method: req.method, route: routeOf(req), status };
    if (status >= 500) log.error({ ...where, err }, "request failed");
    else log.info({ ...where, type: e.type }, "request refused");
    if (res.headersSent) {
      // Half a response is out: all that is left is to end the connection.
      req.socket.destroy();
      return;
    }
    const client = status < 500;
    res.status(status).json({
      errors: [{ message: client ? messageFor(e.type, e.limit) : "Internal server error", extensions: { code: client ? "BAD_REQUEST" : "INTERNAL_SERVER_ERROR" } }],
    });
  };
}
