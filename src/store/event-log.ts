/**
 * Reading the event log in commit order (issue 11, docs/architecture.md "Delivery").
 *
 * Event ids come from a sequence, taken before commit: without the append lock below, a
 * transaction could take id 10, another id 11 and commit first, and a reader that kept "the
 * largest id seen" would then skip 10 for ever (an older gateway appending without the lock,
 * during a rolling upgrade, still can). So the reader does not rely on id order: every event
 * stores the id of the transaction that wrote it (`tx`, a `pg_current_xact_id()`), and a
 * reader's cursor is a PostgreSQL snapshot (`pg_snapshot`): "new since the cursor" means
 * visible now and not visible in the cursor's snapshot (`pg_visible_in_snapshot`). Each
 * committed event is therefore new in exactly one read, whenever its transaction commits;
 * nothing is skipped and nothing is read twice. Only rows with `tx` at or above the cursor's xmin
 * can be new, which keeps the scan on the `tx` index short. A transaction left open on the
 * same server holds that xmin back and makes each read scan more rows (it delays nothing
 * that is committed: such rows are still new exactly once).
 *
 * A client resuming after an event id (afterEventId) would have the same problem, and could
 * not tell a smaller id committed after its own from one it already had. So appends take their
 * ids in commit order (src/store/tracked-store.ts, `IN_COMMIT_ORDER`: one advisory lock held
 * until the appending statement commits): an id is taken only once every earlier one has
 * committed, and "the ids after it" is exactly what the client has not had. Each event keeps
 * a snapshot taken when it took its ids (`written_in`): the `stragglers` read finds the smaller
 * ids it did not see committed, which only an older gateway appending without the lock (a
 * rolling upgrade) can leave.
 *
 * A cursor is either a snapshot, or — between the pages of one large read — the previous
 * snapshot, the snapshot being paged through and the last id handed out, joined by "|".
 * PGlite has one connection, so there id order is commit order anyway; the same SQL runs on
 * both engines.
 */
import type { SupplierName } from "../vocabulary/suppliers.js";
import type { SqlDb } from "./db.js";
import { recordKeyOf, type EventFilter, type RecordKey, type SourceName, type TrackedEvent } from "./tracked-model.js";
import type { KindName } from "../vocabulary/kinds.js";

/** An event row as the log's queries return it (the record's fixed times joined in). */
export interface EventRow {
  id: string;
  kind: string;
  tenant: string;
  supplier: string;
  ref: string;
  order_no: string;
  status: string;
  previous_status: string | null;
  is_final: boolean;
  source: string;
  message: string | null;
  data: unknown;
  occurred_at: Date;
  started_at: Date | null;
  not_before: Date | null;
  trace_context: string | null;
}

/**
 * The event columns of the events `chosen` selects (a statement over `tracked_events e`, with
 * its own order and limit), with their records' fixed times; events from before issue 11 carry
 * the record's report. The events are chosen first and each is then joined with its record by
 * key, so a read costs in proportion to the events it returns, not to the number of records:
 * joined before the limit, the planner could hash the whole `tracked` table for every delivery
 * read. With 10,000 records on PGlite a read took 7.0 ms; now 1.3 ms, once the tables have
 * statistics (./maintenance.ts; bench/RESULTS.md, "Embedded store"). The join's `LIMIT 1` (a
 * record has one row) keeps the planner from flattening it into a join of both tables, which
 * it then hashed again whenever it expected many events (a PostgreSQL schema without
 * statistics yet): now it is one primary-key lookup per event, whatever the statistics.
 */
const selectEvents = (
  chosen: string,
) => `SELECT e.id::text AS id, e.kind, e.tenant, e.supplier, e.ref, e.order_no, e.status, e.previous_status,
    e.is_final, e.source, e.message, COALESCE(e.data, t.data) AS data, e.occurred_at, t.started_at, t.not_before, e.trace_context
  FROM (${chosen}) e LEFT JOIN LATERAL (
    SELECT t.data, t.started_at, t.not_before FROM tracked t
    WHERE t.kind = e.kind AND t.tenant = e.tenant AND t.supplier = e.supplier AND t.ref = e.ref
    LIMIT 1
  ) t ON true
  ORDER BY e.id`;

/**
 * The first `$1` events by id among those `where` selects from the log's newest transactions
 * (a condition on `e.tx` the `tracked_events_tx` index serves). The events are gathered first
 * and only then ordered: asked for the lowest ids with a limit, a planner without statistics
 * on the log — a fresh PostgreSQL schema before autovacuum's first ANALYZE — walked the whole
 * log in id order, filtering every row (12 ms per delivery read with 20,000 events, 20 times
 * more than through the index; bench/RESULTS.md, "Issue 24").
 */
