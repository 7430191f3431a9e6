/**
 * Which failures of the PostgreSQL driver (`pg`) mean the server cannot be reached, by the
 * driver's error type and SQLSTATE (issue 17, item 3). Loaded with the PostgreSQL engine only.
 */
import pg from "pg";
import { StoreUnavailableError, type ResourceFailures } from "./errors.js";

/** Socket errors of the connection to PostgreSQL (Node's `err.code`). */
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

/**
 * SQLSTATEs of a server that is going away or not accepting connections yet: class 08
 * (connection exception) and 57P01–57P03 (admin/crash shutdown, cannot connect now); and 57014,
 * a statement cancelled for running past `statement_timeout` (./postgres.ts: the gateway cancels
 * nothing else): a store too slow to answer.
 */
function unavailableState(code: string): boolean {
  return code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03" || code === "57014";
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

/**
 * Rethrows a pg failure, as StoreUnavailableError when the server cannot be reached, or (with
 * `resources`) when it refused the statement for want of resources.
 */
export function rethrowPg(err: unknown, resources?: ResourceFailures): never {
  if (pgConnectionFailure(err)) throw new StoreUnavailableError("The PostgreSQL store cannot be reached", { cause: err });
  if (resources) resources.rethrow(err);
  throw err;
}
