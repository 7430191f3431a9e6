/**
 * What both HTTP stream transports share: the request as the /graphql handler hands it over
 * (authenticated, body read and capped, trusted documents applied), and the parts that run an
 * operation the way the websocket does — the same preparation (../prepare-operation.ts), the
 * same context, the same error format, the same fan-out (../shared-execution.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ExecutionResult, GraphQLFormattedError, GraphQLSchema } from "graphql";
import type { GatewayContext } from "../../../resolvers/context.js";
import type { Principal } from "../../auth/index.js";
import type { OperationCounter } from "../operation-meter.js";
import type { PreparedOperation, RefusedOperation } from "../prepare-operation.js";
import type { HttpStreams } from "./registry.js";

/** One request for a stream, after the checks every /graphql request passes. */
export interface StreamRequest {
  req: IncomingMessage;
  res: ServerResponse;
  /** The request id (x-request-id), for the context and the logs. */
  id: string;
  /** Who asks; null only on the anonymous demo. */
  principal: Principal | null;
  /** The parsed POST body (undefined for GET). */
  body: unknown;
  /** The URL's search ("?…" or ""), with a manifest id already replaced by its document. */
  search: string;
}

/** The parts an HTTP stream transport runs operations with. */
export interface StreamDeps {
  schema: GraphQLSchema;
  prepare: (query: unknown, operationName?: string | null) => PreparedOperation | RefusedOperation;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  contextFor: (principal: Principal | null, requestId: string) => GatewayContext;
  metrics: OperationCounter;
  streams: HttpStreams;
}

/** A result as the client sees it: its errors through the gateway's error format. */
export function formatResult(d: Pick<StreamDeps, "formatError">, result: ExecutionResult): ExecutionResult | Record<string, unknown> {
  if (!result.errors) return result;
  return { ...result, errors: result.errors.map((e) => d.formatError(e.toJSON(), e)) };
}
