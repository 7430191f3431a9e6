/**
 * Subscriptions (and queries and mutations) over Server-Sent Events, by the graphql-sse
 * protocol in its distinct connections mode (issue 23, item 2), with the library's own handler
 * (`createHandler` of graphql-sse): its framing (`event: next`, `event: complete`), its request
 * parsing and its keep-alive comment every 12 s. What the gateway adds around it:
 *
 * - The request reaches it authenticated, its body read and capped and trusted documents
 *   applied (src/server/graphql-http.ts); the operation is prepared as everywhere else
 *   (../prepare-operation.ts) in `onSubscribe`, so the library's own validation is off.
 * - A refused document is streamed as a `next` with its errors then `complete`, as graphql-sse
 *   does for validation errors, with the gateway's codes.
 * - The response is written through the stream registry (./registry.ts): released when the
 *   client goes away, cut when it stops reading, ended at the token's expiry and at shutdown.
 *
 * The single connection mode (a stream reserved with PUT, operations POSTed with a token) is
 * not offered: it keeps per-token state on one instance, which a load balancer does not route
 * back to. Such requests get Apollo's answers (a PUT: 400 from its CSRF check, or 405).
 */
import type { ServerResponse } from "node:http";
import { execute, type ExecutionResult, type GraphQLFormattedError } from "graphql";
import { createHandler, print, type OperationArgs } from "graphql-sse";
import { UNKNOWN } from "../operation-label.js";
import { countRefused, MeteredOperation } from "../operation-meter.js";
import { errorBody } from "../../vocabulary/errors.js";
import { isEventId } from "../../vocabulary/event-ids.js";
import { sendGraphqlJson } from "../send-json.js";
import { sourceEventId, subscribeShared } from "../shared-execution.js";
import { formatResult, type StreamDeps, type StreamRequest } from "./exchange.js";

/**
 * What the handler keeps per request: the operation's label and its meter, once prepared; the
 * source event ids of the results on their way to the stream, oldest first (one per `next`);
 * the largest id the stream has sent (as a bigint).
 */
interface SseState {
  label: string;
  metered?: MeteredOperation;
  ids: Array<string | undefined>;
  largest?: bigint;
}

type Context = Record<PropertyKey, unknown>;

const HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" };

/**
 * A refused operation's result: `{"errors":[…]}` with no `data` entry, as the GraphQL spec has a
 * request error ("If an error was raised before execution begins, the data entry should not be
 * present"). graphql-sse takes onSubscribe's answer as a result only when it has a `data`
 * property, so `data` is there but not enumerable: JSON and formatResult's spread leave it out.
 */
function refusal(errors: ExecutionResult["errors"]): ExecutionResult {
  return Object.defineProperty({ errors }, "data", { value: null, enumerable: false });
}

