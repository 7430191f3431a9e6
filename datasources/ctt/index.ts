/**
 * CTT as the registry sees it: cancel order. Passenger ids are joined with "," into CTT's
 * single `refund_passanger_ids` string (the field is one string; CTT does not document a
 * separator, the comma is what its web front-end sends); no ids sends "".
 */
import type { CallScope } from "../deadline.js";
import type { SupplierHttp } from "../http.js";
import type { CancelOrderData, CancelOrderRequest } from "../model.js";
import type { CancelPort, SupplierAdapter } from "../ports.js";
import { CttClient, type CttConfig } from "./client.js";
import { cttUnknownOrder } from "./errors.js";

export { CttClient, type CttConfig } from "./client.js";

/** How passengerIds become refund_passanger_ids. */
const PASSENGER_ID_SEPARATOR = ",";

class CttCancels implements CancelPort {
  constructor(private readonly client: CttClient) {}

  async cancel(request: CancelOrderRequest, scope?: CallScope): Promise<CancelOrderData> {
    const ids = (request.passengerIds ?? []).join(PASSENGER_ID_SEPARATOR);
    const reply = await this.client.cancelOrder(request.orderNo, ids, request.reason ?? "", scope);
    return {
      supplier: "CTT",
      orderNo: request.orderNo,
      // CTT's reply carries no time; the gateway records when the supplier confirmed.
      cancelledAt: new Date(),
      supplierOrderStatus: null,
      message: reply.message,
    };
  }
}

export function createCttAdapter(config: CttConfig, http: SupplierHttp, sandbox: boolean): SupplierAdapter & { client: CttClient } {
  const client = new CttClient(config, http);
  return {
    name: "CTT",
    sandbox,
    timeoutMs: config.timeoutMs,
    client,
    cancels: new CttCancels(client),
    available: () => true,
    unknownOrder: () => cttUnknownOrder(sandbox),
  };
}
