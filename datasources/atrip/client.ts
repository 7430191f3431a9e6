/**
 * ATRIP transport (docs/suppliers/atrip.md "Transport"): `POST <base>/<name>.do`, JSON body, the five headers
 * on every call, gzip replies, success only when `status == 0` (but the void orders a
 * queryVoidOrders.do reply lists, which decide after most statuses: ENTRIES_DECIDE). Replies are parsed losslessly
 * and their vital fields checked against the wire schemas; a reply without them, or with a
 * status the call's documentation does not list, is SUPPLIER_BAD_RESPONSE (or
 * SUPPLIER_OUTCOME_UNKNOWN for a call that changes state).
 */
import type { z } from "zod";
import type { CallScope } from "../deadline.js";
import type { SupplierHttp } from "../http.js";
import { replyJson, unreadableReply } from "../errors.js";
import { describeZodError } from "../json.js";
import { supplierCall } from "../../src/telemetry/spans.js";
import { atripError } from "./errors.js";
import { MappingError } from "./mapping.js";
import { envelope, orderDetailsReply, queryVoidOrdersReply, voidQuotationReply, voidReply, type AtripEnvelope } from "./wire.js";
import type { SupplierError } from "../../src/vocabulary/errors.js";
import { isToken } from "../../src/vocabulary/tokens.js";

/** Where and as whom to call ATRIP. The secret is never logged. */
export interface AtripConfig {
  /** e.g. https://sandbox.atriptech.com/ — configuration, never a constant (production has several). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Per-call timeout, including reading the reply. */
  timeoutMs: number;
}

/** What the adapter makes of a reply ATRIP accepted; it may throw a MappingError (./mapping.ts). */
export type ReplyMap<R, T> = (reply: R) => T;

/** Calls that change supplier state: never retried, a lost reply is an unknown outcome. */
const STATE_CHANGING = new Set(["stopTicket.do", "void.do", "updateWebhookURL.do"]);

export class AtripClient {
  private readonly base: string;

  constructor(
    private readonly config: AtripConfig,
    private readonly http: SupplierHttp,
  ) {
    this.base = config.baseUrl.endsWith("/") ? config.baseUrl : `${config.baseUrl}/`;
  }

  /**
   * stopTicket.do: 0 means only that ATRIP will *try* to stop issuance (seed 000, docs/suppliers/atrip.md "Sources"). The body
   * carries `cid`, the client id, as seed 001 shows (besides the headers; docs/suppliers/atrip.md: harmless).
   */
  stopTicket<T>(orderNo: string, map: ReplyMap<AtripEnvelope, T>, scope?: CallScope): Promise<T> {
    return this.call("stopTicket.do", { cid: this.config.clientId, orderNo }, envelope, map, scope);
  }

  voidQuotation<T>(orderNo: string, map: ReplyMap<z.output<typeof voidQuotationReply>, T>, scope?: CallScope): Promise<T> {
    return this.call("voidQuotation.do", { orderNo }, voidQuotationReply, map, scope);
  }

  /** void.do with the offer of the latest quotation. Never call it twice for one order. */
  submitVoid<T>(orderNo: string, voidOfferId: string, map: ReplyMap<z.output<typeof voidReply>, T>, scope?: CallScope): Promise<T> {
    return this.call("void.do", { orderNo, voidOfferId }, voidReply, map, scope);
  }

  /**
   * Seed 002: "业务状态判断以 voidStatus 为准。不要用顶层 status 判断废票处理进度" (judge the business state
   * by voidStatus; do not judge a void's progress by the top-level status). So a reply that lists
   * void orders is read after any status ENTRIES_DECIDE holds, and the mapper sees that status.
   * Without entries, 801 ("void order not found") is the reply's envelope, for the mapper to read
   * as nothing found.
   */
  queryVoidOrders<T>(
    voidCode: string,
    map: ReplyMap<z.output<typeof queryVoidOrdersReply> | AtripEnvelope, T>,
    scope?: CallScope,
  ): Promise<T> {
    return this.call("queryVoidOrders.do", { voidCode }, queryVoidOrdersReply, map, scope, [801], listsEntries);
  }

  queryOrderDetails<T>(orderNo: string, map: ReplyMap<z.output<typeof orderDetailsReply>, T>, scope?: CallScope): Promise<T> {
    return this.call("queryOrderDetails.do", { orderNo }, orderDetailsReply, map, scope);
  }

  /** Registers the one URL that receives every webhook type. */
  updateWebhookUrl(url: string): Promise<AtripEnvelope> {
    return this.call("updateWebhookURL.do", { url }, envelope, (reply) => reply);
  }

