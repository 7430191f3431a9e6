/**
 * The suppliers' names: a word every layer shares (the schema's `Supplier` enum, metrics labels,
 * the store's records, the datasources). A leaf: it imports nothing of the project. Each name has
 * its descriptor in the wiring list (datasources/suppliers.ts) and, for the sandbox, a simulator
 * in src/sandbox/simulators.ts.
 */

/** The suppliers' names, as the `Supplier` enum spells them. */
export const SUPPLIER_NAMES = ["ATRIP", "ALITRIP", "CTT"] as const;

/** One supplier's name. */
export type SupplierName = (typeof SUPPLIER_NAMES)[number];
