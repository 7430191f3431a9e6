/**
 * The scale-out engine: a PostgreSQL server through `pg` (DATABASE_URL), the same SQL dialect
 * as the embedded PGlite (./pglite.ts). The stores only see `SqlDb`; this module (and `pg`) is
 * loaded only when DATABASE_URL is set (issue 22).
 */
import pg from "pg";
import type { Sql, SqlDb } from "./db.js";
import { rethrowPg } from "./postgres-errors.js";

/** The PostgreSQL store's options. */
export interface PostgresOptions {
  connectionString: string;
  /** PostgreSQL schema to use (tests give each run its own); created when missing. @default "public" */
  schema?: string;
  /** Connections in the pool. @default 10 */
  max?: number;
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
  return {
    engine: "postgres",
    async query<T>(text: string, params: unknown[] = []) {
      return (await pool.query(text, params).catch(rethrowPg)).rows as T[];
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
