/**
 * The TOP router client (docs/suppliers/alitrip.md "Transport", "System parameters"): one form-encoded POST
 * per call to the configured router URL, system parameters plus business parameters (objects
 * as one JSON-string field), signed; the reply is unwrapped from
 * `<method_with_underscores>_response` or mapped from `error_response`.
 *
 * `call` is generic: another `alitrip.btrip.flight.distribution.*` method is one function that
 * names the method, its parameters and its result schema.
 */
import { z } from "zod";
import type { CallScope } from "../deadline.js";
import type { SupplierHttp } from "../http.js";
import { replyJson, unreadableReply } from "../errors.js";
import { describeZodError, isRecord } from "../json.js";
import { supplierCall } from "../../src/telemetry/spans.js";
import { topError } from "./errors.js";
import { topSign, topTimestamp, type TopSignMethod } from "./sign.js";
import { errorResponse } from "./wire.js";

export interface TopConfig {
  routerUrl: string;
  appKey: string;
  appSecret: string;
  session: string;
  signMethod: TopSignMethod;
  timeoutMs: number;
}

export interface TopCallOptions {
  /** True when the method changes supplier state (never retried; lost replies → outcome unknown). */
  changesState: boolean;
  /** The request the call serves and its deadline. */
  scope?: CallScope;
}

/** The root key of a method's success envelope. */
function responseKey(method: string): string {
  return `${method.replaceAll(".", "_")}_response`;
}

/** Builds the signed form fields of one call. Exported for tests and the simulator's own checks. */
export function topForm(config: TopConfig, method: string, business: Record<string, unknown>, now = new Date()): Record<string, string> {
  const params: Record<string, string> = {
    method,
    app_key: config.appKey,
    session: config.session,
    timestamp: topTimestamp(now),
    v: "2.0",
    format: "json",
    sign_method: config.signMethod,
  };
  for (const [k, v] of Object.entries(business)) {
    if (v === undefined || v === null) continue;
    params[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  params.sign = topSign(params, config.appSecret, config.signMethod);
  return params;
}

export class TopClient {
  constructor(
    private readonly config: TopConfig,
    private readonly http: SupplierHttp,
  ) {}

  /**
   * Calls one TOP method and returns what `map` makes of the content of its `_response`
   * envelope, checked by `schema`; traced as one supplier operation. The mapping runs inside the
   * call, so a reply it refuses (a cancel Alitrip declined) counts under the code it throws in
   * the supplier-call metric and log (../http.ts), not as OK.
   */
  call<S extends z.ZodType, T>(
    method: string,
    business: Record<string, unknown>,
    schema: S,
    map: (reply: z.output<S>) => T,
    opts: TopCallOptions,
  ): Promise<T> {
    const meta = { supplier: "ALITRIP" as const, operation: method, changesState: opts.changesState };
    const send = () => {
      const form = topForm(this.config, method, business);
      return this.http.post(
        {
          scope: opts.scope,
          url: this.config.routerUrl,
          timeoutMs: this.config.timeoutMs,
          headers: { "Content-Type": "application/x-www-form-urlencoded;charset=utf-8", Accept: "application/json" },
          body: new URLSearchParams(form).toString(),
          secrets: [this.config.session, this.config.appSecret, form.sign!],
          ...meta,
        },
        (reply) => {
          const json = replyJson(meta, reply.text, reply.secrets);
          const err = errorResponse.safeParse(json);
          if (err.success) throw topError(method, err.data.error_response, opts.changesState);
          // An error_response the gateway cannot read says something went wrong all the same: it
          // is not passed over for a success envelope beside it (property-based probe, thirty-second
          // session: a `code` of 50.0 made a cancel look done).
          if (isRecord(json) && json.error_response !== undefined && json.error_response !== null)
            throw unreadableReply(meta, describeZodError(err.error));
          const key = responseKey(method);
          const envelope = z.object({ [key]: schema }).safeParse(json);
          if (!envelope.success) throw unreadableReply(meta, describeZodError(envelope.error));
          return map((envelope.data as Record<string, z.output<S>>)[key]);
        },
      );
    };
    return supplierCall("ALITRIP", method, send);
  }
}
