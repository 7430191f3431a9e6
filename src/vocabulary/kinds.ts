/**
 * The names of the kinds of tracked record (docs/tracking.md): a word the store, the tracking
 * engine, metrics and the resolvers share. A leaf: it imports nothing of the project. Each name
 * has its definition in the tracked-kinds list (src/tracking/kinds/index.ts).
 */

/** The name of a kind of tracked record. */
export type KindName = "void" | "stop";
