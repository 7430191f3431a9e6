/** The context every resolver receives (resolvers/context.ts), made once per operation. */
import type { GatewayContext, Services } from "../../resolvers/context.js";
import type { Principal } from "../auth/index.js";
import { annotate, ATTR } from "../telemetry/spans.js";
import type { StoreLoaders } from "../tracking/loaders.js";

/**
 * The context of every operation, HTTP or websocket: who asks, for which tenant, under which
 * request id. Its store loaders are made on first use: most operations read nothing through
 * them (a quote, a supplier call, a subscription whose events select no stored field), and a
 * subscription's context lives as long as the subscription, where three DataLoaders and their
 * functions were about 1 KB of each subscriber's heap (bench/RESULTS.md, issue 24).
 */
export class OperationContext implements GatewayContext {
  private made?: StoreLoaders;

  constructor(
    readonly principal: Principal | null,
    readonly tenant: string,
    readonly requestId: string,
    readonly services: Services,
  ) {}

  get loaders(): StoreLoaders {
    return (this.made ??= this.services.tracking.loaders());
  }
}

/** Makes each operation's context (HTTP, websocket and HTTP streams alike). */
export function contextFactory(services: Services) {
  return (principal: Principal | null, requestId: string): GatewayContext => {
    if (principal) annotate(ATTR.tenant, principal.tenant);
    return new OperationContext(principal, principal?.tenant ?? "", requestId, services);
  };
}
