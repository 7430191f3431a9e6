/**
 * The lean path of /graphql over HTTP (issue 24, item 1): a plain POSTed query or mutation whose
 * document parses and validates (once, then kept ready) is executed here with graphql-js, without
 * Apollo Server's request pipeline, and answered exactly as Apollo answers it — the same status,
 * headers and bytes (test/integration/lean-execution.test.ts compares both paths request by request).
 *
 * Apollo Server's pipeline cost 171 µs of CPU per `voidQuote` at 50 connections here (A/B in
 * bench/RESULTS.md, issue 24, twentieth session; ~70 µs in the floors, bare Apollo Server
 * against graphql-js alone, the rest its garbage under load); most of it is
 * the plugin hooks' promises, the query hash and the request context, for nothing this gateway
 * uses on a plain operation. Everything else stays Apollo's: a request this path does not take
 * is handed over untouched, and it hands over whenever anything could differ — a document that
 * does not parse or validate (the errors are Apollo's), APQ, batches, GET, an `Accept` that is
 * not a JSON answer, a federation trace request, a subscription, variables that do not coerce
 * (nothing has run then), a context that cannot be made (401), a body whose content type is one
 * a browser sends without a preflight (Apollo's CSRF prevention decides), Apollo's usage reporting
 * switched on (APOLLO_KEY), or a server that is stopping.
 */
import type { IncomingMessage } from "node:http";
import Negotiator from "negotiator";
import {
  execute,
  getOperationAST,
  type GraphQLError,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import type { GatewayContext } from "../../resolvers/context.js";
import { isJsonObject } from "./body.js";
import type { OperationLabels } from "./operation-label.js";
import { MeteredOperation, type OperationCounter } from "./operation-meter.js";
import { releaseTokens, type PreparedOperation, type RefusedOperation } from "./prepare-operation.js";

/**
 * The content types a browser sends without a CORS preflight. Apollo's CSRF prevention refuses
 * a request with one of these and no preflight header; such requests are Apollo's to answer.
 */
const NON_PREFLIGHTED = new Set(["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"]);

/** Apollo's single-result media types, in the order its negotiation prefers them (ApolloServer.js). */
const MEDIA_TYPES = [
  "application/json; charset=utf-8",
  "application/graphql-response+json; charset=utf-8",
  "application/json; callbackSpec=1.0; charset=utf-8",
];

/**
 * How much document text is kept ready, parsed and validated; past it the least recently used
 * documents go (Apollo's own document store is bounded by size too). A kept document lets go of
 * its lexer tokens (as a subscription's does), so it holds its AST and its source: a few times
 * its text's size. Longer documents are prepared for each request, never kept.
 */
const MAX_READY_CHARS = 1_000_000;
const MAX_READY_DOCUMENT_CHARS = 32_768;

/** What an answer is made of: status, content type and body, for the handler to write. */
interface LeanAnswer {
  status: number;
  contentType: string;
  /** Headers an error asked for (`extensions.http.headers`), names lower-cased, as Apollo merges them. */
  headers: Map<string, string>;
  body: string;
}

/** A document this path has seen pass validation, with its label per operation name. */
interface Ready {
  document: DocumentNode;
  operations: Map<string, { operation: OperationDefinitionNode; label: string }>;
}

/** What the lean path needs from the server it sits in. */
interface LeanDeps {
  schema: GraphQLSchema;
  prepare: (query: unknown, operationName?: string | null) => PreparedOperation | RefusedOperation;
  labels: OperationLabels;
  metrics: OperationCounter;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
}

/** Apollo's content type for a single result (chooseContentTypeForSingleResultResponse); null: none acceptable. */
function contentTypeFor(accept: string | undefined): string | null {
  if (!accept) return MEDIA_TYPES[0]!;
  return new Negotiator({ headers: { accept } }).mediaType(MEDIA_TYPES) ?? null;
}

/** Apollo's `isPartialHTTPGraphQLHead`: an `http` extension it takes as the answer's status and headers (and removes). */
function isHttpHead(x: unknown): x is { status?: number; headers?: Map<string, string> } {
  if (!x || typeof x !== "object") return false;
  const h = x as { status?: unknown; headers?: unknown };
  return (!("status" in h) || typeof h.status === "number") && (!("headers" in h) || h.headers instanceof Map);
}

/** Apollo's error normalisation (errorNormalize.js) for errors raised while executing: a code on each, then formatError. */
function formatErrors(
  errors: readonly GraphQLError[],
  formatError: LeanDeps["formatError"],
): { formatted: GraphQLFormattedError[]; status?: number; headers: Map<string, string> } {
  let status: number | undefined;
  const headers = new Map<string, string>();
  const formatted = errors.map((error) => {
    try {
      const extensions: Record<string, unknown> = { ...error.extensions, code: error.extensions.code ?? "INTERNAL_SERVER_ERROR" };
      const { http } = extensions;
      if (isHttpHead(http)) {
        if (http.status) status = http.status;
        for (const [k, v] of http.headers ?? []) headers.set(k.toLowerCase(), v);
        delete extensions.http;
      }
      return formatError({ ...error.toJSON(), extensions }, error);
    } catch {
      return { message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } };
    }
  });
  return { formatted, status, headers };
}