const firstById = (where: string) => `WITH fresh AS MATERIALIZED (SELECT * FROM tracked_events e WHERE ${where})
  SELECT * FROM fresh e ORDER BY e.id LIMIT $1`;

/** A row of `tracked_events` (joined with its record's fixed times) as the engine sees it. */
export function toEvent<D>(r: EventRow): TrackedEvent<D> {
  return {
    id: String(r.id),
    kind: r.kind as KindName,
    tenant: r.tenant,
    supplier: r.supplier as SupplierName,
    ref: r.ref,
    orderNo: r.order_no,
    status: r.status,
    previousStatus: r.previous_status,
    isFinal: r.is_final,
    source: r.source as SourceName,
    message: r.message,
    data: (typeof r.data === "string" ? JSON.parse(r.data) : r.data) as D,
    occurredAt: new Date(r.occurred_at),
    startedAt: r.started_at ? new Date(r.started_at) : null,
    notBefore: r.not_before ? new Date(r.not_before) : null,
    traceContext: r.trace_context ?? null,
  };
}

/** A cursor taken apart: `base` was fully read; of `paging` (if any), the events up to `lastId`. */
interface Cursor {
  base: string;
  paging?: { snapshot: string; lastId: string };
}

function parse(cursor: string): Cursor {
  const [base, snapshot, lastId] = cursor.split("|");
  if (!/^\d+:\d+:[\d,]*$/.test(base) || (snapshot !== undefined && (!/^\d+:\d+:[\d,]*$/.test(snapshot) || !/^\d+$/.test(lastId ?? "")))) {
    throw new Error(`not an event-log cursor: ${cursor}`);
  }
  return snapshot === undefined ? { base } : { base, paging: { snapshot, lastId } };
}

/**
 * SQL that is true for the events a cursor has already covered, with its parameters
 * numbered from `first`.
 */
function covered(c: Cursor, first: number): { sql: string; params: unknown[] } {
  const base = `pg_visible_in_snapshot(e.tx, $${first}::pg_snapshot)`;
  if (!c.paging) return { sql: base, params: [c.base] };
  return {
    sql: `(${base} OR (pg_visible_in_snapshot(e.tx, $${first + 1}::pg_snapshot) AND e.id <= $${first + 2}::bigint))`,
    params: [c.base, c.paging.snapshot, c.paging.lastId],
  };
}

/** The conditions of a subscriber's filter (one reference, one order), their values appended to `params`. */
function filterConds(filter: EventFilter, params: unknown[]): string[] {
  const conds: string[] = [];
  if (filter.ref !== undefined) conds.push(`e.ref = $${params.push(filter.ref)}`);
  if (filter.orderNo !== undefined) conds.push(`e.order_no = $${params.push(filter.orderNo)}`);
  return conds;
}

/**
 * The one log of tracked changes, every kind, read in commit order through snapshot cursors: an event
 * committed late behind a higher id is still read exactly once (issue 11). Delivery (src/tracking/feed.ts),
 * replay after `afterEventId`, and history all read it.
 */
export class EventLog {
  constructor(private readonly db: SqlDb) {}

  /** A cursor at the log's current end: every event committed so far counts as read. */
  async head(): Promise<string> {
    return (await this.db.query<{ s: string }>("SELECT pg_current_snapshot()::text AS s"))[0].s;
  }

  /**
   * The largest id of a tenant's events committed so far, of every kind ("0" when none): its
   * clients receive only its events, so none of them can hold a larger one. Read per kind
   * through the (tenant, kind, id) index, the kinds found by skipping along it.
   */
  async lastId(tenant: string): Promise<string> {
    const rows = await this.db.query<{ id: string }>(
      `WITH RECURSIVE kinds(kind) AS (
         (SELECT kind FROM tracked_events WHERE tenant = $1 ORDER BY kind LIMIT 1)
         UNION ALL
         SELECT (SELECT e.kind FROM tracked_events e WHERE e.tenant = $1 AND e.kind > kinds.kind ORDER BY e.kind LIMIT 1)
         FROM kinds WHERE kinds.kind IS NOT NULL
       )
       SELECT COALESCE(max((SELECT max(e.id) FROM tracked_events e WHERE e.tenant = $1 AND e.kind = kinds.kind)), 0)::text AS id
       FROM kinds WHERE kinds.kind IS NOT NULL`,
      [tenant],
    );
    return rows[0].id;
  }

