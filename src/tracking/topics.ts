/**
 * Pub/sub topics and payloads of tracking events. One event is published to the tenant's
 * topic, its void's topic and its order's topic, so each subscriber listens to exactly one
 * topic and an event costs work only for those who asked for it. Payloads are plain JSON
 * (dates as ISO strings) so they cross Redis unchanged.
 */
import type { VoidOrderData } from "../../datasources/model.js";
import type { StopRecord } from "../store/stop-store.js";
import type { VoidEvent, VoidRecord } from "../store/void-store.js";

export const voidTopics = {
  tenant: (tenant: string) => `void.${tenant}`,
  code: (tenant: string, voidCode: string) => `void.${tenant}.code.${voidCode}`,
  order: (tenant: string, orderNo: string) => `void.${tenant}.order.${orderNo}`,
};

export const stopTopics = {
  tenant: (tenant: string) => `stop.${tenant}`,
  order: (tenant: string, orderNo: string) => `stop.${tenant}.order.${orderNo}`,
};

/** A void as the API shows it. */
export type VoidOrderView = VoidOrderData & { submittedAt: Date | string | null; updatedAt: Date | string; tenant?: string };

/** What travels on the pub/sub for one recorded status change. */
export interface VoidEventPayload {
  event: Omit<VoidEvent, "occurredAt"> & { occurredAt: string };
  /** The void right after the change. */
  voidOrder: VoidOrderView;
  /** Set on events read back from the log (afterEventId), not received live. */
  replayed?: boolean;
}

export function voidView(r: VoidRecord): VoidOrderView {
  return { ...r.data, status: r.status, supplierStatus: r.supplierStatus, isFinal: r.isFinal, submittedAt: r.submittedAt, updatedAt: r.updatedAt, tenant: r.tenant };
}

export function voidEventPayload(event: VoidEvent, record: VoidRecord): VoidEventPayload {
  const view = voidView(record);
  return {
    event: { ...event, occurredAt: event.occurredAt.toISOString() },
    voidOrder: { ...view, submittedAt: record.submittedAt?.toISOString() ?? null, updatedAt: record.updatedAt.toISOString() },
  };
}

/** A stop request as the API and the pub/sub carry it. */
export interface StopView {
  supplier: string;
  orderNo: string;
  state: string;
  message: string | null;
  requestedAt: string | Date;
  checkAfter: string | Date;
  resolvedAt: string | Date | null;
}

export function stopView(s: StopRecord): StopView {
  return {
    supplier: s.supplier,
    orderNo: s.orderNo,
    state: s.state,
    message: s.message,
    requestedAt: s.requestedAt.toISOString(),
    checkAfter: s.checkAfter.toISOString(),
    resolvedAt: s.resolvedAt?.toISOString() ?? null,
  };
}
