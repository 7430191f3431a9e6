/**
 * The one HTTP client every supplier datasource uses: undici's `request` over a keep-alive
 * connection pool, a per-call timeout that also covers reading the body, decoding of gzip (or
 * deflate, br) replies, and the translation of transport failures into the gateway's supplier
 * error codes (docs/errors.md).
 *
 * undici replaced node-fetch after a measurement (`npm run bench:supplier-http`): one gzip
 * voidQuotation.do cost ~900 µs of client CPU through node-fetch (WHATWG streams, a zlib stream
 * and an AbortController per pipeline) and ~180 µs through undici's request with the whole
 * small reply decoded in one step.
 *
 * It never retries. Whether a call may be repeated is the caller's business; a call that
 * changes supplier state (void.do, stopTicket.do, cancels) must not be, so for those a lost
 * reply becomes SUPPLIER_OUTCOME_UNKNOWN rather than a timeout or an outage.
 *
 * An attempt's timeout is the call's `timeoutMs`, cut to what is left of the deadline of the
 * client call it belongs to (the call's scope, deadline.ts, issue B.12); with nothing left it is not sent.
 *
 * With tracing on, undici's instrumentation records each request and injects `traceparent`
 * into it; a supplier whose trace propagation is switched off gets no trace header (its
 * request is still recorded; src/telemetry/propagator.ts).
 */
import { EventEmitter } from "node:events";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { Agent } from "undici";
import { withoutPropagation } from "../src/telemetry/spans.js";
import type { CallScope } from "./deadline.js";
import { decodeText } from "./charset.js";
import { unreadableReply } from "./errors.js";
import { OUTCOME_HINT, SupplierError } from "../src/vocabulary/errors.js";
import { redactSecrets } from "./redact.js";
import { statusBodyMessage } from "./status-body.js";
import { parseHttpDate } from "./http-date.js";
import { type SupplierName } from "../src/vocabulary/suppliers.js";

/** Call URLs kept parsed; more (a misconfiguration) are parsed per call. */
const MAX_TARGETS = 64;

/** One supplier call as the transport sees it. */
export interface HttpCall {
  supplier: SupplierName;
  /** The supplier's name for the call, for errors and logs (e.g. "void.do"). */
  operation: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The most this attempt may take; less when the client call's deadline is nearer. */
  timeoutMs: number;
  /** True when the call changes supplier state: a lost reply is then SUPPLIER_OUTCOME_UNKNOWN. */
  changesState: boolean;
  /** The request it serves and the client call's deadline, when there are. */
  scope?: CallScope;
  /**
   * Credentials this call sends or signs with. A supplier (or a proxy before it) that echoes
   * the request must not hand them on to a client, a log, a span or the store: each is replaced
   * by `[redacted]` in the reply before anything reads it (redactSecrets).
   */
  secrets?: readonly string[];
}

/** A reply that arrived whole with a 2xx status. */
export interface HttpReply {
  status: number;
  /** The body, the call's credentials redacted (redactSecrets). */
  text: string;
  /** The call's credentials, for what is read out of the body's JSON (../errors.ts `replyJson`). */
  secrets?: readonly string[];
}

/** What the transport reports about each call, for logs and metrics. Never carries credentials. */
export interface CallRecord {
  supplier: SupplierName;
  operation: string;
  durationMs: number;
  /** "OK" (a 2xx reply the caller could read) or the gateway error code the call failed with. */
  outcome: string;
  httpStatus?: number;
  /** The request the call served; none for background calls (polls, webhook confirmations). */
  requestId?: string;
  /** The tenant whose call it was, where the call went through a tenant's queue (every call of an operation or a poll). */
  tenant?: string;
}
export type CallObserver = (call: CallRecord) => void;

/** Codes that mean the request never reached the supplier, so even a state change did not happen. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/** Replies larger than this are refused (a supplier reply is a few KB). */
const MAX_REPLY_BYTES = 8 * 1024 * 1024;
/** Compressed replies up to this size are decoded in one synchronous step; larger ones off the event loop. */
const SYNC_DECODE_BYTES = 64 * 1024;

/** The most of a non-2xx reply's body read for what the supplier said (./status-body.ts), before and after decoding. */
const STATUS_BODY_BYTES = 16 * 1024;

