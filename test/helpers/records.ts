/** Tracked-record fixtures for store and engine tests. */
import type { VoidOrderData, VoidStatusName } from "../../datasources/model.js";
import type { NewRecord, RecordKey } from "../../src/store/tracked-model.js";

const FINAL = new Set(["REFUNDED", "REJECTED", "COMPLETED", "WITHDRAWN"]);
let seq = 0;

/** A void report as the ATRIP mapping produces it; every call a new voidCode and order. */
export function voidData(over: Partial<VoidOrderData> = {}): VoidOrderData {
  seq += 1;
  const status: VoidStatusName = over.status ?? "SUPPLIER_PROCESSING";
  return {
    supplier: "ATRIP",
    voidCode: `202611-${String(seq).padStart(4, "0")}-${Math.random().toString(36).slice(2, 8)}`,
    orderNo: `ORD-${seq}-${Math.random().toString(36).slice(2, 6)}`,
    status,
    supplierStatus: 0,
    isFinal: FINAL.has(status),
    refundMethod: "ORIGINAL_PAYMENT",
    tickets: [],
    fare: { currency: "CNY", originalAmount: "1280.50", estimatedRefund: "1180.50" },
    actualRefund: null,
    serviceFee: null,
    expectedConfirmationDate: "2026-11-22",
    expectedRefundDate: null,
    cancelReason: null,
    message: null,
    voidOfferId: "v_1",
    ...over,
  };
}

export const voidKey = (tenant: string, d: VoidOrderData): RecordKey => ({ kind: "void", tenant, supplier: d.supplier, ref: d.voidCode });

/** The NewRecord a submitted void becomes. */
export function newVoid(tenant: string, d: VoidOrderData, over: Partial<NewRecord<VoidOrderData>> = {}): NewRecord<VoidOrderData> {
  return {
    key: voidKey(tenant, d),
    orderNo: d.orderNo,
    status: d.status,
    isFinal: d.isFinal,
    data: d,
    source: "SUBMIT",
    message: null,
    started: true,
    firstCheckInMs: 60_000,
    ...over,
  };
}
