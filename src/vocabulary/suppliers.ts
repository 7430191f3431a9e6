/**
 * The suppliers' names: a word every layer shares (the schema's `Supplier` enum, metrics labels,
 * the store's records, the datasources). A leaf: it imports nothing of the project. Each name has
 * its descriptor in the wiring list (datasources/suppliers.ts) and, for the sandbox, a simulator
 * in src/sandbox/simulators.ts.
 */

/** A supplier's name, as the `Supplier` enum spells it. */
export type SupplierName = "ATRIP" | "ALITRIP" | "CTT";