type ZlibOptions = zlib.ZlibOptions & zlib.BrotliOptions;
const DECODERS: Record<string, { sync: (b: Buffer, o?: ZlibOptions) => Buffer; async: (b: Buffer, o: ZlibOptions) => Promise<Buffer> }> = {
  gzip: { sync: zlib.gunzipSync, async: promisify(zlib.gunzip) },
  "x-gzip": { sync: zlib.gunzipSync, async: promisify(zlib.gunzip) },
  deflate: { sync: zlib.inflateSync, async: promisify(zlib.inflate) },
  br: { sync: zlib.brotliDecompressSync, async: promisify(zlib.brotliDecompress) },
};
/** A decoded reply is bounded like a plain one: a few KB of gzip can decode to gigabytes. */
const DECODED_LIMIT = { maxOutputLength: MAX_REPLY_BYTES };

/**
 * What a non-2xx reply's body said (./status-body.ts): read only when it is small and JSON or
 * text, decoded to at most STATUS_BODY_BYTES; undefined otherwise or when it cannot be read.
 */
function statusBodySaid(
  raw: Buffer,
  encoding: string | string[] | undefined,
  contentType: string | null,
  secrets: readonly string[] | undefined,
): string | undefined {
  if (raw.length > STATUS_BODY_BYTES || !/json|^\s*text\/plain/i.test(contentType ?? "")) return undefined;
  const name = encodingName(encoding);
  try {
    const plain = name === undefined ? raw : DECODERS[name]?.sync(raw, { maxOutputLength: STATUS_BODY_BYTES });
    // Redacted before and after: the message is read out of JSON, whose escapes can hide a credential.
    const said = plain && statusBodyMessage(redactSecrets(decodeText(plain, contentType), secrets), contentType ?? undefined);
    return said && redactSecrets(said, secrets);
  } catch {
    return undefined;
  }
}

/** The reply's Content-Encoding, lowercase; undefined when the body is not encoded. */
function encodingName(encoding: string | string[] | undefined): string | undefined {
  const name = (Array.isArray(encoding) ? encoding.join(",") : (encoding ?? "")).trim().toLowerCase();
  return name === "" || name === "identity" ? undefined : name;
}

/**
 * Undoes the reply's Content-Encoding and reads it in its charset (./charset.ts); throws on an
 * unknown encoding or charset, bytes not valid in their charset, or a corrupt body.
 */
async function decode(body: Buffer, encoding: string | string[] | undefined, contentType: string | null): Promise<string> {
  const name = encodingName(encoding);
  if (name === undefined) return decodeText(body, contentType, true);
  const decoder = DECODERS[name];
  if (!decoder) throw new Error(`unsupported Content-Encoding "${name}"`);
  const plain = body.length <= SYNC_DECODE_BYTES ? decoder.sync(body, DECODED_LIMIT) : await decoder.async(body, DECODED_LIMIT);
  return decodeText(plain, contentType, true);
}

/** Options of the transport. */
export interface SupplierHttpOptions {
  /** Suppliers that must receive no trace context (`<SUPPLIER>_TRACE_PROPAGATION=false`). @default none */
  noTracePropagation?: ReadonlySet<string>;
}

/** Shared keep-alive transport. One instance per gateway; `close()` on shutdown. */
export class SupplierHttp {
  private readonly pool = new Agent({ connections: 128, keepAliveTimeout: 30_000, maxResponseSize: MAX_REPLY_BYTES });
  private readonly quiet: ReadonlySet<string>;
  /** Each call URL as the pool takes it, parsed once: a supplier is called at a handful of URLs. */
  private readonly targets = new Map<string, { origin: string; path: string }>();

  private readonly observe: CallObserver;

  /** `observers`: each is told of every call (metrics, logs), in order. */
  constructor(observers: readonly CallObserver[] = [], options: SupplierHttpOptions = {}) {
    this.quiet = options.noTracePropagation ?? new Set();
    this.observe = (call) => {
      for (const o of observers) o(call);
    };
  }

  /**
   * POSTs and returns the 2xx reply, or what `read` makes of it; throws a SupplierError. The
   * observers are told the call's outcome after `read`: a reply it refuses (not JSON, a supplier
   * error code) counts under the code it threw, not as OK.
   */
  post(call: HttpCall): Promise<HttpReply>;
  post<T>(call: HttpCall, read: (reply: HttpReply) => T): Promise<T>;
  async post<T>(call: HttpCall, read?: (reply: HttpReply) => T): Promise<T | HttpReply> {
    const started = performance.now();
    let status: number | undefined;
    try {
      const reply = await this.send(call);
      status = reply.status;
      const result = read ? read(reply) : reply;
      this.observe({
        supplier: call.supplier,
        operation: call.operation,
        durationMs: performance.now() - started,
        outcome: "OK",
        httpStatus: status,
        requestId: call.scope?.requestId,
        tenant: call.scope?.tenant,
      });
      return result;
    } catch (err) {
      const outcome = err instanceof SupplierError ? err.code : "INTERNAL_SERVER_ERROR";
      const httpStatus =
        status ?? (err instanceof SupplierError && err.supplierCode?.startsWith("HTTP ") ? Number(err.supplierCode.slice(5)) : undefined);
      this.observe({
        supplier: call.supplier,
        operation: call.operation,
        durationMs: performance.now() - started,
        outcome,
        httpStatus,
        requestId: call.scope?.requestId,
        tenant: call.scope?.tenant,
      });
      throw err;
    }
  }

