/**
 * Records and events as the API shows them (one view per kind, built from the one stored
 * shape). A void event's `voidOrder` and a stop event's `stop` are the record right after
 * that change, from the report recorded with it.
 */
import type { VoidOrderData } from "../../datasources/model.js";
import type { TrackedEvent, TrackedRecord } from "../store/tracked-model.js";
import type { StopReport } from "./kinds/stop.js";

/**
 * A void as VoidOrder shows it. `asOfEventId`: the void as it stood right after that event (an
 * event's `voidOrder`), so its history ends there too. `unrecorded`: accepted by the supplier,
 * not (yet) taken by the store, so nothing is recorded of it: its history is empty.
 */
export type VoidOrderView = VoidOrderData & {
  submittedAt: Date | null;
  updatedAt: Date;
  asOfEventId?: string;
  unrecorded?: true;
  tracking: TrackingView | null;
};

/** How the gateway follows a record (Tracking): null in a change's snapshot. */
interface TrackingView {
  lastCheckedAt: Date | null;
  nextCheckAt: Date | null;
  failure: { code: string; message: string; supplierCode: string | null; since: Date } | null;
}

/** A stored record's Tracking. */
function trackingOf(r: TrackedRecord<unknown>): TrackingView {
  return { lastCheckedAt: r.lastCheckedAt, nextCheckAt: r.isFinal ? null : r.nextCheckAt, failure: r.isFinal ? null : r.checkFailure };
}

/** A record's events (oldest first) up to and including event `id`; all of them when `id` is null or absent. */
export function eventsUpTo<E extends { id: string }>(events: readonly E[], id: string | null | undefined): E[] {
  if (id === null || id === undefined) return [...events];
  const last = BigInt(id);
  return events.filter((e) => BigInt(e.id) <= last);
}

/** A void's event as VoidStatusEvent shows it. */
export interface VoidEventView {
  id: string;
  supplier: string;
  voidCode: string;
  orderNo: string;
  status: string;
  previousStatus: string | null;
  isFinal: boolean;
  source: string;
  message: string | null;
  occurredAt: Date;
  voidOrder: VoidOrderView;
  /** Read back from the log (replay, history), not delivered live. */
  replayed: boolean;
}

/** A stop request as TicketIssuanceStop shows it. */
export interface StopView {
  supplier: string;
  orderNo: string;
  state: string;
  message: string | null;
  supplierOrderStatus: string | null;
  requestedAt: Date;
  checkAfter: Date;
  resolvedAt: Date | null;
  /** The change this view announces (ticketIssuanceStopChanged); null for a query. */
  eventId: string | null;
  /** Not in the API: the record as a mutation first answered it, its history ending at that event (as voidView's). */
  asOfEventId?: string;
  /** Not in the API: requested, not (yet) taken by the store (as voidView's): its history is empty. */
  unrecorded?: true;
  tracking: TrackingView | null;
}

/** A stop's event as TicketIssuanceStopEvent shows it. */
export interface StopEventView {
  id: string;
  supplier: string;
  orderNo: string;
  state: string;
  previousState: string | null;
  isFinal: boolean;
  source: string;
  message: string | null;
  occurredAt: Date;
  stop: StopView;
  replayed: boolean;
}

/**
 * A stored void as VoidOrder. `asOfEventId` (a record as a mutation first answered it): its
 * history ends at that event, so the answer an idempotency key replays later still agrees with
 * itself (its status and its last history entry).
 */
export function voidView(r: TrackedRecord<VoidOrderData> & { asOfEventId?: string }): VoidOrderView {
  return {
    ...r.data,
    status: r.status as VoidOrderData["status"],
    isFinal: r.isFinal,
    submittedAt: r.startedAt,
    updatedAt: r.updatedAt,
    ...(r.asOfEventId === undefined ? {} : { asOfEventId: r.asOfEventId }),
    ...(r.unrecorded ? { unrecorded: true as const } : {}),
    tracking: trackingOf(r),
  };
}

/** A void's event as VoidStatusEvent, with the void as it stood right after it. */
export function voidEventView(e: TrackedEvent<VoidOrderData>): VoidEventView {
  return {
    id: e.id,
    supplier: e.supplier,
    voidCode: e.ref,
    orderNo: e.orderNo,
    status: e.status,
    previousStatus: e.previousStatus,
    isFinal: e.isFinal,
    source: e.source,
    message: e.message,
    occurredAt: e.occurredAt,
    voidOrder: {
      ...e.data,
      status: e.status as VoidOrderData["status"],
      isFinal: e.isFinal,
      submittedAt: e.startedAt,
      updatedAt: e.occurredAt,
      asOfEventId: e.id,
      tracking: null,
    },
    replayed: e.replayed === true,
  };
}

/** A stored stop request as TicketIssuanceStop (`asOfEventId` as for voidView). */
export function stopView(r: TrackedRecord<StopReport> & { asOfEventId?: string }): StopView {
  return {
    supplier: r.supplier,
    orderNo: r.orderNo,
    state: r.status,
    message: r.data.message,
    supplierOrderStatus: r.data.supplierOrderStatus,
    requestedAt: r.startedAt ?? r.updatedAt,
    checkAfter: r.notBefore ?? r.startedAt ?? r.updatedAt,
    resolvedAt: r.finalAt,
    eventId: null,
    ...(r.asOfEventId === undefined ? {} : { asOfEventId: r.asOfEventId }),
    ...(r.unrecorded ? { unrecorded: true as const } : {}),
    tracking: trackingOf(r),
  };
}

/** The stop right after one of its changes. */
export function stopAt(e: TrackedEvent<StopReport>): StopView {
  return {
    supplier: e.supplier,
    orderNo: e.orderNo,
    state: e.status,
    message: e.data.message,
    supplierOrderStatus: e.data.supplierOrderStatus,
    requestedAt: e.startedAt ?? e.occurredAt,
    checkAfter: e.notBefore ?? e.startedAt ?? e.occurredAt,
    resolvedAt: e.isFinal ? e.occurredAt : null,
    eventId: e.id,
    tracking: null,
  };
}

/** A stop's event as TicketIssuanceStopEvent, with the stop as it stood right after it. */
export function stopEventView(e: TrackedEvent<StopReport>): StopEventView {
  return {
    id: e.id,
    supplier: e.supplier,
    orderNo: e.orderNo,
    state: e.status,
    previousState: e.previousStatus,
    isFinal: e.isFinal,
    source: e.source,
    message: e.message,
    occurredAt: e.occurredAt,
    stop: stopAt(e),
    replayed: e.replayed === true,
  };
}