/** The SSE server: serves one request as an event stream (or the library's 4xx answer). */
export function sseServer(d: StreamDeps): (r: StreamRequest) => Promise<void> {
  const handler = createHandler<StreamRequest, SseState, Context>({
    // Distinct connections only: no token, no stream reserved by PUT (see above).
    authenticate: () => undefined,
    // Validated with the query limits by `d.prepare` in onSubscribe.
    validate: () => [],
    execute: (args) => execute(args),
    subscribe: (args) => subscribeShared(args),
    onSubscribe(req, params): OperationArgs<Context> | ExecutionResult {
      const op = d.prepare(params.query, params.operationName);
      if ("refused" in op) {
        countRefused(d.metrics, op.refused.label, op.refused.code);
        return refusal(op.refused.errors);
      }
      req.context.label = op.label;
      req.context.metered = new MeteredOperation(d.metrics, op.label);
      const contextValue = d.contextFor(req.raw.principal, req.raw.id);
      // An EventSource reconnecting by itself sends the id of the last event it got: resume there.
      // One that is not an event id is ignored (resolvers/validate.ts `resumePoint`), so it does
      // not start this stream's id lines either.
      const header = req.raw.req.headers["last-event-id"];
      const lastEventId = typeof header === "string" ? header.trim() : undefined;
      if (isEventId(lastEventId)) {
        contextValue.lastEventId = lastEventId;
        req.context.largest = BigInt(lastEventId);
        // Beyond the log, it is dropped: it must not start the id lines either, or the
        // EventSource would come back with it after every cut and miss what came meanwhile.
        contextValue.onLastEventIdDropped = () => (req.context.largest = undefined);
      }
      return {
        schema: d.schema,
        document: op.document,
        operationName: params.operationName,
        variableValues: params.variables,
        contextValue: contextValue as unknown as Context,
      };
    },
    onNext(_ctx, req, result) {
      req.context.ids.push(sourceEventId(result as ExecutionResult));
      const out = formatResult(d, result as ExecutionResult) as ExecutionResult;
      req.context.metered?.answered(out.errors as GraphQLFormattedError[] | undefined);
      return out;
    },
    onComplete(_ctx, req) {
      req.context.metered?.end();
    },
  });

  return async (r) => {
    const state: SseState = { label: UNKNOWN, ids: [] };
    const [body, init] = await handler({
      method: r.req.method ?? "GET",
      url: `/graphql${r.search}`,
      headers: {
        // Routed here because the Accept header asks for an event stream (./negotiate.ts); the
        // library compares it whole.
        get: (key) => (key === "accept" ? "text/event-stream" : [r.req.headers[key] ?? []].flat().join("\n") || undefined),
      },
      body: r.req.method === "POST" ? ((r.body ?? null) as Context | null) : null,
      raw: r,
      context: state,
    });
    if (!body || typeof body === "string") {
      if (init.status >= 400) return refuseRequest(d, r, init.status, init.headers, body ?? init.statusText);
      r.res.writeHead(init.status, init.statusText, init.headers);
      r.res.end(body ?? undefined);
      return;
    }
    r.res.writeHead(200, HEADERS);
    const open = d.streams.add({
      transport: "sse",
      res: r.res,
      principal: r.principal,
      label: state.label,
      lastWords: (errors) =>
        errors ? print({ event: "next", data: { errors } as unknown as ExecutionResult }) + print({ event: "complete", data: null }) : "",
      release: () => {
        state.metered?.end();
        void body.return(undefined);
      },
    });
    try {
      // The next event is read only once the client has taken the last (a replay at its pace).
      for await (const chunk of body) if (!open.write(withId(chunk, state)) || !(await open.drained())) break;
      open.end("completed");
    } catch (err) {
      const errors = [d.formatError({ message: String(err) }, err)];
      state.metered?.answered(errors);
      open.end("failed", errors);
    }
  };
}

/**
 * A `next` event of a tracked change carries an `id:` line, so an EventSource that reconnects by
 * itself sends it back as `Last-Event-ID` and the subscription resumes after it instead of
 * starting over (graphql-sse's own client ignores the line). The line is the largest id the
 * stream has sent, not always the event's own: with several writers on PostgreSQL a smaller id
 * can come after a larger one (a replay's stragglers first, a late commit live), and a resume
 * after the smaller one would bring back events the client has (review). The event's own id is
 * in its data.
 */
function withId(chunk: string, state: SseState): string {
  if (!chunk.startsWith("event: next")) return chunk;
  const id = state.ids.shift();
  if (id === undefined) return chunk;
  if (state.largest === undefined || BigInt(id) > state.largest) state.largest = BigInt(id);
  return `id: ${state.largest}\n${chunk}`;
}

/**
 * The library's own refusals — an unreadable request (400: variables not an object, no query),
 * a mutation over GET (405), a body that is not JSON (415) — answered as every other refusal
 * of the request itself: GraphQL errors with the code BAD_REQUEST (API.md: every error carries
 * one), in the JSON type the client prefers, the library's status and headers (`allow`) kept.
 */
function refuseRequest(d: StreamDeps, r: StreamRequest, status: number, headers: unknown, said: string | null | undefined): void {
  countRefused(d.metrics, UNKNOWN, "BAD_REQUEST");
  let message = said || "The request cannot be served as an event stream";
  try {
    const errors = (JSON.parse(message) as { errors?: Array<{ message?: unknown }> }).errors;
    if (typeof errors?.[0]?.message === "string") message = errors[0].message;
  } catch {
    // Plain text: the message as it is.
  }
  const kept = Object.fromEntries(
    Object.entries((headers ?? {}) as Record<string, string>).filter(([k]) => k.toLowerCase() !== "content-type"),
  );
  for (const [k, v] of Object.entries(kept)) r.res.setHeader(k, v);
  r.res.setHeader("cache-control", "no-store");
  sendGraphqlJson(r.req, r.res, status, errorBody(message, "BAD_REQUEST"));
}

/**
 * A request refused before any operation ran (trusted documents), answered on the stream the
 * client asked for: graphql-sse's protocol reports errors of steps before execution as a `next`
 * event on an accepted stream, then `complete`; its client retries a 4xx as a network error.
 */
export function refuseOnSse(res: ServerResponse, body: unknown): void {
  res.writeHead(200, HEADERS);
  res.write(print({ event: "next", data: body as ExecutionResult }));
  res.end(print({ event: "complete", data: null }));
}
