/**
 * graphql-ws (graphql-transport-ws protocol) on the HTTP server's /graphql path, through the
 * library's `ws` adapter. What it adds to the library:
 *
 * - A message size cap (`maxPayload`, the same as the HTTP body cap): `ws` closes an oversized
 *   message's socket with 1009 from the frame header, before the payload is buffered. The
 *   default of 100 MiB let one 46 MB `subscribe` block the event loop for 30 s (hardening
 *   issue, item 2).
 * - Authentication at `connection_init` (a bad or missing credential: 4403). Before the ack,
 *   graphql-ws closes a socket that sends `subscribe` with 4401, so nothing but connection_init
 *   is parsed or validated for an unauthenticated socket (item 3).
 * - A JWT's expiry closes the socket (4403), however far away it is (item 5).
 * - The same validation as over HTTP (limits included) and the same metrics and error format.
 * - Socket errors (oversized or malformed frames) logged as one pino line instead of the
 *   adapter's console.error with a stack trace (item 8).
 * - Keep-alive pings: a connection that stops answering is closed within two intervals and all
 *   it held released (issue 16, item 5; src/server/keepalive.ts); a socket that never sends
 *   connection_init is closed after `connectionInitWaitTimeout` (4408).
 * - At most `maxSubscriptions` subscriptions open per socket; one more gets an `error` message
 *   with TOO_MANY_SUBSCRIPTIONS, and the socket and its other subscriptions carry on (item 7:
 *   one socket accepted 20,000).
 */
import { randomUUID } from "node:crypto";
import type http from "node:http";
import { getOperationAST, parse, specifiedRules, validate, type GraphQLFormattedError, type GraphQLSchema, type ValidationRule } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocket, WebSocketServer } from "ws";
import type { GatewayContext } from "../../resolvers/context.js";
import type { Authenticator, Principal } from "../auth/index.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import { enterRequest } from "../request-context.js";
import { runAt, type Scheduled } from "./expiry.js";
import { keepAlive } from "./keepalive.js";
import { UNKNOWN, type OperationLabels } from "./operation-label.js";
import { subscribeShared } from "./shared-execution.js";
import { websocketDocument, type TrustedDocumentsPolicy } from "./trusted-documents.js";
import { verifyOrigin } from "./ws-origin.js";
import { tooManySubscriptions } from "./subscription-cap.js";

export interface WebsocketOptions {
  httpServer: http.Server;
  schema: GraphQLSchema;
  authenticator: Authenticator;
  metrics: Metrics;
  log: Logger;
  /** Extra validation rules (the query limits). */
  rules: ValidationRule[];
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  labels: OperationLabels;
  contextFor: (principal: Principal | null, requestId: string) => GatewayContext;
  /** Largest message accepted, in bytes; larger: close 1009. */
  maxMessageBytes: number;
  /** Interval of keep-alive pings; a socket that misses one is closed at the next (WS_KEEPALIVE_MS). */
  keepAliveMs: number;
  /** How long a socket may take to send connection_init (WS_CONNECTION_INIT_TIMEOUT_MS). */
  connectionInitWaitTimeoutMs: number;
  /** Manifest ids resolve to their documents; in safelist mode other documents are refused before parsing. */
  trustedDocuments?: TrustedDocumentsPolicy;
  /** Browser origins allowed to open a socket (CORS_ORIGINS); undefined: any. */
  allowedOrigins?: string[];
  /** Subscriptions one socket may have open. */
  maxSubscriptions: number;
}

export interface RunningWebsocket {
  server: WebSocketServer;
  /** Closes every socket with 1001 and stops the server (graphql-ws `dispose()`). */
  dispose(): Promise<void>;
}

type Op = { label: string; started: number; outcome: string; subscription: boolean };
type Extra = { principal?: Principal | null; expiry?: Scheduled; ops?: Map<string, Op>; subscriptions?: number };