  private async send(original: HttpCall): Promise<HttpReply> {
    const left = original.scope?.deadline?.remainingMs();
    if (left !== undefined && left <= 0) throw budgetSpent(original);
    // A call that changes state is not sent with less than half its time left (it waited for a
    // slot): cut short, its outcome would be unknown; unsent, the client can simply try again.
    if (left !== undefined && original.changesState && left < original.timeoutMs / 2) throw budgetSpent(original, left);
    const call = left === undefined || left >= original.timeoutMs ? original : { ...original, timeoutMs: left };
    // undici takes an EventEmitter as the abort signal: an 'abort' event ends the request or its
    // body like an AbortSignal would, for a tenth of an AbortController's cost on Node 20 (0.5 against 4.3 µs).
    const abort = new EventEmitter();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.emit("abort");
    }, call.timeoutMs);
    try {
      const { origin, path } = this.target(call.url);
      // The pool's own request, not undici's top-level one, which parses the URL and copies the options on every call.
      const send = () => this.pool.request({ origin, path, method: "POST", headers: call.headers, body: call.body, signal: abort });
      const res = await (this.quiet.has(call.supplier) ? withoutPropagation(send) : send()).catch((err: unknown) => {
        throw transportError(call, err, timedOut, original.timeoutMs);
      });
      let raw: Buffer;
      try {
        raw = Buffer.from(await res.body.arrayBuffer());
      } catch (err) {
        if (errorCode(err) === "UND_ERR_RES_EXCEEDED_MAX_SIZE")
          throw unreadableReply(call, `the reply is larger than ${MAX_REPLY_BYTES} bytes`);
        // The connection broke (or the timer fired) while the body was arriving: the transport's fault.
        throw transportError(call, err, timedOut, original.timeoutMs);
      }
      if (res.statusCode < 200 || res.statusCode >= 300) {
        const said = statusBodySaid(raw, res.headers["content-encoding"], header(res.headers["content-type"]), call.secrets);
        throw httpStatusError(call, res.statusCode, header(res.headers["retry-after"]), said);
      }
      let text: string;
      try {
        text = await decode(raw, res.headers["content-encoding"], header(res.headers["content-type"]));
      } catch (err) {
        const why = errorCode(err) === "ERR_BUFFER_TOO_LARGE" ? `it decodes to more than ${MAX_REPLY_BYTES} bytes` : describe(err);
        throw unreadableReply(call, `the reply body could not be read (${why})`);
      }
      return { status: res.statusCode, text: redactSecrets(text, call.secrets), secrets: call.secrets };
    } finally {
      clearTimeout(timer);
    }
  }

  private target(url: string): { origin: string; path: string } {
    let t = this.targets.get(url);
    if (!t) {
      const u = new URL(url);
      t = { origin: u.origin, path: `${u.pathname}${u.search}` };
      if (this.targets.size < MAX_TARGETS) this.targets.set(url, t);
    }
    return t;
  }

  /** Closes the keep-alive connections. */
  close(): Promise<void> {
    return this.pool.destroy();
  }
}

function header(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/** The error's code (undici's UND_ERR_* or the socket's ECONNREFUSED…), else its message. */
function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = e?.code ?? e?.cause?.code;
  return typeof code === "string" ? code : undefined;
}

function describe(err: unknown): string {
  if (err instanceof Error) return errorCode(err) ?? err.message;
  return String(err);
}

/**
 * The client call's deadline passed before this attempt could be sent, or left a state-changing
 * call less than half its timeout (`leftMs`): nothing reached the supplier.
 */
function budgetSpent(call: HttpCall, leftMs?: number): SupplierError {
  const why = leftMs === undefined ? "the call's time was used up" : `only ${leftMs} of its ${call.timeoutMs} ms were left`;
  return new SupplierError("SUPPLIER_TIMEOUT", `${call.supplier} ${call.operation} was not sent: ${why}`, {
    supplier: call.supplier,
    retryable: true,
    notSent: true,
  });
}

/**
 * A failed attempt as the client is told it. `configuredMs` is the supplier's timeout: an attempt
 * cut to what was left of the client call's deadline says so, or "within 551 ms" read as a
 * misconfigured timeout (property-based probe, thirty-second session).
 */
