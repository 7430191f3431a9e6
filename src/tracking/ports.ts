/**
 * The engine's seams to the store: what it needs of the tracked records and of the event
 * log. The SQL store (src/store/) provides them; the engine's unit tests provide in-memory
 * fakes (test/unit/fakes/), which is why the engine never imports the SQL classes themselves.
 */
import type { EventLog } from "../store/event-log.js";
import type { InboxStore } from "../store/inbox-store.js";
import type { TrackedStore } from "../store/tracked-store.js";
import type { UnsettledStore } from "../store/unsettled-store.js";

/** The tracked records, as the engine uses them (src/store/tracked-store.ts). */
export type RecordStore = Pick<
  TrackedStore,
  | "insert"
  | "get"
  | "byOrder"
  | "byRefs"
  | "transitionMany"
  | "touchMany"
  | "leaseDue"
  | "releaseMany"
  | "noteFailures"
  | "resent"
  | "soon"
  | "releaseAll"
  | "watch"
>;

/** The event log, as delivery, replay and history read it (src/store/event-log.ts). */
export type LogReader = Pick<EventLog, "head" | "lastId" | "since" | "replay" | "stragglers" | "alreadyDelivered" | "history">;

/** The webhook inbox as its processor uses it: claim a batch, finish it, give back rows handed over and not tried. */
export type InboxQueue = Pick<InboxStore, "claim" | "finishMany" | "unclaim" | "reopenUnknownVoids">;

/** Which orders wait for a submission whose reply was lost. */
export type UnsettledOrders = Pick<UnsettledStore, "waitingOrders">;
