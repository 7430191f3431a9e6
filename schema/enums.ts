/** The enums of docs/api.md, registered with type-graphql with a description per value. */
import { registerEnumType } from "type-graphql";
import type { SupplierName } from "../src/vocabulary/suppliers.js";
import { SUPPLIERS } from "../datasources/suppliers.js";

/**
 * The suppliers, one value each, from the wiring list (datasources/suppliers.ts): the value's
 * description is the supplier descriptor's. `addSuppliers` adds more before a schema is built
 * (a test's fourth supplier).
 */
export const Supplier: Record<string, string> = Object.fromEntries(SUPPLIERS.map((s) => [s.name, s.name]));
export type Supplier = SupplierName;
const supplierValues: Record<string, { description: string }> = Object.fromEntries(SUPPLIERS.map((s) => [s.name, { description: s.description }]));
registerEnumType(Supplier, { name: "Supplier", description: "The supplier a request is routed to", valuesConfig: supplierValues });

/** Adds suppliers beyond the wiring list to the `Supplier` enum of schemas built from now on. */
export function addSuppliers(suppliers: ReadonlyArray<{ name: string; description: string }>): void {
  for (const s of suppliers) {
    Supplier[s.name] = s.name;
    supplierValues[s.name] = { description: s.description };
  }
}

export enum SupplierOperation {
  STOP_TICKET_ISSUANCE = "STOP_TICKET_ISSUANCE",
  VOID = "VOID",
  CANCEL_ORDER = "CANCEL_ORDER",
}
registerEnumType(SupplierOperation, {
  name: "SupplierOperation",
  description: "A post-booking operation a supplier may offer",
  valuesConfig: {
    STOP_TICKET_ISSUANCE: { description: "stopTicketIssuance and ticketIssuanceStop" },
    VOID: { description: "voidQuote, submitVoid, voidOrder and voidStatusChanged" },
    CANCEL_ORDER: { description: "cancelOrder" },
  },
});

export enum RefundMethod {
  ORIGINAL_PAYMENT = "ORIGINAL_PAYMENT",
  VOUCHER = "VOUCHER",
}
registerEnumType(RefundMethod, {
  name: "RefundMethod",
  description: "How the money comes back",
  valuesConfig: {
    ORIGINAL_PAYMENT: { description: "Cash back to the original form of payment (ATRIP CashBackToOriginalPayment)" },
    VOUCHER: { description: "A voucher (ATRIP Voucher)" },
  },
});

export enum VoidStatus {
  SUPPLIER_PROCESSING = "SUPPLIER_PROCESSING",
  AIRLINE_PROCESSING = "AIRLINE_PROCESSING",
  REFUNDED = "REFUNDED",
  AIRLINE_REFUNDING = "AIRLINE_REFUNDING",
  REJECTED = "REJECTED",
  COMPLETED = "COMPLETED",
  WITHDRAWN = "WITHDRAWN",
}
registerEnumType(VoidStatus, {
  name: "VoidStatus",
  description: "Where a void stands. REFUNDED, REJECTED, COMPLETED and WITHDRAWN are final.",
  valuesConfig: {
    SUPPLIER_PROCESSING: { description: "The supplier is processing it (ATRIP 0)" },
    AIRLINE_PROCESSING: { description: "Submitted to the airline, which is processing it (ATRIP 1)" },
    REFUNDED: { description: "Voided and refunded (ATRIP 2, final)" },
    AIRLINE_REFUNDING: { description: "The airline is refunding (ATRIP 3)" },
    REJECTED: { description: "Rejected; see cancelReason (ATRIP 4, final)" },
    COMPLETED: { description: "Fulfilment done (ATRIP 5, final)" },
    WITHDRAWN: { description: "Withdrawn / cancelled (ATRIP 6, final; ATRIP lists it for tickets paid by VCC pass-through and says it occurs only in refund claims)" },
  },
});

export enum StatusSource {
  SUBMIT = "SUBMIT",
  WEBHOOK = "WEBHOOK",
  POLL = "POLL",
  QUERY = "QUERY",
}
registerEnumType(StatusSource, {
  name: "StatusSource",
  description: "How the gateway learned of a status change",
  valuesConfig: {
    SUBMIT: { description: "The reply to submitVoid, or, for a stop, the stopTicketIssuance request itself" },
    WEBHOOK: { description: "A supplier webhook, confirmed by asking the supplier" },
    POLL: { description: "The gateway's scheduled poll of the supplier" },
    QUERY: {
      description:
        "The gateway asked the supplier: a voidOrder query with refresh: true, or the void read by its code after void.do accepted it with an answer the gateway could not read whole, or that named another order",
    },
  },
});

export enum TicketIssuanceStopState {
  PENDING = "PENDING",
  STOPPED = "STOPPED",
  ISSUED = "ISSUED",
}
registerEnumType(TicketIssuanceStopState, {
  name: "TicketIssuanceStopState",
  description: "The state of a stop-ticket-issuance request",
  valuesConfig: {
    PENDING: { description: "The outcome is not known yet: the supplier accepted the attempt, or the answer to it was lost" },
    STOPPED: { description: "Issuance was stopped (ATRIP orderStatus -3)" },
    ISSUED: { description: "The stop failed: the tickets were issued (ATRIP orderStatus 2)" },
  },
});
