/**
 * One SQL dialect (PostgreSQL) over two engines: PGlite (PostgreSQL compiled to WebAssembly,
 * the embedded default, in DATA_DIR) and a PostgreSQL server through `pg` (DATABASE_URL).
 * The stores only see `SqlDb`.
 */
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { rethrowPg, StoreUnavailableError } from "./errors.js";
import type { Sql, SqlDb } from "./db.js";
import { startMaintenance, type MaintenanceOptions } from "./maintenance.js";

/** The embedded store's options. */
export interface PgliteOptions {
  /** Directory to keep the data in (DATA_DIR). @default undefined: in memory */
  dataDir?: string;
  /** A dump (PGlite dumpDataDir) to start from instead of running initdb, which takes seconds. */
  template?: Blob | File;
  /**
   * The autovacuum PGlite lacks (./maintenance.ts); `false` turns it off.
   * @default {} (MaintenanceOptions' defaults: one step at most per check, every 5 s)
   */
  maintenance?: MaintenanceOptions | false;
  /** Told when a maintenance round fails (the next round tries again). */
  onMaintenanceError?: (err: unknown) => void;
}

/** Opens the embedded PGlite store. */
export async function openPglite(opts: PgliteOptions = {}): Promise<SqlDb> {
  const db = new PGlite(opts.dataDir, opts.template ? { loadDataDir: opts.template } : {});
  await db.waitReady;
  let closed = false;
  const open = () => {
    if (closed) throw new StoreUnavailableError("The embedded store is closed");
  };
  const maintenance =
    opts.maintenance === false
      ? undefined
      : startMaintenance({ query: async <T>(text: string) => (await db.query<T>(text)).rows }, opts.maintenance, opts.onMaintenanceError);
  return {
    engine: "pglite",
    async query<T>(text: string, params: unknown[] = []) {
      open();
      return (await db.query<T>(text, params)).rows;
    },
    async tx<R>(fn: (sql: Sql) => Promise<R>) {
      open();
      return db.transaction(async (t) =>
        fn({ query: async <T>(text: string, params: unknown[] = []) => (await t.query<T>(text, params)).rows }),
      );
    },
    async ping() {
      open();
      await db.query("SELECT 1");
    },
    async close() {
      if (closed) return;
      closed = true;
      await maintenance?.stop();
      await db.close();
    },
  };
}

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