  /**
   * Events committed since `cursor` and not read yet, oldest first (at most `limit`), and the
   * cursor after them. Fewer than `limit` events means the reader has caught up.
   */
  async since<D>(cursor: string, limit: number): Promise<{ events: Array<TrackedEvent<D>>; cursor: string }> {
    const c = parse(cursor);
    // Rows of transactions older than the base snapshot's xmin were all visible to it.
    const horizon = `e.tx >= pg_snapshot_xmin($2::pg_snapshot)`;
    if (!c.paging) {
      const rows = await this.db.query<EventRow & { snapshot: string }>(
        `WITH now AS (SELECT pg_current_snapshot() AS s)
         SELECT now.s::text AS snapshot, page.* FROM now LEFT JOIN LATERAL (
           ${selectEvents(firstById(`${horizon} AND NOT pg_visible_in_snapshot(e.tx, $2::pg_snapshot)`))}
         ) page ON true`,
        [limit, c.base],
      );
      const events = rows.filter((r) => r.id !== null).map((r) => toEvent<D>(r));
      const snapshot = rows[0].snapshot;
      return { events, cursor: events.length < limit ? snapshot : `${c.base}|${snapshot}|${events[events.length - 1].id}` };
    }
    // The next page of the same snapshot: its events after the last one handed out.
    const rows = await this.db.query<EventRow>(
      selectEvents(
        firstById(`${horizon} AND NOT pg_visible_in_snapshot(e.tx, $2::pg_snapshot)
         AND pg_visible_in_snapshot(e.tx, $3::pg_snapshot) AND e.id > $4::bigint`),
      ),
      [limit, c.base, c.paging.snapshot, c.paging.lastId],
    );
    const events = rows.map((r) => toEvent<D>(r));
    return { events, cursor: events.length < limit ? c.paging.snapshot : `${c.base}|${c.paging.snapshot}|${events[events.length - 1].id}` };
  }

  /**
   * A tenant's events of a kind after `afterId` that `cursor` covers (a subscriber's replay:
   * whatever the cursor does not cover reaches it live), oldest first.
   */
  async replay<D>(
    kind: KindName,
    tenant: string,
    filter: EventFilter,
    afterId: string,
    cursor: string,
    limit: number,
  ): Promise<Array<TrackedEvent<D>>> {
    const seen = covered(parse(cursor), 5);
    const params: unknown[] = [tenant, kind, afterId, limit, ...seen.params];
    const conds = ["e.tenant = $1", "e.kind = $2", "e.id > $3::bigint", seen.sql];
    conds.push(...filterConds(filter, params));
    const rows = await this.db.query<EventRow>(
      selectEvents(`SELECT * FROM tracked_events e WHERE ${conds.join(" AND ")} ORDER BY e.id LIMIT $4`),
      params,
    );
    return rows.map((r) => ({ ...toEvent<D>(r), replayed: true }));
  }

  /**
   * The events before `afterId` that may have committed after it (a resume point's
   * stragglers), among those `cursor` covers, oldest first. Each event keeps a snapshot
   * (`written_in`): an event committed after `afterId`'s took its id before, and was not visible
   * in it. Appends take ids in commit order under a lock and their snapshot once they hold it
   * (tracked-store.ts `IN_COMMIT_ORDER`), so this finds nothing among their events: only an
   * event an older gateway appended without the lock (a rolling upgrade), with a smaller id,
   * committed after. An older gateway's own events kept the snapshot their statement ran in: an
   * event written while it ran and committed just before it, which the client may already have
   * had, is not visible in it either, so resuming after such an event can repeat one, with its
   * id, but never loses one. On PGlite (one connection) every earlier event was visible.
   * Events from before migration 8 have no snapshot, and none are returned for them.
   */
  async stragglers<D>(
    kind: KindName,
    tenant: string,
    filter: EventFilter,
    afterId: string,
    cursor: string,
  ): Promise<Array<TrackedEvent<D>>> {
    const seen = covered(parse(cursor), 4);
    const params: unknown[] = [tenant, kind, afterId, ...seen.params];
    const conds = [
      "e.tx >= pg_snapshot_xmin(x.written_in)",
      "NOT pg_visible_in_snapshot(e.tx, x.written_in)",
      "e.tx <> x.tx",
      "e.id < $3::bigint",
      "e.tenant = $1",
      "e.kind = $2",
      seen.sql,
    ];
    conds.push(...filterConds(filter, params));
    const rows = await this.db.query<EventRow>(
      selectEvents(`SELECT e.* FROM tracked_events e,
         (SELECT tx, written_in FROM tracked_events WHERE id = $3::bigint AND tenant = $1 AND written_in IS NOT NULL) x
         WHERE ${conds.join(" AND ")}`),
      params,
    );
    return rows.map((r) => ({ ...toEvent<D>(r), replayed: true }));
  }

