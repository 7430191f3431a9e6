/**
 * The closed set of `extensions.code` values the edge emits (STYLE.md 14): the gateway's own
 * codes (datasources/errors.ts `ErrorCode`), the request-error codes GraphQL servers produce,
 * and SERVICE_UNAVAILABLE. Metrics label outcomes only with these, so a caller can never add
 * a label value (hardening issue, item 1).
 */
import type { ErrorCode } from "../../datasources/errors.js";

/** Every ErrorCode once: the compiler fails here when one is added to or dropped from the type. */
const GATEWAY_CODES: Record<ErrorCode, true> = {
  BAD_USER_INPUT: true,
  UNAUTHENTICATED: true,
  FORBIDDEN: true,
  UNSUPPORTED_OPERATION: true,
  IDEMPOTENCY_KEY_REUSED: true,
  REQUEST_IN_PROGRESS: true,
  ORDER_NOT_FOUND: true,
  NOT_VOIDABLE: true,
  VOID_OFFER_EXPIRED: true,
  VOID_DEADLINE_EXCEEDED: true,
  VOID_ALREADY_SUBMITTED: true,
  VOID_IN_PROGRESS: true,
  TICKET_NOT_FOUND: true,
  TICKET_ALREADY_USED: true,
  WRONG_ORDER_NUMBER: true,
  VOID_PAYMENT_METHOD_UNSUPPORTED: true,
  VOID_ROUTE_UNSUPPORTED: true,
  STOP_ISSUANCE_REJECTED: true,
  CANCEL_REJECTED: true,
  SUPPLIER_REJECTED_REQUEST: true,
  SUPPLIER_AUTH_FAILED: true,
  SUPPLIER_RATE_LIMITED: true,
  SUPPLIER_UNAVAILABLE: true,
  SUPPLIER_TIMEOUT: true,
  SUPPLIER_BAD_RESPONSE: true,
  SUPPLIER_OUTCOME_UNKNOWN: true,
  TOO_MANY_SUBSCRIPTIONS: true,
  INTERNAL_SERVER_ERROR: true,
};

/**
 * Codes GraphQL servers (Apollo, graphql-ws, our own request checks) give bad requests; their
 * messages are about the client's request and safe to show (src/server/format-error.ts).
 */
export const REQUEST_ERROR_CODES: ReadonlySet<string> = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_USER_INPUT",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "PERSISTED_QUERY_NOT_IN_LIST",
  "OPERATION_RESOLUTION_FAILURE",
  "UNAUTHENTICATED",
  "FORBIDDEN",
]);

/** Every code the edge may emit. */
export const EDGE_CODES: ReadonlySet<string> = new Set([...Object.keys(GATEWAY_CODES), ...REQUEST_ERROR_CODES, "SERVICE_UNAVAILABLE"]);

/** The outcome label of a metric: "OK", a code of the closed set, or "OTHER" for anything else. */
export function outcomeLabel(outcome: unknown): string {
  if (outcome === "OK") return "OK";
  return typeof outcome === "string" && EDGE_CODES.has(outcome) ? outcome : "OTHER";
}
