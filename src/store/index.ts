/**
 * The gateway's durable store: PGlite in DATA_DIR by default, PostgreSQL when DATABASE_URL is
 * set. Migrations run when it opens.
 */
import { IdempotencyStore } from "./idempotency-store.js";
import { InboxStore } from "./inbox-store.js";
import { migrate, type MigrationReport } from "./migrations.js";
import { type SqlDb } from "./db.js";
import { EventLog } from "./event-log.js";
import { OwnerStore } from "./owner-store.js";
import { quoteStore, type QuoteStore } from "./quote-store.js";
import { TrackedStore } from "./tracked-store.js";
import { UnsettledStore } from "./unsettled-store.js";

/** The database the stores run on, for callers that need a statement of their own (tests, the bench). */
export type { SqlDb };

/**
 * The gateway's durable state, one facade per table group over one database. The event log is the truth
 * every delivery reads (issue 11); pub/sub messages only wake readers up.
 */
export interface Store {
  db: SqlDb;
  /** Tracked records of every kind (voids, stop requests). */
  tracked: TrackedStore;
  /** Their events, one log for every kind, read in commit order. */
  events: EventLog;
  inbox: InboxStore;
  idempotency: IdempotencyStore;
  unsettled: UnsettledStore;
  /** Which tenant owns an order on a shared supplier account. */
  owners: OwnerStore;
  /** The latest void quote of each order. */
  quotes: QuoteStore;
  close(): Promise<void>;
}

/**
 * Where the store lives: DATABASE_URL (PostgreSQL, scale-out) or DATA_DIR (embedded PGlite, the default).
 * docs/architecture.md, "Embedded default vs scale-out".
 */
export interface StoreOptions {
  /** PostgreSQL connection string (DATABASE_URL); when set, PGlite is not used. */
  databaseUrl?: string;
  /** PostgreSQL schema (DATABASE_SCHEMA); tests give each run its own. @default "public" */
  databaseSchema?: string;
  /** PostgreSQL: prepare each statement once per connection (DATABASE_NAMED_STATEMENTS). @default true */
  databaseNamedStatements?: boolean;
  /** The embedded store's directory (DATA_DIR). @default undefined: in memory */
  dataDir?: string;
  /** A PGlite dump to start an empty embedded store from (tests). */
  pgliteTemplate?: Blob;
  /** The embedded store's shared_buffers (PGLITE_SHARED_BUFFERS). */
  pgliteSharedBuffers?: string;
  /** Told when the embedded store's maintenance (the autovacuum PGlite lacks) fails a round. */
  onMaintenanceError?: (err: unknown) => void;
  /** Told what the start's migration found: versions applied, and any this build does not know. */
  onMigrated?: (report: MigrationReport) => void;
}

/**
 * Opens the store and applies pending migrations before anything reads it (under an advisory lock,
 * so instances starting together do not race).
 */
export async function openStore(opts: StoreOptions): Promise<Store> {
  // Each engine (and its driver) is loaded only when it is the one configured (issue 22).
  const db = opts.databaseUrl
    ? await (
        await import("./postgres.js")
      ).openPostgres({ connectionString: opts.databaseUrl, schema: opts.databaseSchema, namedStatements: opts.databaseNamedStatements })
    : await (
        await import("./pglite.js")
      ).openPglite({
        dataDir: opts.dataDir,
        template: opts.pgliteTemplate,
        sharedBuffers: opts.pgliteSharedBuffers,
        onMaintenanceError: opts.onMaintenanceError,
      });
  // Not `onMigrated?.(await migrate(db))`: an optional call skips its arguments, and the migrations with them.
  const report = await migrate(db);
  opts.onMigrated?.(report);
  return wrap(db);
}

/** Store facades over an already migrated database. */
export function wrap(db: SqlDb): Store {
  return {
    db,
    tracked: new TrackedStore(db),
    events: new EventLog(db),
    inbox: new InboxStore(db),
    idempotency: new IdempotencyStore(db),
    unsettled: new UnsettledStore(db),
    owners: new OwnerStore(db),
    quotes: quoteStore(db),
    close: () => db.close(),
  };
}