/** The lean path: `run` answers a request it takes, or returns undefined for Apollo to serve it. */
export class LeanExecution {
  private readonly ready = new Map<string, Ready>();
  private readyChars = 0;
  private open = !process.env.APOLLO_KEY;

  constructor(private readonly d: LeanDeps) {}

  /** From now on every request goes to Apollo (the server is stopping; Apollo answers as it stops). */
  close(): void {
    this.open = false;
  }

  /** Keeps `query` ready, the oldest documents going while the texts kept pass MAX_READY_CHARS. */
  private keep(query: string, ready: Ready): void {
    if (query.length > MAX_READY_DOCUMENT_CHARS) return;
    releaseTokens(ready.document);
    this.ready.set(query, ready);
    this.readyChars += query.length;
    for (const oldest of this.ready.keys()) {
      if (this.readyChars <= MAX_READY_CHARS) break;
      this.ready.delete(oldest);
      this.readyChars -= oldest.length;
    }
  }

  /** The document and operation `query` names, parsed and validated once; undefined when it does not validate or names none. */
  private operationOf(
    query: string,
    operationName: string | undefined,
  ): { document: DocumentNode; operation: OperationDefinitionNode; label: string } | undefined {
    let ready = this.ready.get(query);
    if (ready) {
      // Most recently used last: eviction takes the Map's first entries.
      this.ready.delete(query);
      this.ready.set(query, ready);
    } else {
      const prepared = this.d.prepare(query, operationName);
      if ("refused" in prepared) return undefined;
      ready = { document: prepared.document, operations: new Map() };
      this.keep(query, ready);
    }
    const name = operationName ?? "";
    let op = ready.operations.get(name);
    if (!op) {
      const operation = getOperationAST(ready.document, operationName);
      if (!operation || operation.operation === "subscription") return undefined;
      // Only names the document has are kept: a client's other names would grow the map.
      op = { operation, label: this.d.labels.of(ready.document, operation) };
      ready.operations.set(name, op);
    }
    return { document: ready.document, ...op };
  }

  /**
   * Executes `body` when this path can answer it exactly as Apollo would; undefined otherwise,
   * before anything has run. `context` makes the operation's context (throws: Apollo answers).
   */
  async run(req: IncomingMessage, body: unknown, context: () => Promise<GatewayContext>): Promise<LeanAnswer | undefined> {
    if (!this.open || req.method !== "POST" || !isJsonObject(body) || req.headers["apollo-federation-include-trace"] !== undefined)
      return undefined;
    const essence = String(req.headers["content-type"] ?? "")
      .split(";", 1)[0]!
      .trim()
      .toLowerCase();
    if (essence === "" || NON_PREFLIGHTED.has(essence)) return undefined;
    const { query, variables, operationName, extensions } = body;
    if (typeof query !== "string" || query === "") return undefined;
    if (variables !== undefined && variables !== null && !isJsonObject(variables)) return undefined;
    if (operationName !== undefined && operationName !== null && typeof operationName !== "string") return undefined;
    if (extensions !== undefined && extensions !== null && (!isJsonObject(extensions) || "persistedQuery" in extensions)) return undefined;
    const contentType = contentTypeFor(req.headers.accept);
    if (contentType === null) return undefined;
    const op = this.operationOf(query, operationName ?? undefined);
    if (!op) return undefined;
    let contextValue: GatewayContext;
    try {
      contextValue = await context();
    } catch {
      return undefined;
    }
    const metered = new MeteredOperation(this.d.metrics, op.label);
    const pending = execute({
      schema: this.d.schema,
      document: op.document,
      contextValue,
      variableValues: variables as Record<string, unknown> | undefined,
      operationName: operationName as string | undefined,
    });
    // Variables that do not coerce: execute answers at once with no data and nothing has run;
    // Apollo words and codes that answer (BAD_USER_INPUT, 400).
    if (!(pending instanceof Promise) && pending.data === undefined) return undefined;
    const result: ExecutionResult = await pending;
    let status = 200;
    let errors: GraphQLFormattedError[] | undefined;
    let headers = new Map<string, string>();
    if (result.errors?.length) {
      const f = formatErrors(result.errors, this.d.formatError);
      errors = f.formatted;
      headers = f.headers;
      if (f.status) status = f.status;
    }
    metered.answered(errors);
    metered.end();
    return { status, contentType, headers, body: JSON.stringify({ errors, data: result.data, extensions: result.extensions }) + "\n" };
  }
}
