/**
 * Alitrip (TOP) as the registry sees it: cancel order. `sub_channel` comes from the input or
 * the configured default (ALITRIP_SUB_CHANNEL); without either the call fails before any
 * network traffic.
 */
import { badInput } from "../../src/vocabulary/errors.js";
import type { CallScope } from "../deadline.js";
import type { SupplierHttp } from "../http.js";
import { OddFieldLog, type OddFieldSink } from "../lenient.js";
import type { CancelOrderData, CancelOrderRequest } from "../model.js";
import type { CancelPort, SupplierAdapter } from "../ports.js";
import { TopClient, type TopConfig } from "./client.js";
import { topUnknownOrder } from "./errors.js";
import { toCancelResult } from "./mapping.js";
import { cancelOrderResponse, ORDER_CANCEL_METHOD, type BtripFlightCancelOrderRq } from "./wire.js";

export { TopClient, topForm, type TopConfig } from "./client.js";

class AlitripCancels implements CancelPort {
  constructor(
    private readonly client: TopClient,
    private readonly defaultSubChannel: string | undefined,
    private readonly odd: OddFieldLog,
  ) {}

  /** The sub-channel this request is sent with; BAD_USER_INPUT when it has none and no default is configured. */
  private subChannelOf(request: CancelOrderRequest): string {
    const subChannel = request.subChannel ?? this.defaultSubChannel;
    if (!subChannel)
      throw badInput("subChannel", "ALITRIP needs a sub-channel (corporate id), and no ALITRIP_SUB_CHANNEL default is configured");
    return subChannel;
  }

  check(request: CancelOrderRequest): void {
    this.subChannelOf(request);
  }

  async cancel(request: CancelOrderRequest, scope?: CallScope): Promise<CancelOrderData> {
    const subChannel = this.subChannelOf(request);
    const rq: BtripFlightCancelOrderRq = { sub_channel: subChannel, dis_order_id: request.orderNo };
    return this.client.call(
      ORDER_CANCEL_METHOD,
      { param_btrip_flight_order_operate_common_rq: rq },
      cancelOrderResponse,
      (reply) => toCancelResult(request.orderNo, reply, this.odd.noteFor("ALITRIP", ORDER_CANCEL_METHOD, request.orderNo)),
      { changesState: true, scope },
    );
  }
}

/** Builds the Alitrip adapter; `oddFields` receives reported-only reply fields of an unexpected shape, once each. */
export function createAlitripAdapter(
  config: TopConfig & { defaultSubChannel?: string },
  http: SupplierHttp,
  sandbox: boolean,
  options: { oddFields?: OddFieldSink } = {},
): SupplierAdapter & { client: TopClient } {
  const client = new TopClient(config, http);
  const cancels = new AlitripCancels(client, config.defaultSubChannel, new OddFieldLog(options.oddFields));
  return {
    name: "ALITRIP",
    sandbox,
    timeoutMs: config.timeoutMs,
    client,
    cancels,
    available: () => true,
    unknownOrder: () => topUnknownOrder(ORDER_CANCEL_METHOD),
  };
}
