/** Stores for tests: PGlite from the prepared template, or a fresh PostgreSQL schema. */
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MaintenanceOptions } from "../../src/store/maintenance.js";
import { migrate } from "../../src/store/migrations.js";
import { openPglite } from "../../src/store/pglite.js";
import { openPostgres, type PostgresOptions } from "../../src/store/postgres.js";
import { wrap, type Store } from "../../src/store/index.js";
import { PGLITE_DATADIR_TEMPLATE, PGLITE_DUMP_TEMPLATE } from "./paths.js";

export const DATABASE_URL = process.env.TEST_DATABASE_URL;
export const REDIS_URL = process.env.TEST_REDIS_URL;

/** An in-memory PGlite store, loaded from the migrated template. */
export async function pgliteStore(opts: { maintenance?: MaintenanceOptions | false } = {}): Promise<Store> {
  const template = new Blob([readFileSync(PGLITE_DUMP_TEMPLATE)]);
  const db = await openPglite({ template, ...opts });
  await migrate(db);
  return wrap(db);
}

/** A store in a new schema of TEST_DATABASE_URL; close() drops the schema. */
export async function postgresStore(
  schema = `t_${randomBytes(6).toString("hex")}`,
  url = DATABASE_URL,
  pool: Pick<PostgresOptions, "max" | "namedStatements"> = {},
): Promise<Store & { schema: string }> {
  if (!url) throw new Error("TEST_DATABASE_URL is not set");
  const db = await openPostgres({ connectionString: url, schema, max: 5, ...pool });
  await migrate(db);
  const store = wrap(db);
  return {
    ...store,
    schema,
    async close() {
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await db.close();
    },
  };
}

/** A fresh DATA_DIR for a gateway process, copied from the migrated template (no initdb). */
export function freshDataDir(): string {
  const dir = join(mkdtempSync(join(tmpdir(), "gateway-data-")), "data");
  cpSync(PGLITE_DATADIR_TEMPLATE, dir, { recursive: true });
  return dir;
}

/** Prints why a suite is skipped, so a skip is never silent. */
export function skipReason(what: string, variable: string): string {
  const reason = `${what} tests skipped: ${variable} is not set`;
  console.warn(reason);
  return reason;
}
