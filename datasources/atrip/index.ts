/**
 * The ATRIP supplier as the registry sees it: void (quote, submit, query) and stop issuance.
 */
import type { SupplierHttp } from "../http.js";
import type { StopAcceptedData, StopOutcomeData, VoidOrderData, VoidQuoteData } from "../model.js";
import type { StopIssuancePort, SupplierAdapter, VoidPort } from "../ports.js";
import { AtripClient, mapReply, type AtripConfig } from "./client.js";
import { toStopOutcome, toVoidQuote, voidReplyToOrder, wireVoidOrderToOrder } from "./mapping.js";
import { interpretAtripWebhook } from "./webhooks.js";

export { AtripClient, type AtripConfig } from "./client.js";

class AtripVoids implements VoidPort {
  constructor(private readonly client: AtripClient) {}

  async quote(orderNo: string): Promise<VoidQuoteData> {
    const reply = await this.client.voidQuotation(orderNo);
    return mapReply("voidQuotation.do", () => toVoidQuote(reply, new Date()));
  }

  async submit(orderNo: string, voidOfferId: string): Promise<VoidOrderData> {
    const reply = await this.client.submitVoid(orderNo, voidOfferId);
    return mapReply("void.do", () => voidReplyToOrder(reply));
  }

  async query(voidCode: string): Promise<VoidOrderData | null> {
    const reply = await this.client.queryVoidOrders(voidCode);
    const found = ("voidOrders" in reply ? reply.voidOrders : null)?.find((v) => v.voidCode === voidCode);
    if (!found) return null;
    return mapReply("queryVoidOrders.do", () => wireVoidOrderToOrder(found, reply.msg));
  }
}

class AtripStops implements StopIssuancePort {
  constructor(private readonly client: AtripClient) {}

  async stop(orderNo: string): Promise<StopAcceptedData> {
    const reply = await this.client.stopTicket(orderNo);
    return { supplier: "ATRIP", orderNo, message: reply.msg };
  }

  async outcome(orderNo: string): Promise<StopOutcomeData> {
    return toStopOutcome(orderNo, await this.client.queryOrderDetails(orderNo));
  }
}

/** Builds the ATRIP adapter. `sandbox` says whether baseUrl is the embedded simulator. */
export function createAtripAdapter(config: AtripConfig, http: SupplierHttp, sandbox: boolean): SupplierAdapter & { client: AtripClient } {
  const client = new AtripClient(config, http);
  return {
    name: "ATRIP",
    sandbox,
    client,
    voids: new AtripVoids(client),
    stopIssuance: new AtripStops(client),
    webhooks: {
      async register(url: string) {
        await client.updateWebhookUrl(url);
      },
      interpret: interpretAtripWebhook,
    },
    available: () => true,
  };
}
