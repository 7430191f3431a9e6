/** What both engines' prepared statements share (./postgres.ts names them per pool, ./pglite-statements.ts per PGlite). */

/** Most statement texts kept prepared; the rest run unnamed. The gateway has about sixty. */
export const MAX_PREPARED = 256;

/** SQLSTATE 0A000, "cached plan must not change result type": a prepared `SELECT *` outlived a change of its table. */
export const STALE_PLAN = "0A000";
