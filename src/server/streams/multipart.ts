/**
 * Apollo's multipart subscription protocol over HTTP (issue 23, item 1), as Apollo Client's
 * HttpLink (3.7.11+, 4.x), Apollo iOS (1.1+) and Apollo Kotlin parse it:
 *
 *     content-type: multipart/mixed;boundary="graphql";subscriptionSpec=1.0
 *
 *     \r\n--graphql
 *     \r\ncontent-type: application/json\r\n\r\n{}\r\n--graphql                      a heartbeat
 *     \r\ncontent-type: application/json\r\n\r\n{"payload":{"data":…}}\r\n--graphql  an event
 *     \r\ncontent-type: application/json\r\n\r\n{"payload":null,"errors":[…]}\r\n--graphql   fatal
 *     --\r\n                                                                         the end
 *
 * Each part is followed at once by the next delimiter, so a client parses it as soon as it
 * arrives (a part is only complete once its closing delimiter is read); the stream ends with
 * `--graphql--`. Heartbeats come from the registry's timer (./registry.ts). A subscription
 * that fails before it streams (a refused argument, the tenant's cap) answers one payload with
 * its errors and ends. A document refused before it runs (parse, validation, unknown operation)
 * is answered as plain JSON with HTTP 400, as Apollo Server answers the same fault for a query.
 */
import type { ExecutionResult, GraphQLFormattedError } from "graphql";
import { graphqlJsonType } from "../send-json.js";
import { countRefused, MeteredOperation } from "../operation-meter.js";
import type { PreparedOperation } from "../prepare-operation.js";
import { subscribeShared } from "../shared-execution.js";
import { formatResult, type StreamDeps, type StreamRequest } from "./exchange.js";

const MULTIPART_CONTENT_TYPE = 'multipart/mixed;boundary="graphql";subscriptionSpec=1.0';

const DELIMITER = "\r\n--graphql";
const PART_HEAD = "\r\ncontent-type: application/json\r\n\r\n";
/** The end of the stream, after the delimiter every part ends with. */
const CLOSE = "--\r\n";

/** One JSON part, closed by the next delimiter. */
const part = (json: string) => PART_HEAD + json + DELIMITER;
/** The heartbeat part (`{}`). */
const HEARTBEAT = part("{}");
const payload = (result: unknown) => part(JSON.stringify({ payload: result }));
const fatal = (errors: readonly GraphQLFormattedError[]) => part(JSON.stringify({ payload: null, errors }));

/** The GraphQL parameters of a POST body or a GET's search. */
function paramsOf(r: Pick<StreamRequest, "body" | "search">): { query?: unknown; operationName?: string; variables?: unknown } {
  if (r.body !== undefined) {
    const b = (r.body ?? {}) as Record<string, unknown>;
    return { query: b.query, operationName: typeof b.operationName === "string" ? b.operationName : undefined, variables: b.variables };
  }
  const s = new URLSearchParams(r.search);
  let variables: unknown;
  try {
    variables = JSON.parse(s.get("variables") ?? "null") ?? undefined;
  } catch {
    variables = "unreadable";
  }
  return { query: s.get("query") ?? undefined, operationName: s.get("operationName") ?? undefined, variables };
}

/** Answers a refusal before anything ran: JSON, HTTP 400, counted like any refused operation. */
function refuse(d: StreamDeps, r: StreamRequest, label: string, code: string, errors: readonly GraphQLFormattedError[]): void {
  countRefused(d.metrics, label, code);
  r.res.writeHead(400, { "content-type": graphqlJsonType(r.req.headers.accept), "cache-control": "no-store" });
  r.res.end(JSON.stringify({ errors }));
}

/**
 * Serves `r` as a multipart subscription. Resolves false, having written nothing, when the
 * document is not a subscription: Apollo answers queries and mutations as before.
 */
export async function serveMultipart(d: StreamDeps, r: StreamRequest): Promise<boolean> {
  const params = paramsOf(r);
  // A hash alone (automatic persisted queries): Apollo looks it up, and asks for the document
  // when it does not know it; the client then sends it, and it comes back here.
  if (params.query === undefined) return false;
  const op = d.prepare(params.query, params.operationName);
  if ("refused" in op) {
    const errors = op.refused.errors.map((e) => d.formatError(e.toJSON(), e));
    refuse(d, r, op.refused.label, op.refused.code, errors);
    return true;
  }
  if (!op.subscription) return false;
  if (
    params.variables !== undefined &&
    (typeof params.variables !== "object" || params.variables === null || Array.isArray(params.variables))
  ) {
    refuse(d, r, op.label, "BAD_REQUEST", [{ message: "`variables` must be a JSON object", extensions: { code: "BAD_REQUEST" } }]);
    return true;
  }
  await stream(d, r, op, params.variables as Record<string, unknown> | undefined, params.operationName);
  return true;
}

async function stream(
  d: StreamDeps,
  r: StreamRequest,
  op: PreparedOperation,
  variableValues: Record<string, unknown> | undefined,
  operationName: string | undefined,
): Promise<void> {
  const metered = new MeteredOperation(d.metrics, op.label);
  const result = await subscribeShared({
    schema: d.schema,
    document: op.document,
    operationName,
    variableValues,
    contextValue: d.contextFor(r.principal, r.id),
  });
  r.res.writeHead(200, { "content-type": MULTIPART_CONTENT_TYPE, "cache-control": "no-store", "x-accel-buffering": "no" });
  const answer = (value: ExecutionResult) => {
    const out = formatResult(d, value);
    metered.answered(out.errors as GraphQLFormattedError[] | undefined);
    return payload(out);
  };
  if (!(Symbol.asyncIterator in result)) {
    r.res.end(DELIMITER + answer(result) + CLOSE);
    metered.end();
    return;
  }
  r.res.write(DELIMITER);
  const open = d.streams.add(
    {
      transport: "multipart",
      res: r.res,
      principal: r.principal,
      label: op.label,
      lastWords: (errors) => (errors ? fatal(errors) : "") + CLOSE,
      release: () => {
        metered.end();
        void result.return?.();
      },
    },
    HEARTBEAT,
  );
  try {
    // The next event is read only once the client has taken the last (a replay at its pace).
    while (await open.drained()) {
      const next = await result.next();
      if (next.done || !open.write(answer(next.value))) break;
    }
    open.end("completed");
  } catch (err) {
    const errors = [d.formatError({ message: String(err) }, err)];
    metered.answered(errors);
    open.end("failed", errors);
  }
}