function transportError(call: HttpCall, err: unknown, timedOut: boolean, configuredMs: number): SupplierError {
  const base = { supplier: call.supplier, supplierCode: undefined, transportFailure: true };
  if (timedOut) {
    const within =
      call.timeoutMs < configuredMs
        ? `within ${call.timeoutMs} ms (what was left of the client call's time; the timeout is ${configuredMs} ms)`
        : `within ${call.timeoutMs} ms`;
    if (call.changesState) {
      return new SupplierError(
        "SUPPLIER_OUTCOME_UNKNOWN",
        `${call.supplier} ${call.operation} did not answer ${within}; the gateway did not resend it`,
        { ...base, retryable: false, hint: OUTCOME_HINT },
      );
    }
    return new SupplierError("SUPPLIER_TIMEOUT", `${call.supplier} ${call.operation} did not answer ${within}`, {
      ...base,
      retryable: true,
    });
  }
  const detail = describe(err);
  if (!call.changesState && (err as Error | undefined)?.name === "HTTPParserError") {
    // The reply arrived but is not HTTP (a broken server or proxy): "not parseable" (API.md), and
    // the breaker counts it as it counts a dropped connection. A state-changing call's outcome is
    // then unknown, below.
    return new SupplierError(
      "SUPPLIER_BAD_RESPONSE",
      `${call.supplier} ${call.operation} sent a reply that is not valid HTTP (${detail})`,
      {
        ...base,
        retryable: false,
      },
    );
  }
  if (!NOT_SENT.has(errorCode(err) ?? "") && call.changesState) {
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

/** A Retry-After header (seconds, or an HTTP date) as whole seconds from now; undefined when absent or unreadable. */
export function retryAfterSecondsOf(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const at = parseHttpDate(value, now);
  return at === undefined ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

function httpStatusError(call: HttpCall, status: number, retryAfter: string | null, supplierMessage: string | undefined): SupplierError {
  const base = { supplier: call.supplier, supplierCode: `HTTP ${status}` };
  const retryAfterSeconds = retryAfterSecondsOf(retryAfter);
  if (status === 429) {
    return new SupplierError("SUPPLIER_RATE_LIMITED", `${call.supplier} is rate-limiting the gateway (HTTP 429)`, {
      ...base,
      supplierMessage,
      retryable: true,
      hint: "Slow down and try again later.",
      extra: retryAfterSeconds === undefined ? {} : { retryAfterSeconds },
    });
  }
  if (status === 401 || status === 403) {
    // Its body is not passed on: it would describe the gateway's own account to a tenant.
    return new SupplierError("SUPPLIER_AUTH_FAILED", `${call.supplier} refused the gateway's credentials (HTTP ${status})`, {
      ...base,
      retryable: false,
      hint: "Check the gateway's supplier credentials.",
    });
  }
  if (status >= 500) {
    // A 5xx is an answer, not a lost reply, but for a state-changing call it does not prove
    // that nothing happened, so it must not be repeated blindly. A read's Retry-After (503) is
    // kept: the retry waits for it, and the client is told it.
    return new SupplierError("SUPPLIER_UNAVAILABLE", `${call.supplier} answered HTTP ${status} to ${call.operation}`, {
      ...base,
      supplierMessage,
      transportFailure: true,
      retryable: !call.changesState,
      hint: call.changesState ? OUTCOME_HINT : undefined,
      extra: retryAfterSeconds === undefined || call.changesState ? {} : { retryAfterSeconds },
    });
  }
  if (status < 400) {
    // A redirect is not followed (the gateway's credentials go only where it was told): the
    // configured URL is not where the supplier serves. It counts toward the breaker, so a wrong
    // URL opens the circuit and its alert. Only 307 and 308 say the request was not processed
    // ("repeat it there"); a 301, 302 or 303 after a POST is also how a server answers one it
    // acted on (post/redirect/get), so for a state-changing call the outcome is then unknown.
    const mayHaveActed = call.changesState && status !== 307 && status !== 308;
    return new SupplierError("SUPPLIER_UNAVAILABLE", `${call.supplier} answered ${call.operation} with a redirect (HTTP ${status})`, {
      ...base,
      transportFailure: true,
      retryable: !mayHaveActed,
      // The same URL answers the same way until its operator corrects it.
      retriesAllowed: 0,
      hint: mayHaveActed
        ? OUTCOME_HINT
        : "The gateway's URL for this supplier redirects elsewhere, and the gateway follows no redirects: its operator must correct the URL.",
    });
  }
  return new SupplierError("SUPPLIER_REJECTED_REQUEST", `${call.supplier} rejected ${call.operation} with HTTP ${status}`, {
    ...base,
    supplierMessage,
    retryable: false,
  });
}
