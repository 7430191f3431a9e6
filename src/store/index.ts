/**
 * The gateway's durable store: PGlite in DATA_DIR by default, PostgreSQL when DATABASE_URL is
 * set. Migrations run when it opens.
 */
import { IdempotencyStore } from "./idempotency-store.js";
import { InboxStore } from "./inbox-store.js";
import { migrate } from "./migrations.js";
import { openPglite, openPostgres, type SqlDb } from "./sql.js";
import { StopStore } from "./stop-store.js";
import { UnsettledStore } from "./unsettled-store.js";
import { VoidStore } from "./void-store.js";

export { IdempotencyStore, InboxStore, StopStore, UnsettledStore, VoidStore };
export type { SqlDb };

export interface Store {
  db: SqlDb;
  voids: VoidStore;
  stops: StopStore;
  inbox: InboxStore;
  idempotency: IdempotencyStore;
  unsettled: UnsettledStore;
  close(): Promise<void>;
}

export interface StoreOptions {
  databaseUrl?: string;
  databaseSchema?: string;
  dataDir?: string;
  /** A PGlite dump to start an empty embedded store from (tests). */
  pgliteTemplate?: Blob;
}

export async function openStore(opts: StoreOptions): Promise<Store> {
  const db = opts.databaseUrl
    ? await openPostgres({ connectionString: opts.databaseUrl, schema: opts.databaseSchema })
    : await openPglite({ dataDir: opts.dataDir, template: opts.pgliteTemplate });
  await migrate(db);
  return wrap(db);
}

/** Store facades over an already migrated database. */
export function wrap(db: SqlDb): Store {
  return {
    db,
    voids: new VoidStore(db),
    stops: new StopStore(db),
    inbox: new InboxStore(db),
    idempotency: new IdempotencyStore(db),
    unsettled: new UnsettledStore(db),
    close: () => db.close(),
  };
}
