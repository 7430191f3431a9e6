/**
 * The graphql-ws server options of the gateway, as graphql-ws separates `makeServer` from
 * `use/ws`: a plain object of hooks with no socket server behind it, so it can be driven in a
 * unit test through `makeServer` and a stand-in socket (test/unit/websocket-options.test.ts),
 * and served by `startWebsocket` (./serve.ts) in production. What it does itself:
 *
 * - The same validation as over HTTP (the query limits included) before anything executes,
 *   with manifest documents resolved first when trusted documents are on.
 * - The same error format (src/server/format-error.ts) on every result.
 * - Fan-out without repeated work for subscriptions (src/server/shared-execution.ts).
 *
 * Everything else is a plugin from the list it is given (./plugin.ts), run in order.
 */
import { randomUUID } from "node:crypto";
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema, type ValidationRule } from "graphql";
import type { ServerOptions, SubscribePayload } from "graphql-ws";
import type { GatewayContext } from "../../../resolvers/context.js";
import type { Principal } from "../../auth/index.js";
import { UNKNOWN, type OperationLabels } from "../operation-label.js";
import { operationPreparer } from "../prepare-operation.js";
import { subscribeShared } from "../shared-execution.js";
import { websocketDocument, type TrustedDocumentsPolicy } from "../trusted-documents.js";
import type { WsContext, WsExtra, WsPlugin } from "./plugin.js";

/** What the options are built from: the schema and its checks, the context, and the plugins. */
export interface WebsocketOptionsDeps {
  schema: GraphQLSchema;
  /** Extra validation rules (the query limits). */
  rules: ValidationRule[];
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  labels: OperationLabels;
  /** Production: no schema names suggested in validation errors. */
  hideSuggestions?: boolean;
  /** Tokens a document may have (GRAPHQL_MAX_TOKENS). */
  maxTokens?: number;
  contextFor: (principal: Principal | null, requestId: string) => GatewayContext;
  /** Manifest ids resolve to their documents; in safelist mode other documents are refused before parsing. */
  trustedDocuments?: TrustedDocumentsPolicy;
  /** The concerns switched on, in the order their hooks run. */
  plugins: WsPlugin[];
  /**
   * How long a socket may take to send connection_init before it is closed with 4408
   * (WS_CONNECTION_INIT_TIMEOUT_MS). @default 3000, graphql-ws's own
   */
  connectionInitWaitTimeoutMs?: number;
}

/** The code of the first error, for the metrics of a refused operation. */
const codeOf = (errors: readonly GraphQLError[], fallback: string) => String(errors[0]?.extensions?.code ?? fallback);

/** The graphql-ws server options: hand them to `makeServer` (tests) or `startWebsocket` (./serve.ts). */
export function websocketOptions(d: WebsocketOptionsDeps): ServerOptions<Record<string, unknown>, WsExtra> {
  const { schema, plugins } = d;
  const prepare = operationPreparer(d);
  const refuse = (ctx: WsContext, id: string, label: string, code: string, errors: readonly GraphQLError[]) => {
    for (const p of plugins) p.onRefused?.(ctx, id, label, code);
    return errors;
  };

  /** The document to run: the manifest's (trusted documents), or the payload's own. */
  const documentOf = (ctx: WsContext, payload: SubscribePayload): { query: unknown } | { errors: GraphQLError[] } =>
    d.trustedDocuments ? websocketDocument(payload, ctx.extra.principal, d.trustedDocuments) : { query: payload.query };

  return {
    schema,
    connectionInitWaitTimeout: d.connectionInitWaitTimeoutMs,
    onConnect: async (ctx) => {
      for (const p of plugins) if (p.onConnect && !(await p.onConnect(ctx))) return false;
      return true;
    },
    onClose: (ctx) => {
      for (const p of plugins) p.onClose?.(ctx);
    },
    subscribe: subscribeShared,
    onSubscribe: (ctx, id, payload) => {
      const trusted = documentOf(ctx, payload);
      if ("errors" in trusted) return refuse(ctx, id, UNKNOWN, codeOf(trusted.errors, "PERSISTED_QUERY_NOT_IN_LIST"), trusted.errors);
      const op = prepare(trusted.query, payload.operationName);
      if ("refused" in op) return refuse(ctx, id, op.refused.label, op.refused.code, op.refused.errors);
      for (const p of plugins) {
        const refused = p.onOperation?.(ctx, id, op);
        if (refused?.length) return refuse(ctx, id, op.label, codeOf(refused, "ERROR"), refused);
      }
      const requestId = randomUUID();
      return {
        schema,
        document: op.document,
        operationName: payload.operationName,
        variableValues: payload.variables,
        contextValue: d.contextFor(ctx.extra.principal ?? null, requestId),
      };
    },
    onNext: (ctx, id, _payload, _args, result) => {
      if (!result.errors) return;
      const errors = result.errors.map((e) => d.formatError(e.toJSON(), e));
      for (const p of plugins) p.onErrors?.(ctx, id, errors);
      return { ...result, errors };
    },
    // A stream that fails after it started (a subscriber too slow, a replay the store could not
    // read): graphql-ws wraps the thrown error and would send its message alone; formatted here,
    // it carries its code like every other error. Refusals (above) are sent as they are.
    onError: (_ctx, _id, _payload, errors) =>
      errors.map((e) =>
        e.originalError && !(e.originalError instanceof GraphQLError) ? d.formatError(e.toJSON(), e.originalError) : e.toJSON(),
      ),
    onComplete: (ctx, id) => {
      for (const p of plugins) p.onComplete?.(ctx, id);
    },
  };
}
