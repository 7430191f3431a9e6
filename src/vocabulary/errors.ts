/**
 * The client-facing error: the closed set of codes the edge emits, the error every layer throws
 * to say one of them, and the words derived from the set (a metric's outcome label, the codes
 * of refused requests). The GraphQL edge (src/server/format-error.ts) turns these into
 * `extensions.code` and friends exactly as docs/api.md "Errors" lists them. A leaf: it imports
 * only the other vocabulary modules, so no layer depends on another to say "unauthenticated".
 */
import type { SupplierName } from "./suppliers.js";

/**
 * Every `extensions.code` the edge can emit: docs/errors.md, plus the codes GraphQL servers
 * give refused requests and the gateway's own additions (docs/errors.md lists each; a test
 * walks the table against this list). One closed set: metrics label outcomes only with these
 * (hardening issue, item 1) and nothing outside it reaches a client (issue 17, item 3).
 */
export const ERROR_CODES = [
  "BAD_USER_INPUT",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "UNSUPPORTED_OPERATION",
  "IDEMPOTENCY_KEY_REUSED",
  "REQUEST_IN_PROGRESS",
  "ORDER_NOT_FOUND",
  "NOT_VOIDABLE",
  "VOID_OFFER_EXPIRED",
  "VOID_DEADLINE_EXCEEDED",
  "VOID_ALREADY_SUBMITTED",
  "VOID_IN_PROGRESS",
  "TICKET_NOT_FOUND",
  "TICKET_ALREADY_USED",
  "WRONG_ORDER_NUMBER",
  "VOID_PAYMENT_METHOD_UNSUPPORTED",
  "VOID_ROUTE_UNSUPPORTED",
  "STOP_ISSUANCE_REJECTED",
  "CANCEL_REJECTED",
  "SUPPLIER_REJECTED_REQUEST",
  "SUPPLIER_AUTH_FAILED",
  "SUPPLIER_RATE_LIMITED",
  "SUPPLIER_UNAVAILABLE",
  "SUPPLIER_TIMEOUT",
  "SUPPLIER_BAD_RESPONSE",
  "SUPPLIER_OUTCOME_UNKNOWN",
  "TOO_MANY_SUBSCRIPTIONS",
  // Requests refused before anything ran (Apollo Server, graphql-ws, the gateway's HTTP checks).
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_IN_LIST",
  "OPERATION_RESOLUTION_FAILURE",
  // The gateway's own store is unreachable (src/store/errors.ts).
  "SERVICE_UNAVAILABLE",
  "INTERNAL_SERVER_ERROR",
] as const;

/** One code of the closed set. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error the client is meant to see: a code, a message, and optional extra extensions. */
export class GatewayError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra extensions (mutable so an edge can add context, e.g. a hint). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "GatewayError";
  }

  /**
   * The `extensions` object of the GraphQL error. One that names a supplier (the gateway's own
   * answer about a supplier call, e.g. VOID_ALREADY_SUBMITTED from its records) carries
   * supplierCode and supplierMessage like a SupplierError: null, as the supplier said nothing.
   */
  extensions(): Record<string, unknown> {
    if (this.extra.supplier === undefined) return { code: this.code, ...this.extra };
    return { code: this.code, supplierCode: null, supplierMessage: null, ...this.extra };
  }
}

/** What a supplier error carries besides its gateway code (docs/api.md: supplier errors). */
export interface SupplierErrorDetails {
  supplier: SupplierName;
  /** The supplier's own code, as a string ("822", "isv.invalid-parameter", "HTTP 503"). */
  supplierCode?: string;
  supplierMessage?: string;
  retryable: boolean;
  hint?: string;
  /** Extra extensions, e.g. `voidCode` for VOID_ALREADY_SUBMITTED. */
  extra?: Record<string, unknown>;
  /**
   * True when the transport failed: no connection, a lost or late reply, an HTTP 5xx. Only
   * these count towards a supplier's circuit breaker (issue B.5); an answer the gateway cannot
   * read, or a supplier's business code, is about one call, not about the supplier being down.
   * @default false
   */
  transportFailure?: boolean;
  /**
   * True when the call never left the gateway (the circuit open, no free slot): the supplier
   * was not asked, so a check that failed this way did not check anything. @default false
   */
  notSent?: boolean;
  /**
   * How many times, at most, a read may be sent again after this answer, where the supplier's
   * document allows fewer than the gateway's setting (a status after which it "may retry once"),
   * or where an immediate repeat cannot help (a redirect: 0). Never part of the API.
   */
  retriesAllowed?: number;
}

/**
 * A failure that came from (or on the way to) a supplier. Keeps the supplier's own code and
 * message so support staff can look it up, and says whether trying again may help.
 */
export class SupplierError extends GatewayError {
  readonly supplier: SupplierName;
  readonly supplierCode?: string;
  readonly supplierMessage?: string;
  readonly retryable: boolean;
  readonly hint?: string;
  /** See SupplierErrorDetails.transportFailure; never part of the API. */
  readonly transportFailure: boolean;
  /** See SupplierErrorDetails.notSent; never part of the API. */
  readonly notSent: boolean;
  /** See SupplierErrorDetails.retriesAllowed; never part of the API. */
  readonly retriesAllowed?: number;

  constructor(code: ErrorCode, message: string, details: SupplierErrorDetails) {
    super(code, message, details.extra ?? {});
    this.name = "SupplierError";
    this.supplier = details.supplier;
    this.supplierCode = details.supplierCode;
    this.supplierMessage = details.supplierMessage;
    this.retryable = details.retryable;
    this.hint = details.hint;
    this.transportFailure = details.transportFailure ?? false;
    this.notSent = details.notSent ?? false;
    this.retriesAllowed = details.retriesAllowed;
  }

  override extensions(): Record<string, unknown> {
    // supplierCode and supplierMessage are always there (API.md: supplier errors carry them);
    // null when the supplier said nothing (no connection, no reply, the circuit open).
    const ext: Record<string, unknown> = {
      code: this.code,
      supplier: this.supplier,
      supplierCode: this.supplierCode ?? null,
      supplierMessage: this.supplierMessage ?? null,
      retryable: this.retryable,
    };
    if (this.hint !== undefined) ext.hint = this.hint;
    return { ...ext, ...this.extra, code: this.code };
  }
}

/** What a client should do after SUPPLIER_OUTCOME_UNKNOWN (docs/api.md: "query before retrying"). */
export const OUTCOME_HINT = "The supplier may or may not have processed the request. Query its state before trying again.";

/** BAD_USER_INPUT naming the offending field; thrown before any supplier is called. */
export function badInput(field: string, problem: string): GatewayError {
  return new GatewayError("BAD_USER_INPUT", `${field}: ${problem}`, { field });
}

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
