/**
 * Schema migrations, applied in order at start-up under an advisory lock (so two instances
 * starting together do not race). Append only: never edit a migration that has shipped.
 */
import type { SqlDb } from "./db.js";

/**
 * Every migration, oldest first. Append only: a shipped migration is never edited, since instances
 * that applied it would not run it again. `sql` is split into statements at each ";"; a list is
 * run as given, one statement per entry (a function body holds semicolons of its own).
 */
const MIGRATIONS: Array<{ version: number; name: string; sql: string | string[] }> = [
  {
    version: 1,
    name: "voids, void events, stop requests, webhook inbox",
    sql: `
      CREATE TABLE voids (
        tenant            text        NOT NULL,
        supplier          text        NOT NULL,
        void_code         text        NOT NULL,
        order_no          text        NOT NULL,
        status            text        NOT NULL,
        supplier_status   integer     NOT NULL,
        is_final          boolean     NOT NULL,
        data              jsonb       NOT NULL,
        submitted_at      timestamptz,
        updated_at        timestamptz NOT NULL,
        next_poll_at      timestamptz,
        poll_attempt      integer     NOT NULL DEFAULT 0,
        watched_until     timestamptz,
        lease_owner       text,
        lease_expires_at  timestamptz,
        PRIMARY KEY (tenant, supplier, void_code)
      );
      CREATE INDEX voids_due ON voids (next_poll_at) WHERE NOT is_final;
      CREATE INDEX voids_by_order ON voids (tenant, order_no);
      -- A supplier's void belongs to exactly one tenant.
      CREATE UNIQUE INDEX voids_by_code ON voids (supplier, void_code);

      CREATE TABLE void_events (
        id               bigserial   PRIMARY KEY,
        tenant           text        NOT NULL,
        supplier         text        NOT NULL,
        void_code        text        NOT NULL,
        order_no         text        NOT NULL,
        status           text        NOT NULL,
        previous_status  text,
        is_final         boolean     NOT NULL,
        source           text        NOT NULL,
        message          text,
        occurred_at      timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX void_events_by_tenant ON void_events (tenant, id);
      CREATE INDEX void_events_by_void ON void_events (tenant, supplier, void_code, id);
      CREATE INDEX void_events_by_order ON void_events (tenant, order_no, id);

      CREATE TABLE stop_requests (
        tenant                 text        NOT NULL,
        supplier               text        NOT NULL,
        order_no               text        NOT NULL,
        state                  text        NOT NULL,
        message                text,
        supplier_order_status  text,
        requested_at           timestamptz NOT NULL,
        check_after            timestamptz NOT NULL,
        resolved_at            timestamptz,
        next_check_at          timestamptz,
        check_attempt          integer     NOT NULL DEFAULT 0,
        lease_owner            text,
        lease_expires_at       timestamptz,
        updated_at             timestamptz NOT NULL,
        PRIMARY KEY (tenant, supplier, order_no)
      );
      CREATE INDEX stops_due ON stop_requests (next_check_at) WHERE state = 'PENDING';
      CREATE INDEX stops_by_order ON stop_requests (supplier, order_no);

      CREATE TABLE webhook_inbox (
        id           bigserial   PRIMARY KEY,
        supplier     text        NOT NULL,
        event_type   text        NOT NULL,
        payload      jsonb       NOT NULL,
        received_at  timestamptz NOT NULL DEFAULT now(),
        state        text        NOT NULL DEFAULT 'RECEIVED',
        claimed_by   text,
        claimed_at   timestamptz,
        processed_at timestamptz,
        attempts     integer     NOT NULL DEFAULT 0,
        note         text
      );
      CREATE INDEX webhook_inbox_open ON webhook_inbox (id) WHERE state IN ('RECEIVED', 'PROCESSING');
    `,
  },
  {
    version: 2,
    name: "idempotency keys, unsettled submissions",
    sql: `
      CREATE TABLE idempotency_keys (
        tenant        text        NOT NULL,
        operation     text        NOT NULL,
        key           text        NOT NULL,
        request_hash  text        NOT NULL,
        state         text        NOT NULL,
        response      jsonb,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant, operation, key)
      );
      CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);

      CREATE TABLE unsettled_submissions (
        tenant     text        NOT NULL,
        supplier   text        NOT NULL,
        operation  text        NOT NULL,
        order_no   text        NOT NULL,
        since      timestamptz NOT NULL DEFAULT now(),
        detail     text,
        PRIMARY KEY (tenant, supplier, operation, order_no)
      );
      CREATE INDEX unsettled_by_order ON unsettled_submissions (supplier, operation, order_no);
    `,
  },
  {
    version: 3,
    name: "webhook inbox: a failed confirmation waits before its next try",
    sql: `ALTER TABLE webhook_inbox ADD COLUMN retry_at timestamptz;`,
  },
  {
    version: 4,
    name: "one tracked-record table and one event log for every tracked kind (voids, stops)",
    // Issue 11: voids and stop requests become two kinds of one tracked record, and stops join
    // the event log. tracked_events.tx is the writing transaction's id: delivery reads the log
    // in commit order by comparing it with snapshots (src/store/event-log.ts). Existing rows
    // move over; void event ids are kept (clients hold them as afterEventId); stop requests get
    // the events they would have had (PENDING, then the outcome).
    sql: `
      CREATE TABLE tracked (
        kind              text        NOT NULL,
        tenant            text        NOT NULL,
        supplier          text        NOT NULL,
        ref               text        NOT NULL,
        order_no          text        NOT NULL,
        status            text        NOT NULL,
        is_final          boolean     NOT NULL,
        data              jsonb       NOT NULL,
        started_at        timestamptz,
        updated_at        timestamptz NOT NULL,
        final_at          timestamptz,
        not_before        timestamptz,
        next_check_at     timestamptz,
        check_attempt     integer     NOT NULL DEFAULT 0,
        watched_until     timestamptz,
        lease_owner       text,
        lease_expires_at  timestamptz,
        PRIMARY KEY (kind, tenant, supplier, ref)
      );
      CREATE INDEX tracked_due ON tracked (kind, next_check_at) WHERE NOT is_final;
      CREATE INDEX tracked_by_order ON tracked (kind, tenant, order_no);
      CREATE INDEX tracked_by_ref ON tracked (kind, ref);
      CREATE UNIQUE INDEX tracked_void_owner ON tracked (supplier, ref) WHERE kind = 'void';

      CREATE TABLE tracked_events (
        id               bigserial   PRIMARY KEY,
        tx               xid8        NOT NULL DEFAULT pg_current_xact_id(),
        kind             text        NOT NULL,
        tenant           text        NOT NULL,
        supplier         text        NOT NULL,
        ref              text        NOT NULL,
        order_no         text        NOT NULL,
        status           text        NOT NULL,
        previous_status  text,
        is_final         boolean     NOT NULL,
        source           text        NOT NULL,
        message          text,
        data             jsonb,
        occurred_at      timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX tracked_events_tx ON tracked_events (tx);
      CREATE INDEX tracked_events_by_tenant ON tracked_events (tenant, kind, id);
      CREATE INDEX tracked_events_by_record ON tracked_events (kind, tenant, supplier, ref, id);

      INSERT INTO tracked (kind, tenant, supplier, ref, order_no, status, is_final, data, started_at, updated_at, final_at, next_check_at, check_attempt, watched_until)
        SELECT 'void', tenant, supplier, void_code, order_no, status, is_final, data, submitted_at, updated_at,
               CASE WHEN is_final THEN updated_at END, next_poll_at, poll_attempt, watched_until
        FROM voids;
      INSERT INTO tracked_events (id, kind, tenant, supplier, ref, order_no, status, previous_status, is_final, source, message, occurred_at)
        SELECT id, 'void', tenant, supplier, void_code, order_no, status, previous_status, is_final, source, message, occurred_at
        FROM void_events ORDER BY id;
      SELECT setval(pg_get_serial_sequence('tracked_events', 'id'), COALESCE((SELECT max(id) FROM tracked_events), 0) + 1, false);

      INSERT INTO tracked (kind, tenant, supplier, ref, order_no, status, is_final, data, started_at, updated_at, final_at, not_before, next_check_at, check_attempt)
        SELECT 'stop', tenant, supplier, order_no, order_no, state, state <> 'PENDING',
               jsonb_build_object('status', state, 'message', message, 'supplierOrderStatus', supplier_order_status),
               requested_at, updated_at, resolved_at, check_after, next_check_at, check_attempt
        FROM stop_requests;
      INSERT INTO tracked_events (kind, tenant, supplier, ref, order_no, status, previous_status, is_final, source, message, data, occurred_at)
        SELECT 'stop', tenant, supplier, order_no, order_no, status, previous_status, is_final, source, message, data, occurred_at FROM (
          SELECT tenant, supplier, order_no, 'PENDING' AS status, NULL AS previous_status, false AS is_final, 'SUBMIT' AS source, message,
                 jsonb_build_object('status', 'PENDING', 'message', message, 'supplierOrderStatus', NULL) AS data, requested_at AS occurred_at
            FROM stop_requests
          UNION ALL
          SELECT tenant, supplier, order_no, state, 'PENDING', true, 'POLL', message,
                 jsonb_build_object('status', state, 'message', message, 'supplierOrderStatus', supplier_order_status), resolved_at
            FROM stop_requests WHERE state <> 'PENDING'
        ) AS s ORDER BY occurred_at, is_final;

      DROP TABLE void_events;
      DROP TABLE voids;
      DROP TABLE stop_requests;
    `,
  },
  {
    version: 5,
    name: "order owners: which tenant operates on an order through a shared supplier account",
    // Hardening issue, item 4: the first tenant to quote, void, stop or cancel an order through
    // a supplier account other tenants use owns it there; another tenant's operation is answered
    // as for an unknown order. Orders tenants already operated on (all through the gateway's
    // own accounts until now) are owned by the tenant that started on them first.
    sql: `
      CREATE TABLE order_owners (
        supplier    text        NOT NULL,
        account     text        NOT NULL,
        order_no    text        NOT NULL,
        tenant      text        NOT NULL,
        claimed_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (supplier, account, order_no)
      );
      INSERT INTO order_owners (supplier, account, order_no, tenant, claimed_at)
        SELECT DISTINCT ON (supplier, order_no) supplier, 'shared', order_no, tenant, COALESCE(started_at, updated_at)
        FROM tracked ORDER BY supplier, order_no, COALESCE(started_at, updated_at), tenant;
      INSERT INTO order_owners (supplier, account, order_no, tenant, claimed_at)
        SELECT DISTINCT ON (supplier, order_no) supplier, 'shared', order_no, tenant, since
        FROM unsettled_submissions ORDER BY supplier, order_no, since, tenant
        ON CONFLICT DO NOTHING;
    `,
  },
  {
    version: 6,
    name: "trace context of a webhook's intake and of an event's transition",
    // Tracing (src/telemetry/): a W3C traceparent, null when tracing is off. An inbox row's
    // lets its confirmation continue the intake's trace; an event's lets every instance's
    // delivery follow the transition that logged it.
    sql: `
      ALTER TABLE webhook_inbox ADD COLUMN trace_context text;
      ALTER TABLE tracked_events ADD COLUMN trace_context text;
    `,
  },
  {
    version: 7,
    name: "tracked records: pages keep a quarter free for updates",
    // A record is rewritten many times while it is open (watch marks, leases, checks, data):
    // with room on its page PostgreSQL writes the new version there, without new index entries
    // when no indexed column changed (a HOT update), and prunes the old ones as it goes. Packed
    // full, every update moved the row to another page. On 10,000 open voids, one watch-mark
    // beat a second, 10 beats: 183-500 ms each and the table at 1,754 pages when packed;
    // 38-42 ms by the eighth and 1,032 pages with a quarter free (bench/RESULTS.md, "Tracked
    // records' fill factor"). Pages written from now on keep the room; existing ones as they
    // are rewritten.
    sql: `ALTER TABLE tracked SET (fillfactor = 75)`,
  },
  {
    version: 8,
    name: "tracked events: the snapshot each was written in",
    // Resuming after an event id (afterEventId) on PostgreSQL with several writers: an event
    // with a smaller id can commit after the one a client resumes from, and "ids after it"
    // misses it. The writing statement's snapshot tells which smaller ids may have: those whose
    // transaction it does not see (src/store/event-log.ts, `stragglers`). The default is set
    // after the column is added, so existing rows keep null (no table rewrite) and resume by
    // id alone, as before.
    sql: `
      ALTER TABLE tracked_events ADD COLUMN written_in pg_snapshot;
      ALTER TABLE tracked_events ALTER COLUMN written_in SET DEFAULT pg_current_snapshot()
    `,
  },
  {
    version: 9,
    name: "unsettled submissions: a call is marked before it is sent, under its own claim",
    // Written before a state-changing call (a void submission, a stop request, a cancel) is sent
    // and settled after it (src/tracking/outcome.ts): a process that stops in between leaves the
    // mark, so the order's next request asks the supplier first. Until in_flight_until its sender is taken to be alive and about to record
    // the outcome; claim_id says which request holds the mark, so each settles only its own.
    sql: `
      ALTER TABLE unsettled_submissions ADD COLUMN in_flight_until timestamptz;
      ALTER TABLE unsettled_submissions ADD COLUMN claim_id text
    `,
  },
  {
    version: 10,
    name: "unsettled submissions: a mark left by a call the supplier refused as already made elsewhere",
    // The supplier holds a call for the order that the gateway did not send (a void made through
    // its web UI or another system): the mark stays so the supplier's webhook adopts it, but what
    // is adopted was not submitted through the gateway.
    sql: `ALTER TABLE unsettled_submissions ADD COLUMN held_elsewhere boolean NOT NULL DEFAULT false`,
  },
  {
    version: 11,
    name: "tracked records: when the supplier was last asked, and why the scheduled checks are failing",
    // A record whose checks keep failing (the supplier down, an order it cannot find) stays open
    // with no event; these say so to its clients (Tracking on VoidOrder and TicketIssuanceStop).
    // check_failure is the last check's error ({code, message}), null once the supplier answers.
    sql: `
      ALTER TABLE tracked ADD COLUMN last_checked_at timestamptz;
      ALTER TABLE tracked ADD COLUMN check_failure jsonb;
      ALTER TABLE tracked ADD COLUMN check_failing_since timestamptz
    `,
  },
  {
    version: 12,
    name: "unsettled submissions: when the call was sent",
    // since moves (to when a reply was lost, or past a stopped sender's claim) and waits are
    // counted from it; sent_at stays when the call was sent, which is what a record adopted or
    // tracked from the mark reports (submittedAt, requestedAt). Null for marks from before.
    sql: `ALTER TABLE unsettled_submissions ADD COLUMN sent_at timestamptz`,
  },
  {
    version: 13,
    name: "tracked events: a snapshot taken when an append has its lock",
    // pg_current_snapshot() is the statement's snapshot, taken before the statement waited for
    // the event log's append lock (src/store/tracked-store.ts, IN_COMMIT_ORDER). In a volatile
    // PL/pgSQL function each expression takes a fresh one, so an append's written_in sees every
    // append that committed before it took its ids.
    sql: [
      `CREATE OR REPLACE FUNCTION fresh_snapshot() RETURNS pg_snapshot LANGUAGE plpgsql VOLATILE AS $$ BEGIN RETURN pg_current_snapshot(); END $$`,
    ],
  },
  {
    version: 14,
    name: "webhook inbox: the order of a void no tenant knew",
    // A webhook naming a void no tenant knows is kept (UNKNOWN_VOID). When a submission for that
    // order is later refused as already made (the void was made without the gateway), the order is
    // marked and its kept webhooks are read again, found by this (InboxStore.reopenUnknownVoids).
    // Null for rows from before, and for every other row.
    sql: `
      ALTER TABLE webhook_inbox ADD COLUMN order_no text;
      CREATE INDEX webhook_inbox_unknown_void ON webhook_inbox (supplier, order_no) WHERE state = 'UNKNOWN_VOID'
    `,
  },
  {
    version: 15,
    name: "webhook inbox: processed rows are deleted after a retention time",
    // The inbox grew with every webhook for as long as the store lived (InboxStore.expire): the
    // index finds the oldest rows without reading the rest. Not a block-range index: once old rows
    // are deleted, new ones fill the freed pages and its ranges cover most of the table (review:
    // 5,999 of 19,311 pages read to find one row).
    sql: `CREATE INDEX webhook_inbox_received ON webhook_inbox (received_at)`,
  },
  {
    version: 16,
    name: "unsettled submissions: the reference of what the supplier said it accepted",
    // A void.do that answered success with a voidCode, in an answer the gateway could not take
    // whole, left a mark that did not say so: a repeat quoted, found the order voidable, and sent
    // void.do again, which seed 002 forbids (seeds probe, thirty-third session). Null for every
    // other mark, and for marks from before.
    sql: `ALTER TABLE unsettled_submissions ADD COLUMN accepted_ref text`,
  },
  {
    version: 17,
    name: "void quotes: the latest quote of each order",
    // submitVoid sends only the offer of the latest quote the gateway got, and only when that
    // quote called the order voidable (seed 002; src/store/quote-store.ts).
    sql: `
      CREATE TABLE void_quotes (
        tenant text NOT NULL,
        supplier text NOT NULL,
        order_no text NOT NULL,
        offer_id text,
        voidable boolean NOT NULL,
        quoted_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant, supplier, order_no)
      );
      CREATE INDEX void_quotes_quoted_at ON void_quotes (quoted_at)
    `,
  },
];

/** What a start found in the store's schema_migrations. */
export interface MigrationReport {
  /** The versions this start applied, in order. */
  applied: number[];
  /**
   * Versions the store has that this build does not know: a newer build migrated it (a
   * rollback, or an older instance beside a newer one). This build keeps working on what it
   * knows, and does not maintain what those migrations added.
   */
  newer: number[];
}

/** Applies the migrations not yet applied, in one transaction under an advisory lock. */
export async function migrate(db: SqlDb): Promise<MigrationReport> {
  return db.tx(async (sql) => {
    await sql.query("SELECT pg_advisory_xact_lock(727274)");
    await sql.query(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
    );
    const done = new Set((await sql.query<{ version: number }>("SELECT version FROM schema_migrations")).map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      const statements = Array.isArray(m.sql)
        ? m.sql
        : m.sql
            .split(";")
            .map((s) => s.trim())
            .filter(Boolean);
      for (const statement of statements) await sql.query(statement);
      await sql.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
      applied.push(m.version);
    }
    const known = new Set(MIGRATIONS.map((m) => m.version));
    const newer = [...done].filter((v) => !known.has(v)).sort((a, b) => a - b);
    return { applied, newer };
  });
}
