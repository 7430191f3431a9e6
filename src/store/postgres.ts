/**
 * The scale-out engine: a PostgreSQL server through `pg` (DATABASE_URL), the same SQL dialect
 * as the embedded PGlite (./pglite.ts). The stores only see `SqlDb`; this module (and `pg`) is
 * loaded only when DATABASE_URL is set (issue 22).
 */
import pg from "pg";
import type { Sql, SqlDb } from "./db.js";
import { ResourceFailures, StoreUnavailableError } from "./errors.js";
import { pgConnectionFailure, rethrowPg } from "./postgres-errors.js";
import { MAX_PREPARED, STALE_PLAN } from "./prepared.js";

/** The PostgreSQL store's options. */
export interface PostgresOptions {
  connectionString: string;
  /** PostgreSQL schema to use (tests give each run its own); created when missing. @default "public" */
  schema?: string;
  /** Connections in the pool. @default 10 */
  max?: number;
  /** Prepare each parameterised statement once per connection (DATABASE_NAMED_STATEMENTS). @default true */
  namedStatements?: boolean;
  /** How long a statement may go unanswered before its connection is dropped (tests shorten it). @default STATEMENT_TIMEOUT_MS */
  statementTimeoutMs?: number;
}

/**
 * The longest a statement may go unanswered before its connection is taken for dead: the
 * statement fails (SERVICE_UNAVAILABLE) and its connection is dropped from the pool, so the next
 * one opens a fresh connection. Without it, a connection whose server or network went silent
 * without closing it (a failover, a NAT's idle timeout, a hung pooler) held its statement, and
 * every loop waiting on it, until the kernel gave up on the socket, or forever (black-box probe:
 * webhook processing stopped for good, `/readyz` ready). The gateway's statements take
 * milliseconds; the bench's slowest, a poll lease over 10,000 open voids, half a second. The
 * server is told a little less (its `statement_timeout`), so that a statement that is merely
 * slow is cancelled there, locks released, rather than left running after the client gave up
 * (review); the client's own limit is for the connection that no longer answers at all.
 */
const STATEMENT_TIMEOUT_MS = 30_000;
/**
 * Migrations (the only transactions) run at start with no server-side limit (an index on a big
 * table may take long, and cut short it would be built again at every start) and this long
 * before the client gives up on a silent connection.
 */
const MIGRATION_STATEMENT_TIMEOUT_MS = 60 * 60_000;
/** TCP keepalive on idle connections, so a peer that vanished is noticed by the kernel too. */
const KEEPALIVE_DELAY_MS = 10_000;

/**
 * Names each parameterised statement text, so every connection of the pool parses it once and
 * PostgreSQL may keep its plan, instead of parsing and planning it on every call: parse and
 * bind were 45 % of PostgreSQL's time per statement in bench:delivery (issue 24). Texts without
 * parameters (migrations: several statements in one text) run unnamed, by the simple protocol,
 * and so does everything in a transaction (only migrations use one), where a failed statement
 * could not be tried again. A text whose named form fails as stale (its table changed shape)
 * runs unnamed from then on. Off (DATABASE_NAMED_STATEMENTS=false), everything runs unnamed: a
 * pooler in transaction mode that does not track prepared statements (PgBouncer before 1.21)
 * would hand a named statement to a connection that never prepared it.
 */
function statementNames(enabled: boolean) {
  const names = new Map<string, string | null>();
  /** Runs `run` on the statement, named when it may be, and once more unnamed when its named form is stale. */
  return async <R>(text: string, values: unknown[], run: (q: pg.QueryConfig) => Promise<R>): Promise<R> => {
    let name = enabled && values.length ? names.get(text) : null;
    if (name === undefined && names.size < MAX_PREPARED) names.set(text, (name = `gw${names.size}`));
    if (!name) return run({ text, values });
    try {
      return await run({ name, text, values });
    } catch (err) {
      if ((err as { code?: string }).code !== STALE_PLAN) throw err;
      names.set(text, null);
      return run({ text, values });
    }
  };
}

/** The server and database a connection string names, for messages: never its password. */
function where(connectionString: string): string {
  try {
    const u = new URL(connectionString);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return "the configured server";
  }
}

/** Opens a PostgreSQL pool. The schema is created when missing. */
export async function openPostgres(opts: PostgresOptions): Promise<SqlDb> {
  const schema = opts.schema ?? "public";
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  const statementTimeoutMs = opts.statementTimeoutMs ?? STATEMENT_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.max ?? 10,
    // Set as the search path is (one startup option), not as its own startup parameter.
    options: `-c search_path=${schema} -c statement_timeout=${statementTimeoutMs - Math.min(2000, Math.floor(statementTimeoutMs / 10))}`,
    connectionTimeoutMillis: 5000,
    query_timeout: statementTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
  });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } catch (err) {
    // Two instances creating the schema at the same moment: one loses with a unique violation
    // (PostgreSQL's IF NOT EXISTS is not race-free); the schema exists either way.
    const code = (err as { code?: string }).code;
    if (code !== "23505" && code !== "42P06") {
      await pool.end();
      // The server's refusal (no such database, authentication failed): said in one line too, never the password.
      if (err instanceof pg.DatabaseError)
        throw new StoreUnavailableError(
          `PostgreSQL at ${where(opts.connectionString)} (DATABASE_URL) refused the gateway: ${err.message} (SQLSTATE ${err.code})`,
          {
            cause: err,
          },
        );
      if (!pgConnectionFailure(err)) throw err;
      // Node's connect to a host with several addresses fails with an AggregateError and no message of its own.
      const why = err instanceof AggregateError ? err.errors.map(String).join("; ") : (err as Error).message;
      throw new StoreUnavailableError(`PostgreSQL at ${where(opts.connectionString)} (DATABASE_URL) cannot be reached: ${why}`, {
        cause: err,
      });
    }
  }
  const runStatement = statementNames(opts.namedStatements ?? true);
  const resources = new ResourceFailures();
  const fail = (err: unknown) => rethrowPg(err, resources);
  return {
    engine: "postgres",
    async query<T>(text: string, params: unknown[] = []) {
      // A failed statement's connection is dropped by the pool (pool.query releases it with the error).
      return (await runStatement(text, params, (q) => pool.query(q)).catch(fail)).rows as T[];
    },
    async tx<R>(fn: (sql: Sql) => Promise<R>) {
      const client = await pool.connect().catch(fail);
      const run = <T>(text: string, values: unknown[] = []) =>
        client.query<T & pg.QueryResultRow>({ text, values, query_timeout: MIGRATION_STATEMENT_TIMEOUT_MS } as pg.QueryConfig).catch(fail);
      let failed: unknown;
      try {
        await run("BEGIN");
        await run("SET LOCAL statement_timeout = 0");
        const r = await fn({ query: async <T>(text: string, params: unknown[] = []) => (await run<T>(text, params)).rows });
        await run("COMMIT");
        return r;
      } catch (err) {
        failed = err;
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
      } finally {
        // After a failure the connection is not trusted again: dropped, not pooled.
        client.release(failed === undefined ? undefined : (failed as Error));
      }
    },
    async ping() {
      resources.check();
      await pool.query("SELECT 1").catch(fail);
    },
    async close() {
      await pool.end();
    },
  };
}
