/**
 * The ATRIP supplier as the registry sees it: void (quote, submit, query) and stop issuance.
 */
import type { CallScope } from "../deadline.js";
import type { SupplierHttp } from "../http.js";
import { OddFieldLog, type OddFieldNote, type OddFieldSink } from "../lenient.js";
import type { StopAcceptedData, StopOutcomeData, VoidOrderData, VoidQuoteData } from "../model.js";
import { GatewayError } from "../../src/vocabulary/errors.js";
import { notKnown, type NotKnown, type StopIssuancePort, type SubmittedCheck, type SupplierAdapter, type VoidPort } from "../ports.js";
import { AtripClient, type AtripConfig } from "./client.js";
import { atripError, atripUnknownOrder } from "./errors.js";
import { aboutOrder, MappingError, toStopOutcome, toVoidQuote, voidReplyToOrder, wireVoidOrderToOrder } from "./mapping.js";
import { interpretAtripWebhook } from "./webhooks.js";

export { AtripClient, type AtripConfig } from "./client.js";

/** Options of the ATRIP adapter. */
export interface AtripAdapterOptions {
  /** Where reply fields of an unexpected shape are reported, once each. @default a process warning */
  oddFields?: OddFieldSink;
}

class AtripVoids implements VoidPort {
  constructor(
    private readonly client: AtripClient,
    private readonly odd: OddFieldLog,
  ) {}

  /**
   * A quote about another order than the one asked (its offer would void that one) is an
   * unreadable reply; one naming the order in another case or with spaces is the order asked, as
   * the client wrote it (a quote about another order used to be passed through as it came).
   */
  async quote(orderNo: string, scope?: CallScope): Promise<VoidQuoteData> {
    return this.client.voidQuotation(
      orderNo,
      (reply) => {
        aboutOrder(reply.orderNo, orderNo);
        const quote = toVoidQuote(reply, new Date(), this.odd.noteFor("ATRIP", "voidQuotation.do", orderNo));
        quote.orderNo = orderNo;
        return quote;
      },
      scope,
    );
  }

  async submit(orderNo: string, voidOfferId: string, scope?: CallScope): Promise<VoidOrderData> {
    return this.client.submitVoid(
      orderNo,
      voidOfferId,
      (reply) => voidReplyToOrder(reply, this.odd.noteFor("ATRIP", "void.do", reply.voidCode)),
      scope,
    );
  }

  /**
   * ATRIP keeps no lookup of voids by order, but a quote answers 803/816-818 ("void already
   * submitted … query instead") once a void exists (seed 002) — and a quote that succeeds
   * issues a new voidOfferId, so the client's offer is no longer the latest. A quote that calls
   * the order not voidable says nothing of a void already under way: inconclusive. (That ATRIP
   * may take minutes to show an accepted void is the descriptor's `acceptanceVisibleMs`.)
   */
  async findSubmitted(orderNo: string, scope?: CallScope): Promise<SubmittedCheck> {
    try {
      const quote = await this.quote(orderNo, scope);
      if (!quote.isVoidable) return { submitted: false, offerReplaced: true, inconclusive: "ATRIP's quote calls the order not voidable" };
      return { submitted: false, offerReplaced: true };
    } catch (err) {
      if (err instanceof GatewayError && err.code === "VOID_ALREADY_SUBMITTED") return { submitted: true, offerReplaced: false };
      throw err;
    }
  }

  /**
   * Only the entry asked for is read, so an unreadable other entry cannot hide it, and it decides
   * after most statuses (ENTRIES_DECIDE in ./client.ts). Not found: 801 in ATRIP's words (seed 002: "No
   * voidable orders found"), or a list without the code; another status without it is that status's error.
   */
  async query(voidCode: string, scope?: CallScope): Promise<VoidOrderData | NotKnown> {
    return this.client.queryVoidOrders(
      voidCode,
      (reply) => {
        const entries = ("voidOrders" in reply ? reply.voidOrders : null) ?? [];
        const listed = entries.filter((v) => typeof v === "object" && v !== null && (v as { voidCode?: unknown }).voidCode === voidCode);
        if (listed.length) return readListed(listed, reply, this.odd.noteFor("ATRIP", "queryVoidOrders.do", voidCode));
        if (reply.status === 801) return notKnown("801", reply.msg ?? null);
        if (reply.status !== 0) throw atripError("queryVoidOrders.do", reply.status, reply.msg, false);
        return notKnown(null, null);
      },
      scope,
    );
  }
}

/**
 * The void a queryVoidOrders.do reply lists. After a non-zero status its `msg` speaks of that
 * status, not of the void, so the void gets none. An entry that cannot be read is an unreadable
 * reply whatever the status (not, say, 801's "no such void" for a void ATRIP just listed). A
 * void listed more than once with different voidStatus values is too: the reply says two
 * things, and the first of them (a final WITHDRAWN beside an AIRLINE_PROCESSING) ended the
 * tracking for good (property-based probe, thirty-second session).
 */
function readListed(listed: unknown[], reply: { status: number; msg: string | null }, note: OddFieldNote): VoidOrderData {
  const read = listed.map((entry) => wireVoidOrderToOrder(entry, reply.status === 0 ? reply.msg : null, note));
  const statuses = [...new Set(read.map((v) => v.supplierStatus))];
  if (statuses.length > 1)
    throw new MappingError(`the reply lists the void ${read.length} times, with different voidStatus values (${statuses.join(", ")})`);
  return read[0];
}

class AtripStops implements StopIssuancePort {
  constructor(private readonly client: AtripClient) {}

  async stop(orderNo: string, scope?: CallScope): Promise<StopAcceptedData> {
    return this.client.stopTicket(orderNo, (reply) => ({ supplier: "ATRIP" as const, orderNo, message: reply.msg }), scope);
  }

  async outcome(orderNo: string, scope?: CallScope): Promise<StopOutcomeData> {
    return this.client.queryOrderDetails(orderNo, (reply) => toStopOutcome(orderNo, reply), scope);
  }
}

/** Builds the ATRIP adapter. `sandbox` says whether baseUrl is the embedded simulator. */
export function createAtripAdapter(
  config: AtripConfig,
  http: SupplierHttp,
  sandbox: boolean,
  options: AtripAdapterOptions = {},
): SupplierAdapter & { client: AtripClient } {
  const client = new AtripClient(config, http);
  return {
    name: "ATRIP",
    sandbox,
    timeoutMs: config.timeoutMs,
    client,
    voids: new AtripVoids(client, new OddFieldLog(options.oddFields)),
    stopIssuance: new AtripStops(client),
    webhooks: {
      async register(url: string) {
        await client.updateWebhookUrl(url);
      },
      interpret: interpretAtripWebhook,
    },
    available: () => true,
    unknownOrder: atripUnknownOrder,
  };
}
