/**
 * CTT web API client (docs/suppliers/ctt.md): JSON POST to `<base>/api/<path>`, signed with time_stamp, random
 * and terminal; `code == 1` is success, 0 or negative a refusal described by `message`, and
 * anything else (another code, no numeric code) an answer the gateway cannot interpret
 * (./errors.ts states the rule).
 */
import type { CallScope } from "../deadline.js";
import type { SupplierHttp } from "../http.js";
import { replyJson, unreadableReply } from "../errors.js";
import { describeZodError } from "../json.js";
import { supplierCall } from "../../src/telemetry/spans.js";
import { cttError, cttOutcome } from "./errors.js";
import { cttRandom, cttSign, cttTimeStamp, DEFAULT_CTT_SIGNING, type CttSigning } from "./sign.js";
import { apiResultOfString, type ApiResultOfString, type TicketRefundRequest } from "./wire.js";

export interface CttConfig {
  baseUrl: string;
  signKey: string;
  timeoutMs: number;
  /** The unconfirmed parts of the signature (./sign.ts). @default what CTT's front-end does */
  signing?: CttSigning;
}

export class CttClient {
  private readonly base: string;

  constructor(
    private readonly config: CttConfig,
    private readonly http: SupplierHttp,
  ) {
    this.base = config.baseUrl.replace(/\/+$/, "");
  }

  /** POST api/order/cancel: cancel an order more than 30 days out. */
  cancelOrder(orderNumber: string, passengerIds: string, reason: string, scope?: CallScope): Promise<ApiResultOfString> {
    const signing = this.config.signing ?? DEFAULT_CTT_SIGNING;
    const random = cttRandom();
    const timeStamp = cttTimeStamp(new Date(), signing.utcOffsetMinutes);
    const body: TicketRefundRequest = {
      order_number: orderNumber,
      refund_passanger_ids: passengerIds,
      refund_reason: reason,
      terminal: signing.terminal,
      time_stamp: timeStamp,
      random,
      sign: cttSign(this.config.signKey, random, timeStamp, signing.terminal, signing.template),
    };
    return this.post("order/cancel", body, true, scope, [this.config.signKey, body.sign]);
  }

  /** One call, traced as one supplier operation (src/telemetry/spans.ts). `secrets`: the credentials it signs with and sends. */
  private post(
    path: string,
    body: object,
    changesState: boolean,
    scope: CallScope | undefined,
    secrets: string[],
  ): Promise<ApiResultOfString> {
    const meta = { supplier: "CTT" as const, operation: `api/${path}`, changesState };
    const send = () =>
      this.http.post(
        {
          scope,
          url: `${this.base}/api/${path}`,
          timeoutMs: this.config.timeoutMs,
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify(body),
          secrets,
          ...meta,
        },
        (reply) => {
          const json = replyJson(meta, reply.text, reply.secrets);
          const parsed = apiResultOfString.safeParse(json);
          if (!parsed.success) throw unreadableReply(meta, describeZodError(parsed.error), { supplierMessage: messageOf(json) });
          if (cttOutcome(parsed.data.code) !== "SUCCESS") throw cttError(meta, parsed.data.code, parsed.data.message);
          return parsed.data;
        },
      );
    return supplierCall("CTT", meta.operation, send);
  }
}

/** The `message` of a reply that could not be read otherwise, for support staff. */
function messageOf(json: unknown): string | undefined {
  const m = typeof json === "object" && json !== null ? (json as { message?: unknown }).message : undefined;
  return typeof m === "string" && m !== "" ? m : undefined;
}
