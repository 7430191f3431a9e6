/** What every resolver receives: who is calling, and the gateway's services. */
import type { SupplierRegistry } from "../datasources/registry.js";

/** Long-lived services, built once per gateway. */
export interface Services {
  registry: SupplierRegistry;
  /** How long after a stop request its outcome can be known, in ms (STOP_CHECK_DELAY_MS). */
  stopCheckDelayMs: number;
}

export interface GatewayContext {
  /** The caller's tenant; every record belongs to one. `default` until auth exists. */
  tenant: string;
  /** Correlates log lines of one HTTP request or websocket operation. */
  requestId: string;
  services: Services;
}