export function startWebsocket(o: WebsocketOptions): RunningWebsocket {
  const { schema, metrics } = o;
  const server = new WebSocketServer({ server: o.httpServer, path: "/graphql", maxPayload: o.maxMessageBytes, verifyClient: verifyOrigin(o.allowedOrigins) });
  const cleanup = useServer<Record<string, unknown>, Extra>(
    {
      schema,
      connectionInitWaitTimeout: o.connectionInitWaitTimeoutMs,
      // A bad or missing credential closes the socket with 4403 (graphql-ws Forbidden).
      onConnect: async (ctx) => {
        let principal: Principal | null;
        try {
          principal = await o.authenticator.authenticate(ctx.connectionParams?.authorization);
        } catch {
          return false;
        }
        if (!principal) return false;
        ctx.extra.principal = principal;
        metrics.socketOpened();
        if (principal.expiresAt) {
          const socket = ctx.extra.socket;
          ctx.extra.expiry = runAt(principal.expiresAt, () => socket.close(4403, "Forbidden: the token has expired"));
        }
        return true;
      },
      subscribe: subscribeShared,
      onClose: (ctx) => {
        ctx.extra.expiry?.cancel();
        if (ctx.extra.principal) metrics.socketClosed();
      },
      // The same validation as over HTTP, limits included, before anything executes.
      onSubscribe: (ctx, _id, payload) => {
        let query: unknown = payload.query;
        if (o.trustedDocuments) {
          const trusted = websocketDocument(payload, ctx.extra.principal, o.trustedDocuments, metrics);
          if ("errors" in trusted) return trusted.errors;
          query = trusted.query;
        }
        let document;
        try {
          document = parse(query as string);
        } catch (err) {
          metrics.operation(UNKNOWN, "GRAPHQL_PARSE_FAILED", 0);
          return [err as never];
        }
        const errors = validate(schema, document, [...specifiedRules, ...o.rules]);
        if (errors.length) {
          metrics.operation(UNKNOWN, "GRAPHQL_VALIDATION_FAILED", 0);
          return errors;
        }
        const operation = getOperationAST(document, payload.operationName);
        const subscription = operation?.operation === "subscription";
        if (subscription && (ctx.extra.subscriptions ?? 0) >= o.maxSubscriptions) {
          metrics.operation(o.labels.of(document, operation), "TOO_MANY_SUBSCRIPTIONS", 0);
          return [tooManySubscriptions(o.maxSubscriptions)];
        }
        if (subscription) ctx.extra.subscriptions = (ctx.extra.subscriptions ?? 0) + 1;
        const id = randomUUID();
        enterRequest(id);
        const label = o.labels.of(document, operation);
        (ctx.extra.ops ??= new Map()).set(_id, { label, started: performance.now(), outcome: "OK", subscription });
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: o.contextFor(ctx.extra.principal ?? null, id),
        };
      },
      onNext: (ctx, id, _payload, _args, result) => {
        if (!result.errors) return;
        const errors = result.errors.map((e) => o.formatError(e.toJSON(), e));
        const op = ctx.extra.ops?.get(id);
        if (op) op.outcome = String(errors[0]?.extensions?.code ?? "ERROR");
        return { ...result, errors };
      },
      // Operations over the websocket count like HTTP ones (a subscription: its whole life).
      onComplete: (ctx, id) => {
        const op = ctx.extra.ops?.get(id);
        if (!op) return;
        ctx.extra.ops?.delete(id);
        if (op.subscription) ctx.extra.subscriptions = (ctx.extra.subscriptions ?? 1) - 1;
        metrics.operation(op.label, op.outcome, (performance.now() - op.started) / 1000);
      },
    },
    server,
  );
  // Registered after useServer's own "connection" listener, so this runs after it has added
  // its socket "error" listener (console.error with a stack, then close 1011), and replaces it.
  // ws reports a client's protocol errors (oversized or malformed frames) this way, after it
  // has already closed the socket with the right code (1009, 1002…).
  server.on("connection", (socket: WebSocket) => {
    socket.removeAllListeners("error");
    socket.on("error", (err: Error & { code?: string }) => {
      const clientFault = typeof err.code === "string" && err.code.startsWith("WS_ERR_");
      if (clientFault) o.log.info({ code: err.code, reason: err.message }, "websocket closed: the client broke the protocol");
      else o.log.error({ err }, "websocket error");
      if (socket.readyState === WebSocket.OPEN) socket.close(1011, "Internal server error");
    });
  });
  const pings = keepAlive(server, o.keepAliveMs, () => o.log.debug("websocket closed: it stopped answering keep-alive pings"));
  return {
    server,
    async dispose() {
      pings.stop();
      await cleanup.dispose();
    },
  };
}
