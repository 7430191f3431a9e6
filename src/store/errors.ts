/**
 * Telling "the store is unreachable" (PostgreSQL restarting, network gone, the store closed)
 * from a bug, so a client gets a retryable SERVICE_UNAVAILABLE instead of INTERNAL_SERVER_ERROR.
 * The engines (src/store/pglite.ts, src/store/postgres.ts, whose driver errors are read in
 * ./postgres-errors.ts) turn such failures into `StoreUnavailableError` where they happen, by
 * the driver's error type and code, never by reading messages (issue 17, item 3).
 */
/** The store could not run a statement because it cannot be reached; retrying later may work. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}
