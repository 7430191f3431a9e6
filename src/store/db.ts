/**
 * What the stores see of the database: one SQL dialect (PostgreSQL), whichever engine runs it
 * (src/store/sql.ts opens one). Types only, so the engines, the stores and the embedded
 * store's upkeep can all name them without importing each other.
 */

/** Something that runs a statement: the database, or a transaction. */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

/** A database both engines provide. Failures to reach it surface as StoreUnavailableError (./errors.ts). */
export interface SqlDb extends Sql {
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  tx<R>(fn: (sql: Sql) => Promise<R>): Promise<R>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
  readonly engine: "pglite" | "postgres";
}
