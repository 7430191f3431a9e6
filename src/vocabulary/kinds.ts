/**
 * The names of the kinds of tracked record (docs/tracking.md): a word the store, the tracking
 * engine, metrics and the resolvers share. A leaf: it imports nothing of the project. Each name
 * has its definition in the tracked-kinds list (src/tracking/kinds/index.ts).
 */

/** The kinds of tracked record. */
export const KIND_NAMES = ["void", "stop"] as const;

/** One kind's name. */
export type KindName = (typeof KIND_NAMES)[number];
