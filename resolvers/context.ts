/** What every resolver receives: who is calling, and the gateway's services. */
import type { SupplierRegistry } from "../datasources/registry.js";
import type { Principal } from "../src/auth/index.js";
import type { Metrics } from "../src/metrics.js";
import type { Idempotency } from "../src/reliability/idempotency.js";
import type { OrderOwnership } from "../src/tenancy/ownership.js";
import type { Tracking } from "../src/tracking/index.js";
import type { StoreLoaders } from "../src/tracking/loaders.js";

/** Long-lived services, built once per gateway. */
export interface Services {
  registry: SupplierRegistry;
  tracking: Tracking;
  /** Who owns an order on a shared supplier account: the registry applies it to order operations; refresh asks it before adopting. */
  ownership: OrderOwnership;
  idempotency: Idempotency;
  metrics: Metrics;
}

export interface GatewayContext {
  /** Who is calling; null when no credential was sent (and anonymous access is off). */
  principal: Principal | null;
  /** The caller's tenant; every record belongs to one. Empty without a principal (resolvers check scope first). */
  tenant: string;
  /** Correlates log lines of one HTTP request or websocket operation. */
  requestId: string;
  services: Services;
  /** This request's store reads, batched (src/tracking/loaders.ts): use them for records and history under a list. */
  loaders: StoreLoaders;
  /**
   * Server-Sent Events only: the `Last-Event-ID` header of an EventSource that reconnects by
   * itself, the id of the last event the stream sent it (src/server/streams/sse.ts). Subscriptions
   * resume after it (./validate.ts `resumePoint`).
   */
  lastEventId?: string;
  /** Server-Sent Events only: called when `lastEventId` is beyond the event log and dropped (src/tracking/subscriptions.ts). */
  onLastEventIdDropped?: () => void;
}
