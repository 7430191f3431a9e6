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
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { copyFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import type { Sql, SqlDb } from "./db.js";
import { StoreUnavailableError } from "./errors.js";
import { startMaintenance, type MaintenanceOptions } from "./maintenance.js";

/** The data directory `npm run build` prepares (initdb and migrations done), beside the built code. */
export const BUILT_TEMPLATE = fileURLToPath(new URL("../../pglite-template", import.meta.url));

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

/** Files copied at once when seeding: the copies run in libuv's thread pool and overlap. */
const COPIES_AT_ONCE = 16;

/**
 * Copies a directory tree, folders with their modes first, then the files (copyFile keeps each
 * file's mode) many at a time: the template's ~1,000 files took 76–107 ms this way against
 * 128–190 ms with one `cpSync` (and 425 ms cold), in alternating runs (issue 22, ready time).
 */
async function copyTree(from: string, to: string): Promise<void> {
  const files: string[] = [];
  const walk = (rel: string) => {
    const dir = join(to, rel);
    mkdirSync(dir);
    chmodSync(dir, statSync(join(from, rel)).mode);
    for (const entry of readdirSync(join(from, rel), { withFileTypes: true })) {
      const path = join(rel, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push(path);
      else throw new Error(`the store template holds ${path}, which is neither a file nor a folder`);
    }
  };
  walk("");
  let next = 0;
  const copier = async () => {
    while (next < files.length) {
      const path = files[next++];
      await copyFile(join(from, path), join(to, path));
    }
  };
  await Promise.all(Array.from({ length: COPIES_AT_ONCE }, copier));
}

/**
 * Fills an empty or missing `dataDir` from the prepared template: copied beside it, then renamed
 * into place, so a crash half-way never leaves a half-made data directory.
 */
export async function seedDataDir(dataDir: string, templateDir: string): Promise<void> {
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) return;
  if (!existsSync(join(templateDir, "PG_VERSION"))) return;
  mkdirSync(dirname(dataDir), { recursive: true });
  const staging = `${dataDir}.seeding-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  await copyTree(templateDir, staging);
  rmSync(dataDir, { recursive: true, force: true });
  renameSync(staging, dataDir);
}

/** Opens the embedded PGlite store. */
export async function openPglite(opts: PgliteOptions = {}): Promise<SqlDb> {
  const templateDir = opts.templateDir ?? BUILT_TEMPLATE;
  if (opts.dataDir && !opts.template && templateDir !== false) await seedDataDir(opts.dataDir, templateDir);
  const startParams = opts.sharedBuffers ? [...PGlite.defaultStartParams, "-c", `shared_buffers=${opts.sharedBuffers}`] : undefined;
  const db = new PGlite(opts.dataDir, {
    ...(opts.template ? { loadDataDir: opts.template } : {}),
    ...(startParams ? { startParams } : {}),
  });
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
