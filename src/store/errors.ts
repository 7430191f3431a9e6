/**
 * Telling "the store is unreachable" (PostgreSQL restarting, network gone, the store closed)
 * from a bug, so a client gets a retryable SERVICE_UNAVAILABLE instead of INTERNAL_SERVER_ERROR.
 * The engines (src/store/sql.ts) turn such failures into `StoreUnavailableError` where they
 * happen, by the driver's error type and code, never by reading messages (issue 17, item 3).
 */
import pg from "pg";

/** The store could not run a statement because it cannot be reached; retrying later may work. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}

/** Socket errors of the connection to PostgreSQL (Node's `err.code`). */
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

/**
 * SQLSTATEs of a server that is going away or not accepting connections yet: class 08
 * (connection exception) and 57P01–57P03 (admin/crash shutdown, cannot connect now).
 */
function unavailableState(code: string): boolean {
  return code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03";
}

/**
 * Whether an error thrown by `pg` means the server cannot be reached. A `DatabaseError` is the
 * server's answer: unavailable only for the SQLSTATEs above. Anything else from the driver that
 * is a plain `Error` (not a TypeError or other bug in the caller) is the connection failing:
 * pg reports a terminated connection, a connect timeout and a broken client that way, with or
 * without a socket code.
 */
export function pgConnectionFailure(err: unknown): boolean {
  if (err instanceof pg.DatabaseError) return typeof err.code === "string" && unavailableState(err.code);
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code === "string") return SOCKET_CODES.has(code);
  return Object.getPrototypeOf(err) === Error.prototype;
}

/** Rethrows a pg failure, as StoreUnavailableError when the server cannot be reached. */
export function rethrowPg(err: unknown): never {
  if (pgConnectionFailure(err)) throw new StoreUnavailableError("The PostgreSQL store cannot be reached", { cause: err });
  throw err;
}
