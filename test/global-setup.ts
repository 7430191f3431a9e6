/**
 * Prepares, once per test run, a migrated embedded store so tests need not pay PGlite's
 * initdb (seconds) each time: a dump for in-process stores and a data directory that
 * gateway processes copy as their DATA_DIR.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { PGLITE_DATADIR_TEMPLATE, PGLITE_DUMP_TEMPLATE, TEMPLATE_ROOT } from "./helpers/paths.js";

export default async function setup(): Promise<void> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { migrate } = await import("../src/store/migrations.js");
  const { openPglite } = await import("../src/store/pglite.js");
  rmSync(TEMPLATE_ROOT, { recursive: true, force: true });
  mkdirSync(TEMPLATE_ROOT, { recursive: true });
  const db = await openPglite({ dataDir: PGLITE_DATADIR_TEMPLATE });
  await migrate(db);
  await db.close();
  const copy = new PGlite(PGLITE_DATADIR_TEMPLATE);
  await copy.waitReady;
  const dump = await copy.dumpDataDir("gzip");
  await copy.close();
  writeFileSync(PGLITE_DUMP_TEMPLATE, Buffer.from(await dump.arrayBuffer()));
}
