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

/**
 * SQLSTATE classes of a statement the store refused for the values it carries: 22 (data
 * exception, e.g. a character text cannot hold), 23 (integrity constraint) and 54 (a program
 * limit, e.g. 54000 "index row size exceeds maximum": a key of some KB; differential-store
 * probe, thirty-second session, where such a write was tried again for ever). The same
 * statement is refused again however often it is tried. Not class 42 (syntax, a missing table,
 * a privilege): a deployment fault, which may be mended while the write waits. Class 23 holds
 * because every insert a write may retry has ON CONFLICT: a race gives no 23505 a retry would mend.
 */
const REFUSED_FOR_GOOD = /^(22|23|54)[0-9A-Z]{3}$/;

/** Whether the store refused a statement in a way that trying it again cannot change (by its SQLSTATE). */
export function refusedForGood(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && REFUSED_FOR_GOOD.test(code);
}

/** Class 53 (insufficient resources) and 58000/58030 (system and I/O errors); not 58P01/58P02 (a file missing or present: a deployment fault). */
const RESOURCE_STATES = /^(53[0-9A-Z]{3}|58000|58030)$/;

/** How long after a statement failed for want of resources the store's ping says so. */
const RESOURCE_FAILURE_SHOWN_MS = 30_000;

/**
 * Statements refused for want of resources — SQLSTATE class 53 (disk full, out of memory, too
 * many connections) and 58 (I/O error) — by either engine. They are the store being unusable,
 * not a bug: the client gets SERVICE_UNAVAILABLE (retryable), and for RESOURCE_FAILURE_SHOWN_MS
 * after the last one the engine's ping fails too, so `/readyz` and `gateway_store_up` say so
 * (black-box probe: a full disk on the embedded store was INTERNAL_SERVER_ERROR, the store "ok").
 * A ping's own `SELECT 1` still succeeds on a full disk: it writes nothing.
 */
export class ResourceFailures {
  private last: { at: number; code: string } | undefined;

  /** Rethrows `err`, as StoreUnavailableError when it is such a failure (and remembers it). */
  rethrow(err: unknown): never {
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === "string" && RESOURCE_STATES.test(code)) {
      this.last = { at: Date.now(), code };
      throw new StoreUnavailableError(`The store cannot run statements: out of resources (SQLSTATE ${code})`, { cause: err });
    }
    throw err;
  }

  /** Throws while a resource failure is recent (the engines' ping). */
  check(): void {
    if (this.last && Date.now() - this.last.at < RESOURCE_FAILURE_SHOWN_MS)
      throw new StoreUnavailableError(`A statement failed for want of resources (SQLSTATE ${this.last.code}) in the last 30 s`);
  }
}
