/**
 * The tracked-kinds list (issue 21, item 5): every kind of record the gateway follows to a final
 * state. Configuration (each kind's schedule rows), metrics (its open gauge), the webhook inbox
 * and the tracking wiring loop over it. Adding a kind: its name in src/vocabulary/kinds.ts, its
 * file here, and a line below (a test adds one of its own: test/integration/third-kind.test.ts).
 */
import type { KindDefinition } from "../kind.js";
import { stopDefinition } from "./stop.js";
import { voidDefinition } from "./void.js";

/** A kind of the list, whatever report it keeps. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each kind keeps its own report type
export type AnyKind = KindDefinition<any>;

export const TRACKED_KINDS: readonly AnyKind[] = [voidDefinition, stopDefinition];
