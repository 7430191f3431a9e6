/**
 * The one HTTP client every supplier datasource uses: node-fetch with keep-alive agents, a
 * per-call timeout that also covers reading the body, gzip decoding, and the translation of
 * transport failures into the gateway's supplier error codes (API.md, "Errors").
 *
 * It never retries. Whether a call may be repeated is the caller's business; a call that
 * changes supplier state (void.do, stopTicket.do, cancels) must not be, so for those a lost
 * reply becomes SUPPLIER_OUTCOME_UNKNOWN rather than a timeout or an outage.
 */
import http from "node:http";
import https from "node:https";
import fetch, { FetchError } from "node-fetch";
import { SupplierError, type SupplierName } from "./errors.js";

/** One supplier call as the transport sees it. */
export interface HttpCall {
  supplier: SupplierName;
  /** The supplier's name for the call, for errors and logs (e.g. "void.do"). */
  operation: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** True when the call changes supplier state: a lost reply is then SUPPLIER_OUTCOME_UNKNOWN. */
  changesState: boolean;
}

/** A reply that arrived whole with a 2xx status. */
export interface HttpReply {
  status: number;
  text: string;
}

/** What the transport reports about each call, for logs and metrics. Never carries credentials. */
export interface CallRecord {
  supplier: SupplierName;
  operation: string;
  durationMs: number;
  /** "OK" (HTTP 2xx received) or the gateway error code of the transport failure. */
  outcome: string;
  httpStatus?: number;
}
export type CallObserver = (call: CallRecord) => void;

/** Codes that mean the request never reached the supplier, so even a state change did not happen. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

const OUTCOME_HINT =
  "The supplier may or may not have processed the request. Query its state before trying again.";

/** Shared keep-alive transport. One instance per gateway; `close()` on shutdown. */
export class SupplierHttp {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 128 });

  constructor(private readonly observe: CallObserver = () => undefined) {}

  /** POSTs and returns the 2xx reply text, or throws a SupplierError. */
  async post(call: HttpCall): Promise<HttpReply> {
    const started = performance.now();
    let status: number | undefined;
    try {
      const reply = await this.send(call);
      status = reply.status;
      this.observe({ supplier: call.supplier, operation: call.operation, durationMs: performance.now() - started, outcome: "OK", httpStatus: status });
      return reply;
    } catch (err) {
      const outcome = err instanceof SupplierError ? err.code : "INTERNAL_SERVER_ERROR";
      const httpStatus = err instanceof SupplierError && err.supplierCode?.startsWith("HTTP ") ? Number(err.supplierCode.slice(5)) : undefined;
      this.observe({ supplier: call.supplier, operation: call.operation, durationMs: performance.now() - started, outcome, httpStatus });
      throw err;
    }
  }

  private async send(call: HttpCall): Promise<HttpReply> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, call.timeoutMs);
    try {
      const res = await fetch(call.url, {
        method: "POST",
        headers: call.headers,
        body: call.body,
        signal: controller.signal,
        agent: (url) => (url.protocol === "https:" ? this.httpsAgent : this.httpAgent),
      }).catch((err: unknown) => {
        throw transportError(call, err, timedOut);
      });
      let text: string;
      try {
        text = await res.text();
      } catch (err) {
        if (timedOut) throw transportError(call, err, true);
        throw unreadableReply(call, `the reply body could not be read (${describe(err)})`);
      }
      if (res.status < 200 || res.status >= 300) throw httpStatusError(call, res.status, res.headers.get("retry-after"));
      return { status: res.status, text };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return (err as NodeJS.ErrnoException).code ?? err.message;
  return String(err);
}

function transportError(call: HttpCall, err: unknown, timedOut: boolean): SupplierError {
  const base = { supplier: call.supplier, supplierCode: undefined };
  if (timedOut) {
    if (call.changesState) {
      return new SupplierError(
        "SUPPLIER_OUTCOME_UNKNOWN",
        `${call.supplier} ${call.operation} did not answer within ${call.timeoutMs} ms; the gateway did not resend it`,
        { ...base, retryable: false, hint: OUTCOME_HINT },
      );
    }
    return new SupplierError(
      "SUPPLIER_TIMEOUT",
      `${call.supplier} ${call.operation} did not answer within ${call.timeoutMs} ms`,
      { ...base, retryable: true },
    );
  }
  const code = err instanceof FetchError ? (err.code ?? err.errno ?? "") : "";
  const detail = describe(err);
  if (!NOT_SENT.has(String(code)) && call.changesState) {
    return new SupplierError(
      "SUPPLIER_OUTCOME_UNKNOWN",
      `${call.supplier} ${call.operation} lost its connection (${detail}); the gateway did not resend it`,
      { ...base, retryable: false, hint: OUTCOME_HINT },
    );
  }
  return new SupplierError("SUPPLIER_UNAVAILABLE", `${call.supplier} could not be reached (${detail})`, {
    ...base,
    retryable: true,
  });
}

function httpStatusError(call: HttpCall, status: number, retryAfter: string | null): SupplierError {
  const base = { supplier: call.supplier, supplierCode: `HTTP ${status}` };
  if (status === 429) {
    const retryAfterSeconds = retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined;
    return new SupplierError("SUPPLIER_RATE_LIMITED", `${call.supplier} is rate-limiting the gateway (HTTP 429)`, {
      ...base,
      retryable: true,
      hint: "Slow down and try again later.",
      extra: retryAfterSeconds === undefined ? {} : { retryAfterSeconds },
    });
  }
  if (status === 401 || status === 403) {
    return new SupplierError("SUPPLIER_AUTH_FAILED", `${call.supplier} refused the gateway's credentials (HTTP ${status})`, {
      ...base,
      retryable: false,
      hint: "Check the gateway's supplier credentials.",
    });
  }
  if (status >= 500) {
    // A 5xx is an answer, not a lost reply, but for a state-changing call it does not prove
    // that nothing happened, so it must not be repeated blindly.
    return new SupplierError("SUPPLIER_UNAVAILABLE", `${call.supplier} answered HTTP ${status} to ${call.operation}`, {
      ...base,
      retryable: !call.changesState,
      hint: call.changesState ? OUTCOME_HINT : undefined,
    });
  }
  return new SupplierError("SUPPLIER_REJECTED_REQUEST", `${call.supplier} rejected ${call.operation} with HTTP ${status}`, {
    ...base,
    retryable: false,
  });
}

/**
 * The reply arrived but cannot be understood (unparseable, wrong shape, undecodable body).
 * For a state-changing call that means its outcome is unknown.
 */
export function unreadableReply(call: Pick<HttpCall, "supplier" | "operation" | "changesState">, detail: string): SupplierError {
  if (call.changesState) {
    return new SupplierError(
      "SUPPLIER_OUTCOME_UNKNOWN",
      `${call.supplier} ${call.operation} sent a reply the gateway cannot read (${detail}); the gateway did not resend it`,
      { supplier: call.supplier, retryable: false, hint: OUTCOME_HINT },
    );
  }
  return new SupplierError("SUPPLIER_BAD_RESPONSE", `${call.supplier} ${call.operation} sent an unexpected reply (${detail})`, {
    supplier: call.supplier,
    retryable: false,
  });
}
