/**
 * What a supplier datasource can offer the gateway. A supplier implements the ports of the
 * operations it has; the registry derives "which supplier offers which operation" from them.
 * Every call takes an optional `CallScope` last (deadline.ts): the request it serves and its
 * deadline, handed on to the HTTP transport.
 */
import type { SupplierError } from "../src/vocabulary/errors.js";
import type { CallScope } from "./deadline.js";
import type { SupplierName } from "../src/vocabulary/suppliers.js";
import type { CancelOrderData, CancelOrderRequest, StopAcceptedData, StopOutcomeData, VoidOrderData, VoidQuoteData } from "./model.js";

/** What a supplier says of an earlier submission to an order whose reply was lost. */
export interface SubmittedCheck {
  /** True when the order has a void at the supplier: the earlier submission went through. */
  submitted: boolean;
  /** True when asking made the client's latest offer stale (it must quote again). */
  offerReplaced: boolean;
  /**
   * Set when the answer does not settle it either way (why, for the client): `submitted` is
   * false, yet the earlier submission may have gone through, so nothing is sent.
   */
  inconclusive?: string;
}

/**
 * The supplier's answer that it does not know a reference, with its own code and words when
 * it gave them (its "not found" status; null when it answered with a list that lacks the reference).
 */
export interface NotKnown {
  readonly notKnown: true;
  readonly supplierCode: string | null;
  readonly supplierMessage: string | null;
}

export function notKnown(supplierCode: string | null, supplierMessage: string | null): NotKnown {
  return { notKnown: true, supplierCode, supplierMessage };
}

export function isNotKnown(answer: unknown): answer is NotKnown {
  return typeof answer === "object" && answer !== null && (answer as { notKnown?: unknown }).notKnown === true;
}

/** Void: quote, submit, query. */
export interface VoidPort {
  quote(orderNo: string, scope?: CallScope): Promise<VoidQuoteData>;
  /** Changes supplier state: never retried. */
  submit(orderNo: string, voidOfferId: string, scope?: CallScope): Promise<VoidOrderData>;
  /** The void as the supplier sees it now, or what the supplier said when it does not know the code. */
  query(voidCode: string, scope?: CallScope): Promise<VoidOrderData | NotKnown>;
  /**
   * Optional: whether an earlier submission to the order went through, for a submission whose
   * reply was lost. A supplier without it cannot be asked, so the gateway never submits again
   * for that order (src/tracking/void-submission.ts).
   */
  findSubmitted?(orderNo: string, scope?: CallScope): Promise<SubmittedCheck>;
}

/** Stop ticket issuance: a request now, the outcome later. */
export interface StopIssuancePort {
  /** Changes supplier state: never retried. Resolves when the supplier accepted the attempt. */
  stop(orderNo: string, scope?: CallScope): Promise<StopAcceptedData>;
  /** What the order's state says about the stop right now. */
  outcome(orderNo: string, scope?: CallScope): Promise<StopOutcomeData>;
}

/** Cancel an unticketed (or far-future) order. */
export interface CancelPort {
  /**
   * The input checks that need the adapter's own configuration (a default it fills in), made
   * first: before the order is claimed and before the breaker, so bad input is answered as such
   * (BAD_USER_INPUT) whatever state the supplier is in. Throws; nothing is sent.
   */
  check?(request: CancelOrderRequest): void;
  /** Changes supplier state: never retried. */
  cancel(request: CancelOrderRequest, scope?: CallScope): Promise<CancelOrderData>;
}

/** What a supplier webhook says, in supplier-neutral terms: a hint, never the truth. */
export type WebhookHint =
  | { type: string; kind: "void"; voidCode: string; orderNo: string }
  | { type: string; kind: "ticketed"; orderNo: string }
  | { type: string; kind: "other" };

/** A supplier that pushes webhooks. */
export interface WebhookPort {
  /** Registers the one URL that receives the supplier's webhooks. */
  register(url: string): Promise<void>;
  /** Reads a raw body; throws when it is not the supplier's envelope. */
  interpret(body: string): WebhookHint;
}

/** The operations a tenant performs on an order (hardening issue, item 4: they claim it). */
export type OrderOperation = "VOID_QUOTE" | "VOID_SUBMIT" | "STOP_TICKET_ISSUANCE" | "CANCEL_ORDER";

/** One supplier as the registry knows it. */
export interface SupplierAdapter {
  readonly name: SupplierName;
  /** True when requests go to the embedded simulator. */
  readonly sandbox: boolean;
  /**
   * The supplier's configured timeout: the most one call through the adapter may take,
   * retries included (issue B.12; datasources/deadline.ts).
   */
  readonly timeoutMs: number;
  readonly voids?: VoidPort;
  readonly stopIssuance?: StopIssuancePort;
  readonly cancels?: CancelPort;
  readonly webhooks?: WebhookPort;
  /** False while the gateway has stopped calling it (circuit open). */
  available(): boolean;
  /**
   * The error this supplier's datasource gives when the supplier does not know an order, for
   * one operation. The gateway answers exactly this, without calling the supplier, when another
   * tenant owns the order on a shared account (hardening issue, item 4).
   */
  unknownOrder(operation: OrderOperation): SupplierError;
}
