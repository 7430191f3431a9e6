/**
 * The one shape of everything the gateway tracks (issue 11): a tracked record (a void, a
 * stop-issuance request, the next kind) and its append-only events. What differs between
 * kinds lives in `data` (the supplier's latest report, mapped) and in the kind's definition
 * (src/tracking/kinds/); the store only sees these shapes.
 */
import type { SupplierName } from "../vocabulary/suppliers.js";

import type { KindName } from "../vocabulary/kinds.js";

/** How the gateway learned of a change (the schema's StatusSource). */
export type SourceName = "SUBMIT" | "WEBHOOK" | "POLL" | "QUERY";

/** A record's identity: its kind, its owner and the supplier's reference (a voidCode; for a stop, the orderNo). */
export interface RecordKey {
  kind: KindName;
  tenant: string;
  supplier: SupplierName;
  ref: string;
}

/** A tracked record as stored. `D` is the kind's report type. */
export interface TrackedRecord<D = unknown> extends RecordKey {
  orderNo: string;
  status: string;
  isFinal: boolean;
  /** The supplier's latest report, mapped. */
  data: D;
  /** When the gateway made the request (submittedAt / requestedAt); null for a record adopted from a query. */
  startedAt: Date | null;
  updatedAt: Date;
  /** When it reached a final status. */
  finalAt: Date | null;
  /** No scheduled check before this (a stop's checkAfter); null: none. */
  notBefore: Date | null;
  nextCheckAt: Date | null;
  checkAttempt: number;
  /** Until when a subscriber somewhere watches it (null: never). */
  watchedUntil: Date | null;
  /** When the supplier was last asked about it (a scheduled check, a webhook's confirmation, a refresh); null: not yet. */
  lastCheckedAt: Date | null;
  /** The last scheduled check failed: its error, and since when checks have been failing; null once the supplier answers. */
  checkFailure: (CheckError & { since: Date }) | null;
  /** Not from the store: what the supplier accepted, answered though the store did not take it (src/reliability/after-send.ts `unrecorded`). */
  unrecorded?: true;
}

/** Why a scheduled check got no answer: an API error code and a message a client may see. */
export interface CheckError {
  code: string;
  message: string;
  /** The supplier's own code, when it answered with one. */
  supplierCode: string | null;
}

/** One recorded change. Ids increase; they come from one log for every kind. */
export interface TrackedEvent<D = unknown> {
  /** A bigint, as a string (GraphQL ID). */
  id: string;
  kind: KindName;
  tenant: string;
  supplier: SupplierName;
  ref: string;
  orderNo: string;
  status: string;
  previousStatus: string | null;
  isFinal: boolean;
  source: SourceName;
  message: string | null;
  /** The report as recorded with the change (events migrated from before issue 11: the record's current report). */
  data: D;
  occurredAt: Date;
  /** The record's startedAt and notBefore, which never change (read with the event). */
  startedAt: Date | null;
  notBefore: Date | null;
  /** Set on events read back for a replay (afterEventId, history), not delivered live. */
  replayed?: boolean;
  /** The W3C traceparent of the transition that logged it (tracing on), for its delivery spans. */
  traceContext?: string | null;
}

/** When the gateway made a record's request (NewRecord.started). */
export type Started = boolean | Date | { msAgo: number };

/** A record the gateway starts tracking, with its first event. */
export interface NewRecord<D = unknown> {
  key: RecordKey;
  orderNo: string;
  status: string;
  isFinal: boolean;
  data: D;
  source: SourceName;
  message: string | null;
  /**
   * True when the gateway made the request now (startedAt = now); `msAgo` when it made it that
   * long ago, by its own clock (startedAt = the store's now minus it, so that a record's times
   * all come from one clock); a time when it made it then (a submission whose reply was lost,
   * recorded once the supplier shows it: its mark's time, the store's); false for a record
   * adopted from elsewhere.
   */
  started: Started;
  /** First scheduled check, from now. */
  firstCheckInMs: number;
  /** No scheduled check before this, from now (a stop's checkAfter). */
  notBeforeInMs?: number;
  /** The first event's trace context (tracing on). */
  traceContext?: string | null;
}

/** One compare-and-set: from `from` to `status`, with the event that records it. */
export interface Transition<D = unknown> {
  key: RecordKey;
  from: string;
  status: string;
  isFinal: boolean;
  data: D;
  source: SourceName;
  message: string | null;
  /** Next scheduled check, from now (never before the record's notBefore). */
  nextCheckInMs: number;
  /** The event's trace context: its transition span (tracing on). */
  traceContext?: string | null;
}

/** A leased record given back: its next check and attempt count. */
export interface Release {
  key: RecordKey;
  nextCheckInMs: number;
  attempt: number;
  /**
   * The wait after a restart of the schedule: used instead (attempt 0) when the schedule was
   * restarted while the lease was held (a webhook's confirmation found no change: its attempt
   * count went back below the leased one), so the release does not undo that restart.
   */
  restartInMs?: number;
  /** Why this check got no answer; null or absent: the supplier answered. */
  failure?: CheckError | null;
  /** The check never reached the supplier (its circuit open, no free slot): lastCheckedAt stays. */
  notSent?: boolean;
  /** The record's updatedAt as leased: a failure is not written over an answer recorded since (another instance's webhook). */
  leasedUpdatedAt?: Date;
}

/** A check outside the schedule that got no answer (TrackedStore.noteFailures). */
export interface FailedCheck {
  key: RecordKey;
  failure: CheckError;
  /** The record's updatedAt when it was read: a failure is not written over an answer recorded since. */
  seenUpdatedAt: Date;
  /** The check never reached the supplier (its circuit open, no free slot): lastCheckedAt stays. */
  notSent: boolean;
}

/** What to select events by, besides tenant and kind. */
export interface EventFilter {
  ref?: string;
  orderNo?: string;
}

/** `supplier:ref`: how lookups across tenants key their results. */
export function refKey(supplier: string, ref: string): string {
  return `${supplier}:${ref}`;
}

/** One string per record key, for matching the rows of a batch read to the keys asked for. */
export function recordKeyOf(k: { kind: string; tenant: string; supplier: string; ref: string }): string {
  return JSON.stringify([k.kind, k.tenant, k.supplier, k.ref]);
}
