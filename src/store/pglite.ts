/**
 * The embedded engine: PGlite (PostgreSQL compiled to WebAssembly) in DATA_DIR, the same SQL
 * dialect as the PostgreSQL server (./postgres.ts). The stores only see `SqlDb`; this module
 * (and PGlite) is loaded only when no DATABASE_URL is set.
 *
 * A light start (issue 22): an empty DATA_DIR is filled from a data directory prepared at build
 * time (./prepare-template.ts) instead of running initdb in the serving process — initdb costs
 * seconds and grows the WebAssembly memory to ~800 MB, which is never given back — and
 * PostgreSQL's buffers are sized for an embedded store (`sharedBuffers`).
 */
import { PGlite } from "@electric-sql/pglite";
import type { Sql, SqlDb } from "./db.js";
import { ResourceFailures, StoreUnavailableError } from "./errors.js";
import { startMaintenance, type MaintenanceOptions } from "./maintenance.js";
import { PreparedStatements } from "./pglite-statements.js";
import { BUILT_TEMPLATE, seedDataDir } from "./seed.js";
import { holdDataDir } from "./data-dir-lock.js";

/** The embedded store's options. */
export interface PgliteOptions {
  /** Directory to keep the data in (DATA_DIR). @default undefined: in memory */
  dataDir?: string;
  /** A dump (PGlite dumpDataDir) to start from instead of running initdb, which takes seconds. */
  template?: Blob | File;
  /**
   * A prepared data directory copied into an empty `dataDir` instead of running initdb; skipped
   * when it does not exist (a build without it, or the sources run directly); `false`: never
   * (the build step that makes it, and a test of the old path).
   * @default BUILT_TEMPLATE
   */
  templateDir?: string | false;
  /** PostgreSQL's shared_buffers (PGLITE_SHARED_BUFFERS), e.g. "16MB". @default undefined: PGlite's own (128MB) */
  sharedBuffers?: string;
  /**
   * The autovacuum PGlite lacks (./maintenance.ts); `false` turns it off.
   * @default {} (MaintenanceOptions' defaults: one step at most per check, every 5 s)
   */
  maintenance?: MaintenanceOptions | false;
  /** Told when a maintenance round fails (the next round tries again). */
  onMaintenanceError?: (err: unknown) => void;
}

/**
 * PostgreSQL settings the embedded store starts with, beyond PGlite's own.
 *
 * `wal_init_zero=off`: PostgreSQL fills each new 16 MB WAL segment with zeroes before its first
 * record. PGlite has no background process to do that ahead of time, so the statement whose
 * record crosses into a new segment writes all 16 MB itself, on the gateway's only thread: a
 * stall of ~35 ms every 16 MB of writes, every 7–15 s at 500 changes/s (bench/RESULTS.md, "WAL
 * segments on the embedded store"). Off, the file is created at its size by writing its last
 * byte. Recovery finds the end of the WAL by its records' headers, not by zeroes, so it is
 * unchanged (test/integration/embedded-store-wal.test.ts).
 */
const START_SETTINGS = ["wal_init_zero=off"];

/** Opens the embedded PGlite store. */
export async function openPglite(opts: PgliteOptions = {}): Promise<SqlDb> {
  const templateDir = opts.templateDir ?? BUILT_TEMPLATE;
  // One process per data directory, held before it is filled or opened (./data-dir-lock.ts).
  const hold = opts.dataDir ? holdDataDir(opts.dataDir) : undefined;
  let db: PGlite;
  try {
    if (opts.dataDir && !opts.template && templateDir !== false) await seedDataDir(opts.dataDir, templateDir);
    const settings = opts.sharedBuffers ? [...START_SETTINGS, `shared_buffers=${opts.sharedBuffers}`] : START_SETTINGS;
    const startParams = [...PGlite.defaultStartParams, ...settings.flatMap((s) => ["-c", s])];
    db = new PGlite(opts.dataDir, { startParams, ...(opts.template ? { loadDataDir: opts.template } : {}) });
    await db.waitReady;
  } catch (err) {
    hold?.release();
    throw err;
  }
  const statements = new PreparedStatements(db);
  const resources = new ResourceFailures();
  const fail = (err: unknown) => resources.rethrow(err);
  let closed = false;
  const open = () => {
    if (closed) throw new StoreUnavailableError("The embedded store is closed");
    const lost = hold?.lost();
    if (lost) throw new StoreUnavailableError(`The embedded store cannot be used: ${lost}`);
  };
  const maintenance =
    opts.maintenance === false
      ? undefined
      : startMaintenance(
          {
            query: async <T>(text: string, params?: unknown[]) => {
              open(); // not on a store that lost its folder or its lock
              return (await db.query<T>(text, params)).rows;
            },
          },
          opts.maintenance,
          opts.onMaintenanceError,
        );
  return {
    engine: "pglite",
    async query<T>(text: string, params: unknown[] = []) {
      open();
      return statements.query<T>(text, params).catch(fail);
    },
    async tx<R>(fn: (sql: Sql) => Promise<R>) {
      open();
      return db
        .transaction(async (t) =>
          fn({
            query: async <T>(text: string, params: unknown[] = []) => {
              if (t.closed) throw new Error("Transaction is closed");
              return statements.inTransaction<T>(text, params).catch(fail);
            },
          }),
        )
        .catch(fail);
    },
    async ping() {
      open();
      resources.check();
      await db.query("SELECT 1");
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await maintenance?.stop();
        // A store that lost its lock (another process holds the folder now) or its folder is
        // dropped, not shut down: a shutdown writes a checkpoint into the folder.
        if (!hold?.lost()) await db.close();
      } finally {
        hold?.release();
      }
    },
  };
}