  /**
   * The ids, up to and including `afterId`, of a tenant's committed events that `cursor` does not
   * cover — so they will still reach a stream registered at that cursor live — and that a client
   * resuming after `afterId` already had: the resume point itself, those of its transaction, and
   * those committed before it took its id (visible in its `written_in`). A stream resumed on
   * an instance whose cursor lags behind the resume point drops these live (no duplicate);
   * a smaller id committed after the resume point (a straggler) is not among them and is
   * delivered. A resume point the log cannot place (an id not written yet, another tenant's, or
   * one from before migration 8) counts every committed event up to it as had.
   */
  async alreadyDelivered(kind: KindName, tenant: string, filter: EventFilter, afterId: string, cursor: string): Promise<Set<string>> {
    const c = parse(cursor);
    const seen = covered(c, 4);
    const params: unknown[] = [tenant, kind, afterId, ...seen.params];
    const conds = [
      "e.tenant = $1",
      "e.kind = $2",
      "e.id <= $3::bigint",
      "(x.tx IS NULL OR e.id = $3::bigint OR e.tx = x.tx OR pg_visible_in_snapshot(e.tx, x.written_in))",
    ];
    conds.push(...filterConds(filter, params));
    // The rows the cursor does not cover first, by the tx index (rows of transactions older than
    // the cursor's xmin were all visible to it): a few, whatever the tenant's history — left to
    // the planner, a tenant's index would read its whole history up to afterId (as in `since`).
    const rows = await this.db.query<{ id: string }>(
      `WITH fresh AS MATERIALIZED (SELECT * FROM tracked_events e WHERE e.tx >= pg_snapshot_xmin($4::pg_snapshot) AND NOT ${seen.sql})
       SELECT e.id::text AS id FROM fresh e LEFT JOIN
         (SELECT tx, written_in FROM tracked_events WHERE id = $3::bigint AND tenant = $1 AND written_in IS NOT NULL) x ON true
       WHERE ${conds.join(" AND ")}`,
      params,
    );
    return new Set(rows.map((r) => String(r.id)));
  }

  /**
   * Every event of each record, oldest first, in the order asked: one statement for a batch
   * (the request's loaders, src/tracking/loaders.ts). Keys carry their tenant, so a batch that
   * mixes tenants returns each tenant's events only for its own keys.
   */
  async historyMany<D>(keys: readonly RecordKey[]): Promise<Array<Array<TrackedEvent<D>>>> {
    if (!keys.length) return [];
    const rows = await this.db.query<EventRow>(
      selectEvents(`SELECT e.* FROM tracked_events e
         JOIN (SELECT DISTINCT * FROM jsonb_to_recordset($1::jsonb) AS u(kind text, tenant text, supplier text, ref text)) u
         ON e.kind = u.kind AND e.tenant = u.tenant AND e.supplier = u.supplier AND e.ref = u.ref`),
      [JSON.stringify(keys.map((k) => ({ kind: k.kind, tenant: k.tenant, supplier: k.supplier, ref: k.ref })))],
    );
    const byKey = new Map<string, Array<TrackedEvent<D>>>();
    for (const r of rows) {
      const k = recordKeyOf(r);
      const events = byKey.get(k);
      if (events) events.push({ ...toEvent<D>(r), replayed: true });
      else byKey.set(k, [{ ...toEvent<D>(r), replayed: true }]);
    }
    return keys.map((k) => byKey.get(recordKeyOf(k)) ?? []);
  }

  /** Every event of one record, oldest first. */
  async history<D>(key: RecordKey): Promise<Array<TrackedEvent<D>>> {
    const rows = await this.db.query<EventRow>(
      selectEvents("SELECT * FROM tracked_events e WHERE e.kind = $1 AND e.tenant = $2 AND e.supplier = $3 AND e.ref = $4"),
      [key.kind, key.tenant, key.supplier, key.ref],
    );
    return rows.map((r) => ({ ...toEvent<D>(r), replayed: true }));
  }
}
