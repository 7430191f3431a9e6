/**
 * TOP errors → gateway errors (docs/errors.md; codes in docs/suppliers/alitrip.md). An `isp.*`
 * sub code (the platform's fault: retry later) decides first, then a platform check's code (see
 * platformCheck), then an `isv.*` sub code (the caller's fault: fix the request), then the
 * top-level code's range. A code outside the platform's list (and no isp./isv. sub code) is an
 * answer the gateway cannot interpret: SUPPLIER_OUTCOME_UNKNOWN for a state-changing call such
 * as order.cancel (issue B.6), SUPPLIER_BAD_RESPONSE for a read.
 */
import { unreadableReply } from "../errors.js";
import { OUTCOME_HINT, SupplierError, type ErrorCode } from "../../src/vocabulary/errors.js";

export interface TopErrorBody {
  code: number;
  msg?: string | null;
  sub_code?: string | null;
  sub_msg?: string | null;
}

/**
 * isv sub codes read as "no such order". An assumption: the platform's list is unpublished and
 * these are the simulator's (docs/suppliers/alitrip.md "Unconfirmed assumptions").
 */
const ORDER_NOT_FOUND_SUB_CODES = new Set(["isv.order-not-exist", "isv.order-not-found"]);

/** Top-level TOP code → gateway code. */
function topCodeToGateway(code: number): { code: ErrorCode; retryable: boolean } | undefined {
  if (code >= 4 && code <= 8) return { code: "SUPPLIER_RATE_LIMITED", retryable: true };
  if (code === 10 || code === 15 || code === 50) return { code: "SUPPLIER_UNAVAILABLE", retryable: true };
  if ((code >= 11 && code <= 13) || (code >= 24 && code <= 29)) return { code: "SUPPLIER_AUTH_FAILED", retryable: false };
  if (code === 9 || (code >= 21 && code <= 23) || code === 30 || code === 31 || (code >= 32 && code <= 34) || (code >= 40 && code <= 43)) {
    return { code: "SUPPLIER_REJECTED_REQUEST", retryable: false };
  }
  return undefined;
}

/**
 * The platform's own checks: the codes under 100 but 15, 40 and 41 (the platform's guidance),
 * and 50, which the supplier's sample pairs with a business (`isv.`) sub code. These fail before
 * the method's provider is reached, so their code says what went wrong.
 */
function platformCheck(code: number): { code: ErrorCode; retryable: boolean } | undefined {
  return code < 100 && code !== 15 && code !== 40 && code !== 41 && code !== 50 ? topCodeToGateway(code) : undefined;
}

/** A business sub code → gateway code: `isp.*` is the platform's fault, `isv.*` the caller's. */
function bySubCode(sub: string): { code: ErrorCode; retryable: boolean } | undefined {
  if (sub.startsWith("isp.")) return { code: "SUPPLIER_UNAVAILABLE", retryable: true };
  if (ORDER_NOT_FOUND_SUB_CODES.has(sub)) return { code: "ORDER_NOT_FOUND", retryable: false };
  if (sub.startsWith("isv.")) return { code: "SUPPLIER_REJECTED_REQUEST", retryable: false };
  return undefined;
}

export function topError(method: string, body: TopErrorBody, changesState: boolean): SupplierError {
  const sub = body.sub_code ?? "";
  const supplierCode = sub ? `${body.code}/${sub}` : String(body.code);
  const supplierMessage = [body.msg, body.sub_msg].filter(Boolean).join(": ") || undefined;
  const details = { supplier: "ALITRIP" as const, supplierCode, supplierMessage };
  // The platform's own checks (permissions, app key, signature, limits) decide by their code
  // over an `isv.` sub code: 11 comes with `isv.permission-api-package-limit`, 29 with
  // `isv.appkey-not-exists` (black-box probe, thirty-first session). An `isp.` sub code, a fault
  // on the platform's side that may come after a cancel took effect, still decides first.
  const mapped = (sub.startsWith("isp.") ? undefined : platformCheck(body.code)) ?? bySubCode(sub) ?? topCodeToGateway(body.code);
  if (!mapped) {
    return unreadableReply(
      { supplier: "ALITRIP", operation: method, changesState },
      `error code ${body.code} is not in the platform's list`,
      {
        supplierCode,
        supplierMessage,
      },
    );
  }
  // A server-side fault on a cancel may come after the cancel took effect: the gateway treats
  // its outcome as unknown (src/tracking/outcome.ts), so the client is told to query first.
  const hint =
    mapped.code === "SUPPLIER_AUTH_FAILED"
      ? "Check ALITRIP_APP_KEY, ALITRIP_APP_SECRET, ALITRIP_SESSION and ALITRIP_SIGN_METHOD."
      : mapped.code === "SUPPLIER_UNAVAILABLE"
        ? changesState
          ? OUTCOME_HINT
          : "The platform reported a server-side fault; try again later."
        : undefined;
  return new SupplierError(mapped.code, `Alitrip ${method} failed: ${supplierMessage ?? supplierCode}`, {
    ...details,
    // A state-changing call is only safe to resend when the platform throttled it.
    retryable: mapped.retryable && (!changesState || mapped.code === "SUPPLIER_RATE_LIMITED"),
    hint,
  });
}

/**
 * The error order.cancel gets for an order the platform does not know (code 50 with sub code
 * isv.order-not-exist: the simulator's reading, see ORDER_NOT_FOUND_SUB_CODES). The gateway
 * answers this, unsent, when another tenant owns the order (hardening issue, item 4).
 */
export function topUnknownOrder(method: string): SupplierError {
  return topError(method, { code: 50, msg: "Remote service error", sub_code: "isv.order-not-exist", sub_msg: "订单不存在" }, true);
}
