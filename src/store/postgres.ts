/**
 * The scale-out engine: a PostgreSQL server through `pg` (DATABASE_URL), the same SQL dialect
 * as the embedded PGlite (./pglite.ts). The stores only see `SqlDb`; this module (and `pg`) is
 * loaded only when DATABASE_URL is set (issue 22).
 */
import pg from "pg";
import type { Sql, SqlDb } from "./db.js";
import { rethrowPg } from "./postgres-errors.js";
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
}

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

/** Opens a PostgreSQL pool. The schema is created when missing. */
export async function openPostgres(opts: PostgresOptions): Promise<SqlDb> {
  const schema = opts.schema ?? "public";
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.max ?? 10,
    options: `-c search_path=${schema}`,
    connectionTimeoutMillis: 5000,
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
      throw err;
    }
  }
  const runStatement = statementNames(opts.namedStatements ?? true);
  return {
    engine: "postgres",
    async query<T>(text: string, params: unknown[] = []) {
      return (await runStatement(text, params, (q) => pool.query(q)).catch(rethrowPg)).rows as T[];
    },
    async tx<R>(fn: (sql: Sql) => Promise<R>) {
      const client = await pool.connect().catch(rethrowPg);
      try {
        await client.query("BEGIN").catch(rethrowPg);
        const r = await fn({
          query: async <T>(text: string, params: unknown[] = []) => (await client.query(text, params).catch(rethrowPg)).rows as T[],
        });
        await client.query("COMMIT").catch(rethrowPg);
        return r;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async ping() {
      await pool.query("SELECT 1").catch(rethrowPg);
    },
    async close() {
      await pool.end();
    },
  };
}