  /**
   * POSTs one call and returns what `map` makes of its parsed reply. Statuses in `passThrough`
   * are mapped (with the envelope only) instead of thrown, for calls where they mean "nothing
   * found". A reply `readAnyway` accepts is read whatever its status. Traced as one supplier
   * operation (src/telemetry/spans.ts).
   */
  private call<S extends z.ZodType, T>(
    name: string,
    body: Record<string, string>,
    schema: S,
    map: ReplyMap<z.output<S>, T>,
    scope?: CallScope,
    passThrough: number[] = [],
    readAnyway: (status: number, json: unknown) => boolean = () => false,
  ): Promise<T> {
    const changesState = STATE_CHANGING.has(name);
    const meta = { supplier: "ATRIP" as const, operation: name, changesState };
    const send = () =>
      this.http.post(
        {
          scope,
          url: this.base + name,
          timeoutMs: this.config.timeoutMs,
          body: JSON.stringify(body),
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json",
            "Accept-Encoding": "gzip",
            "x-atlas-client-id": this.config.clientId,
            "x-atlas-client-secret": this.config.clientSecret,
          },
          secrets: [this.config.clientSecret],
          ...meta,
        },
        // The mapping runs inside the call, so a reply it refuses counts under the code it throws
        // in the supplier-call metric and log (../http.ts), not as OK.
        (reply): T => {
          const json = replyJson(meta, reply.text, reply.secrets);
          const head = envelope.safeParse(json);
          if (!head.success) throw unreadableReply(meta, describeZodError(head.error));
          if (head.data.status !== 0 && !readAnyway(head.data.status, json)) {
            if (passThrough.includes(head.data.status)) return mapReply(name, head.data, json, () => map(head.data as z.output<S>));
            throw atripError(name, head.data.status, head.data.msg, changesState);
          }
          const parsed = schema.safeParse(json);
          if (!parsed.success) throw withVoidCode(unreadableReply(meta, describeZodError(parsed.error), answerOf(head.data)), json);
          return mapReply(name, head.data, json, () => map(parsed.data));
        },
      );
    return supplierCall("ATRIP", name, send);
  }
}

/**
 * The statuses after which the void orders a queryVoidOrders.do reply lists still decide: those
 * seed 002 lists for the call, and the generic failures -1 and 9999. Not one saying the request
 * was not processed (100, 110, 810, 900, 901, 902), nor one the documentation does not list.
 */
const ENTRIES_DECIDE = new Set([-1, 9999, 801, 803, 805, 808, 814, 815, 816, 817, 818, 820, 822, 824, 841, 843]);

/** Whether a reply with a non-zero `status` lists void orders that still decide (queryVoidOrders.do's `voidOrders`). */
function listsEntries(status: number, json: unknown): boolean {
  const entries = typeof json === "object" && json !== null ? (json as { voidOrders?: unknown }).voidOrders : undefined;
  return ENTRIES_DECIDE.has(status) && Array.isArray(entries) && entries.length > 0;
}

/** What ATRIP answered, for an error the gateway reports about that answer (issue 13, B.6: the supplier's code and message). */
function answerOf(reply: AtripEnvelope): { supplierCode: string; supplierMessage?: string } {
  return { supplierCode: String(reply.status), supplierMessage: reply.msg ?? undefined };
}

/**
 * A void.do answered with status 0 that the gateway cannot read whole still names the void
 * ATRIP accepted: its voidCode goes with the error (extensions.voidCode), so the void can be
 * read by it (src/tracking/void-submission.ts) rather than lost.
 */
function withVoidCode(err: SupplierError, reply: unknown): SupplierError {
  if (err.code !== "SUPPLIER_OUTCOME_UNKNOWN" || typeof reply !== "object" || reply === null) return err;
  const voidCode = (reply as { voidCode?: unknown }).voidCode;
  // Only a code the gateway can take back (./wire.ts `voidCode`): it is read, recorded, queried by.
  if (typeof voidCode === "string" && isToken(voidCode)) err.extra.voidCode = voidCode;
  return err;
}

/**
 * Runs a mapper over a reply (`head` its envelope, `json` the whole of it), turning a
 * MappingError into the right unreadable-reply error (with ATRIP's code and message, and a
 * void.do's voidCode).
 */
function mapReply<T>(operation: string, head: AtripEnvelope, json: unknown, map: () => T): T {
  try {
    return map();
  } catch (err) {
    if (err instanceof MappingError) {
      throw withVoidCode(
        unreadableReply({ supplier: "ATRIP", operation, changesState: STATE_CHANGING.has(operation) }, err.message, answerOf(head)),
        json,
      );
    }
    throw err;
  }
}
