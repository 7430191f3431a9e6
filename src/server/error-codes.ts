/**
 * What the edge does with the closed set of codes (datasources/errors.ts `ERROR_CODES`): which
 * codes a GraphQL server's own errors may keep, and the outcome label of a metric.
 */
import { ERROR_CODES, type ErrorCode } from "../../datasources/errors.js";

const CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/** Whether `code` is one of the closed set. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && CODES.has(code);
}

/**
 * Codes GraphQL servers (Apollo, graphql-ws, our own request checks) give bad requests; their
 * messages are about the client's request and safe to show (src/server/format-error.ts).
 */
export const REQUEST_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_USER_INPUT",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_IN_LIST",
  "OPERATION_RESOLUTION_FAILURE",
  "UNAUTHENTICATED",
  "FORBIDDEN",
]);

/**
 * The outcome label of a metric: "OK", a code of the closed set, or "OTHER" for anything else,
 * so a caller can never add a label value (hardening issue, item 1).
 */
export function outcomeLabel(outcome: unknown): string {
  if (outcome === "OK") return "OK";
  return isErrorCode(outcome) ? outcome : "OTHER";
}

/** A GraphQL-shaped error answer for a request refused before GraphQL ran. */
export function errorBody(message: string, code: ErrorCode): { errors: [{ message: string; extensions: { code: ErrorCode } }] } {
  return { errors: [{ message, extensions: { code } }] };
}
