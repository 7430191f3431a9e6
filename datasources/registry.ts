/**
 * Which supplier offers which operation, and routing to it. A call for an operation the
 * supplier lacks fails with UNSUPPORTED_OPERATION before any network call (API.md).
 */
import { GatewayError, type SupplierName } from "./errors.js";
import type { SupplierOperationName } from "./model.js";
import type { CancelPort, StopIssuancePort, SupplierAdapter, VoidPort } from "./ports.js";

/** One row of the `suppliers` query. */
export interface SupplierInfoData {
  supplier: SupplierName;
  operations: SupplierOperationName[];
  sandbox: boolean;
  available: boolean;
}

const PORT_OF: Record<SupplierOperationName, "voids" | "stopIssuance" | "cancels"> = {
  STOP_TICKET_ISSUANCE: "stopIssuance",
  VOID: "voids",
  CANCEL_ORDER: "cancels",
};

const OPERATIONS = Object.keys(PORT_OF) as SupplierOperationName[];

export class SupplierRegistry {
  private readonly adapters = new Map<SupplierName, SupplierAdapter>();

  constructor(adapters: SupplierAdapter[]) {
    for (const a of adapters) this.adapters.set(a.name, a);
  }

  /** Every configured supplier with its operations, in a stable order. */
  list(): SupplierInfoData[] {
    return [...this.adapters.values()].map((a) => ({
      supplier: a.name,
      operations: OPERATIONS.filter((op) => a[PORT_OF[op]] !== undefined),
      sandbox: a.sandbox,
      available: a.available(),
    }));
  }

  /** The suppliers that offer an operation. */
  offering(operation: SupplierOperationName): SupplierName[] {
    return [...this.adapters.values()].filter((a) => a[PORT_OF[operation]] !== undefined).map((a) => a.name);
  }

  /** The adapter of a supplier, if configured. */
  get(supplier: SupplierName): SupplierAdapter | undefined {
    return this.adapters.get(supplier);
  }

  voids(supplier: SupplierName): VoidPort {
    return this.require(supplier, "VOID").voids as VoidPort;
  }

  stopIssuance(supplier: SupplierName): StopIssuancePort {
    return this.require(supplier, "STOP_TICKET_ISSUANCE").stopIssuance as StopIssuancePort;
  }

  cancels(supplier: SupplierName): CancelPort {
    return this.require(supplier, "CANCEL_ORDER").cancels as CancelPort;
  }

  private require(supplier: SupplierName, operation: SupplierOperationName): SupplierAdapter {
    const adapter = this.adapters.get(supplier);
    if (adapter && adapter[PORT_OF[operation]] !== undefined) return adapter;
    const offeredBy = this.offering(operation);
    const alternatives = offeredBy.length ? `; use ${offeredBy.join(" or ")}` : "";
    throw new GatewayError("UNSUPPORTED_OPERATION", `${supplier} does not offer ${operation}${alternatives}`, {
      supplier,
      operation,
      supportedBy: offeredBy,
    });
  }
}
