/**
 * The one transition rule, for every kind and every path (submit, webhook, poll, query;
 * one report or a batch): forward only, and final is final. A final record still keeps the
 * supplier's newer report of that same status (a void's refund amount may come "once the
 * airline confirms", after it is final: seed 002), read when a client asks with refresh. The
 * store's compare-and-set only makes the decision atomic (src/store/tracked-store.ts); it does
 * not decide.
 */
import type { TrackedKind } from "./kind.js";

/** What a supplier report does to a record: a change (an event), a newer report of the same status, or nothing. */
export type Decision = "move" | "touch" | "ignore";

/** Decides what `report` does to a record standing at `current`; null (the supplier does not know it) does nothing. */
export function decide<D>(kind: TrackedKind<D>, current: { status: string; isFinal: boolean }, report: D | null): Decision {
  if (report === null) return "ignore";
  const status = kind.statusOf(report);
  if (status === current.status) return "touch";
  if (current.isFinal) return "ignore";
  return kind.rank(status) > kind.rank(current.status) ? "move" : "ignore";
}
