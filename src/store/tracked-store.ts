/**
 * Tracked records of every kind in one table (issue 11). A change is one statement: a
 * compare-and-set on the record (`UPDATE … WHERE status = <from>`) and the insert of its
 * event, so whoever wins the update is the one whose event is logged, on one instance or
 * several. Which changes are allowed at all is decided before, in one place
 * (src/tracking/rule.ts); this file only makes them atomic. Times that matter across
 * instances (due, lease expiry) use the database clock. Batches pass their rows as one JSON
 * array read by `jsonb_to_recordset`, so every column is named.
 */
import type { SupplierName } from "../vocabulary/suppliers.js";
import { toEvent } from "./event-log.js";
import type { Sql, SqlDb } from "./db.js";
import {
  recordKeyOf,
  refKey,
  type NewRecord,
  type RecordKey,
  type CheckError,
  type FailedCheck,
  type Release,
  type Started,
  type TrackedEvent,
  type TrackedRecord,
  type Transition,
} from "./tracked-model.js";
import { type KindName } from "../vocabulary/kinds.js";

/**
 * The condition every append to the event log runs under, so that its ids are taken in commit
 * order. On PostgreSQL several writers (instances, connections) take ids from one sequence
 * before they commit: a smaller id could commit after a larger one, and a subscriber resuming
 * after the larger one could not tell whether it already had the smaller (src/store/event-log.ts).
 * So each appending statement takes one advisory lock, held until its transaction — the
 * statement — commits: an id is taken only once every append before it has committed (the
 * sequence hands ids out one at a time: no cache). The lock is taken and released inside the
 * database, with no round trip to the gateway while it is held; so appends per schema are
 * bounded by one commit's time each (about 0.5 ms on this project's test machine).
 *
 * It is the value of `updated_at` in the statement's first row change (`CASE WHEN … THEN now()
 * END`): a row's new values are computed before the row is locked, so the lock comes before any
 * row lock the statement takes. Taken after one, two appends could each wait for what the other
 * holds. The lock's void is compared as text, so the planner cannot leave the call out; it runs
 * once, as an InitPlan. Were it ever false, `updated_at` (NOT NULL) would fail the statement
 * rather than let it pass unordered. The key is the event log table itself (its oid, one per
 * schema: stores in other schemas of one database do not wait for each other); the first number
 * ("tevl" in ASCII) names the lock's purpose among the database's advisory locks. PGlite has one
 * connection, where ids are in commit order anyway; the same SQL runs there.
 *
 * Each event's `written_in` is `fresh_snapshot()` (store migration 13), taken once the lock is
 * held: it sees every append that committed before. The statement's own snapshot, taken before
 * it waited for the lock, would not, and a resume after the event would repeat those (event-log.ts
 * `stragglers`). An event an older gateway appends without the lock (during a rolling upgrade)
 * is still in progress in it, and is found as a straggler: repeated at worst, never lost.
 */
export const IN_COMMIT_ORDER = "(SELECT pg_advisory_xact_lock(1952806508, 'tracked_events'::regclass::oid::int)::text) IS NOT NULL";

interface RecordRow {
  kind: string;
  tenant: string;
  supplier: string;
  ref: string;
  order_no: string;
  status: string;
  is_final: boolean;
  data: unknown;
  started_at: Date | null;
  updated_at: Date;
  final_at: Date | null;
  not_before: Date | null;
  next_check_at: Date | null;
  check_attempt: number;
  watched_until: Date | null;
  last_checked_at: Date | null;
  check_failure: unknown;
  check_failing_since: Date | null;
}

const KEY = "kind = $1 AND tenant = $2 AND supplier = $3 AND ref = $4";
/** The columns that identify a record in a `jsonb_to_recordset` row. */
const KEY_COLUMNS = "kind text, tenant text, supplier text, ref text";
const MATCHES = "t.kind = u.kind AND t.tenant = u.tenant AND t.supplier = u.supplier AND t.ref = u.ref";
/** `now() + n ms`, computed by the database. */
const inMs = (ms: string) => `now() + make_interval(secs => ${ms}::double precision / 1000)`;
/** A next check `ms` from now, but never before the record's notBefore. */
const nextCheck = (ms: string) => `GREATEST(${inMs(ms)}, COALESCE(t.not_before, '-infinity'::timestamptz))`;

/** In a release: the record took an answer after it was leased. */
const ANSWERED_SINCE = "(u.leased_updated IS NOT NULL AND t.updated_at >= u.leased_updated + interval '1 millisecond')";
/** In a release: the schedule was restarted while the lease was held (Release.restartInMs). */
const RESTARTED = "(u.restart_ms IS NOT NULL AND t.check_attempt < u.attempt - 1)";
/** The supplier answered about the record: it was checked now, and its checks are not failing. */
const ANSWERED = "last_checked_at = now(), check_failure = NULL, check_failing_since = NULL";

const date = (d: Date | string | null): Date | null => (d === null ? null : new Date(d));
const isAgo = (s: Started): s is { msAgo: number } => typeof s === "object" && !(s instanceof Date);
const json = (v: unknown): unknown => (typeof v === "string" ? (JSON.parse(v) as unknown) : v);
const keyParams = (k: RecordKey) => [k.kind, k.tenant, k.supplier, k.ref];
const keyRow = (k: RecordKey) => ({ kind: k.kind, tenant: k.tenant, supplier: k.supplier, ref: k.ref });

/** A row of `tracked` as the engine sees it. */
function toRecord<D>(r: RecordRow): TrackedRecord<D> {
  return {
    kind: r.kind as KindName,
    tenant: r.tenant,
    supplier: r.supplier as SupplierName,
    ref: r.ref,
    orderNo: r.order_no,
    status: r.status,
    isFinal: r.is_final,
    data: json(r.data) as D,
    startedAt: date(r.started_at),
    updatedAt: new Date(r.updated_at),
    finalAt: date(r.final_at),
    notBefore: date(r.not_before),
    nextCheckAt: date(r.next_check_at),
    checkAttempt: Number(r.check_attempt),
    watchedUntil: date(r.watched_until),
    lastCheckedAt: date(r.last_checked_at),
    checkFailure: r.check_failure
      ? { ...(json(r.check_failure) as CheckError), since: new Date(r.check_failing_since ?? r.updated_at) }
      : null,
  };
}

/** The event a transition or an insert just logged, from the record row it returned and the event's own columns. */
function loggedEvent<D>(r: Logged): TrackedEvent<D> {
  return toEvent<D>({ ...r, id: r.event_id, occurred_at: r.event_occurred_at, trace_context: r.trace_context ?? null });
}

type Logged = RecordRow & {
  event_id: string;
  event_occurred_at: Date;
  previous_status: string | null;
  source: string;
  message: string | null;
  trace_context?: string | null;
};

/**
 * Tracked records (voids, stop requests) and their transitions. Each transition is a compare-and-set on the
 * status plus its event in one statement, so two instances confirming one change record it once (issue 11).
 */
export class TrackedStore {
  constructor(private readonly db: SqlDb) {}

  /**
   * Starts tracking a record, with its first event, in one statement. Returns event null when
   * this tenant already had the record, and null altogether when another tenant owns it (a
   * void belongs to one tenant: it then stays unknown to this one).
   */
  async insert<D>(n: NewRecord<D>): Promise<{ record: TrackedRecord<D>; event: TrackedEvent<D> | null } | null> {
    const rows = await this.db.query<Logged>(
      `WITH ins AS (
         INSERT INTO tracked (kind, tenant, supplier, ref, order_no, status, is_final, data, started_at, updated_at, final_at, not_before, next_check_at, last_checked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb,
                 CASE WHEN $9::boolean THEN now() - make_interval(secs => COALESCE($16::float8, 0) / 1000) ELSE $15::timestamptz END,
                 CASE WHEN ${IN_COMMIT_ORDER} THEN now() END, CASE WHEN $7::boolean THEN now() END,
                 CASE WHEN $10::float8 IS NULL THEN NULL ELSE ${inMs("$10")} END,
                 CASE WHEN $7::boolean THEN NULL ELSE GREATEST(${inMs("$11")}, COALESCE(${inMs("$10")}, '-infinity'::timestamptz)) END,
                 CASE WHEN $12::text IN ('QUERY', 'WEBHOOK') THEN now() END)
         ON CONFLICT DO NOTHING RETURNING *
       ), logged AS (
         INSERT INTO tracked_events (kind, tenant, supplier, ref, order_no, status, previous_status, is_final, source, message, data, trace_context, written_in)
         SELECT kind, tenant, supplier, ref, order_no, status, NULL, is_final, $12, $13, data, $14, fresh_snapshot() FROM ins
         RETURNING id::text AS event_id, occurred_at AS event_occurred_at
       )
       SELECT ins.*, logged.event_id, logged.event_occurred_at, NULL::text AS previous_status, $12::text AS source, $13::text AS message, $14::text AS trace_context
         FROM ins, logged`,
      [
        ...keyParams(n.key),
        n.orderNo,
        n.status,
        n.isFinal,
        JSON.stringify(n.data),
        n.started === true || isAgo(n.started),
        n.notBeforeInMs ?? null,
        n.firstCheckInMs,
        n.source,
        n.message,
        n.traceContext ?? null,
        n.started instanceof Date ? n.started.toISOString() : null,
        isAgo(n.started) ? Math.max(0, n.started.msAgo) : null,
      ],
    );
    if (rows[0]) return { record: toRecord<D>(rows[0]), event: loggedEvent<D>(rows[0]) };
    // Either this tenant has it already, or another tenant owns it.
    const existing = await this.get<D>(n.key);
    return existing ? { record: existing, event: null } : null;
  }

  async get<D>(key: RecordKey, sql: Sql = this.db): Promise<TrackedRecord<D> | null> {
    const rows = await sql.query<RecordRow>(`SELECT * FROM tracked WHERE ${KEY}`, keyParams(key));
    return rows[0] ? toRecord<D>(rows[0]) : null;
  }

  /**
   * Records by key, in the order asked, null where there is none: one statement for a batch
   * (the request's loaders, src/tracking/loaders.ts). Keys carry their tenant, so a batch that
   * mixes tenants returns each tenant's rows only for its own keys.
   */
  async getMany<D>(keys: readonly RecordKey[]): Promise<Array<TrackedRecord<D> | null>> {
    if (!keys.length) return [];
    const rows = await this.db.query<RecordRow>(
      `SELECT t.* FROM tracked t JOIN (SELECT DISTINCT * FROM jsonb_to_recordset($1::jsonb) AS u(${KEY_COLUMNS})) u ON ${MATCHES}`,
      [JSON.stringify(keys.map(keyRow))],
    );
    const found = new Map(rows.map((r) => [recordKeyOf(r), toRecord<D>(r)]));
    return keys.map((k) => found.get(recordKeyOf(k)) ?? null);
  }

  /** Each (tenant, orderNo)'s records of a kind, oldest first, in the order asked: one statement for a batch. */
  async byOrders<D>(kind: KindName, orders: ReadonlyArray<{ tenant: string; orderNo: string }>): Promise<Array<Array<TrackedRecord<D>>>> {
    if (!orders.length) return [];
    const rows = await this.db.query<RecordRow>(
      `SELECT t.* FROM tracked t JOIN (SELECT DISTINCT * FROM jsonb_to_recordset($2::jsonb) AS u(tenant text, order_no text)) u
         ON t.kind = $1 AND t.tenant = u.tenant AND t.order_no = u.order_no
       ORDER BY t.started_at NULLS LAST, t.ref`,
      [kind, JSON.stringify(orders.map((o) => ({ tenant: o.tenant, order_no: o.orderNo })))],
    );
    const byOrder = new Map<string, Array<TrackedRecord<D>>>();
    for (const r of rows) {
      const k = JSON.stringify([r.tenant, r.order_no]);
      const records = byOrder.get(k);
      if (records) records.push(toRecord<D>(r));
      else byOrder.set(k, [toRecord<D>(r)]);
    }
    return orders.map((o) => byOrder.get(JSON.stringify([o.tenant, o.orderNo])) ?? []);
  }

  /** A tenant's records of one order, oldest first. */
  async byOrder<D>(kind: KindName, tenant: string, orderNo: string): Promise<Array<TrackedRecord<D>>> {
    const rows = await this.db.query<RecordRow>(
      "SELECT * FROM tracked WHERE kind = $1 AND tenant = $2 AND order_no = $3 ORDER BY started_at NULLS LAST, ref",
      [kind, tenant, orderNo],
    );
    return rows.map((r) => toRecord<D>(r));
  }

  /**
   * Every tenant's records with these supplier references, keyed by `supplier:ref` (one query
   * for a batch of webhooks, which name no tenant; a reference nobody tracks has no entry).
   */
  async byRefs<D>(kind: KindName, refs: Array<{ supplier: SupplierName; ref: string }>): Promise<Map<string, Array<TrackedRecord<D>>>> {
    const found = new Map<string, Array<TrackedRecord<D>>>();
    if (!refs.length) return found;
    const wanted = new Set(refs.map((r) => refKey(r.supplier, r.ref)));
    const rows = await this.db.query<RecordRow>("SELECT * FROM tracked WHERE kind = $1 AND ref = ANY($2::text[])", [
      kind,
      [...new Set(refs.map((r) => r.ref))],
    ]);
    for (const row of rows) {
      const k = refKey(row.supplier, row.ref);
      if (!wanted.has(k)) continue;
      const list = found.get(k);
      if (list) list.push(toRecord<D>(row));
      else found.set(k, [toRecord<D>(row)]);
    }
    return found;
  }

  /**
   * Compare-and-set for many records (distinct keys) in one statement: each moves from its
   * `from` to its `status` and its event is appended, or nothing happens to it when it was no
   * longer at `from` (someone else won). Results are in input order; null where it lost.
   */
  async transitionMany<D>(items: Array<Transition<D>>): Promise<Array<{ record: TrackedRecord<D>; event: TrackedEvent<D> } | null>> {
    if (!items.length) return [];
    const input = items.map((i, n) => ({
      n,
      ...keyRow(i.key),
      from_status: i.from,
      status: i.status,
      is_final: i.isFinal,
      data: i.data,
      next_ms: i.nextCheckInMs,
      source: i.source,
      message: i.message,
      // Absent (null in the recordset) with tracing off.
      ...(i.traceContext ? { trace_context: i.traceContext } : {}),
    }));
    const rows = await this.db.query<Logged & { n: number }>(
      `WITH u AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb)
           AS u(n int, ${KEY_COLUMNS}, from_status text, status text, is_final boolean, data jsonb, next_ms float8, source text, message text, trace_context text)
       ), moved AS (
         UPDATE tracked t SET status = u.status, is_final = u.is_final, data = u.data, updated_at = CASE WHEN ${IN_COMMIT_ORDER} THEN now() END,
           final_at = CASE WHEN u.is_final THEN now() END,
           next_check_at = CASE WHEN u.is_final THEN NULL ELSE ${nextCheck("u.next_ms")} END,
           check_attempt = 0, lease_owner = NULL, lease_expires_at = NULL, ${ANSWERED}
         FROM u WHERE ${MATCHES} AND t.status = u.from_status
         RETURNING t.*, u.n, u.from_status AS previous_status, u.source, u.message, u.trace_context
       ), logged AS (
         INSERT INTO tracked_events (kind, tenant, supplier, ref, order_no, status, previous_status, is_final, source, message, data, trace_context, written_in)
         SELECT kind, tenant, supplier, ref, order_no, status, previous_status, is_final, source, message, data, trace_context, fresh_snapshot()
           FROM moved ORDER BY n
         RETURNING id::text AS event_id, occurred_at AS event_occurred_at, kind AS e_kind, tenant AS e_tenant, supplier AS e_supplier, ref AS e_ref
       )
       SELECT moved.*, logged.event_id, logged.event_occurred_at FROM moved
         JOIN logged ON logged.e_kind = moved.kind AND logged.e_tenant = moved.tenant AND logged.e_supplier = moved.supplier AND logged.e_ref = moved.ref`,
      [JSON.stringify(input)],
    );
    const out: Array<{ record: TrackedRecord<D>; event: TrackedEvent<D> } | null> = items.map(() => null);
    for (const row of rows) out[Number(row.n)] = { record: toRecord<D>(row), event: loggedEvent<D>(row) };
    return out;
  }

  /**
   * Same status, newer report: stores it (amounts, messages), without an event, where the status
   * still matches. An item with `nextCheckInMs` also restarts its record's schedule: its next check
   * at most that far away (never before its notBefore), its backoff from the first step. Returns
   * each record as stored (its times of update and check included), in input order; null where
   * its status no longer matched and nothing was written.
   */
  async touchMany<D>(
    items: Array<{ key: RecordKey; status: string; data: D; nextCheckInMs?: number; seenUpdatedAt?: Date }>,
  ): Promise<Array<TrackedRecord<D> | null>> {
    if (!items.length) return [];
    // With `seenUpdatedAt` (the record's updatedAt when its report was merged into it), also only
    // where nothing was written since: a check in flight must not put back what a stop's resend
    // replaced (src/tracking/stop-resend.ts); the caller merges again onto the record as it is.
    const rows = await this.db.query<RecordRow>(
      `UPDATE tracked t SET data = u.data, updated_at = now(), ${ANSWERED},
         next_check_at = CASE WHEN u.next_ms IS NULL OR t.is_final THEN t.next_check_at ELSE LEAST(t.next_check_at, ${nextCheck("u.next_ms")}) END,
         check_attempt = CASE WHEN u.next_ms IS NULL THEN t.check_attempt ELSE 0 END
       FROM jsonb_to_recordset($1::jsonb) AS u(${KEY_COLUMNS}, status text, data jsonb, next_ms float8, seen_updated timestamptz)
       WHERE ${MATCHES} AND t.status = u.status
         AND (u.seen_updated IS NULL OR t.updated_at < u.seen_updated + interval '1 millisecond')
       RETURNING t.*`,
      [
        JSON.stringify(
          items.map((i) => ({
            ...keyRow(i.key),
            status: i.status,
            data: i.data,
            next_ms: i.nextCheckInMs,
            seen_updated: i.seenUpdatedAt?.toISOString(),
          })),
        ),
      ],
    );
    const stored = new Map(rows.map((r) => [recordKeyOf(r), toRecord<D>(r)]));
    return items.map((i) => stored.get(recordKeyOf(i.key)) ?? null);
  }

  /**
   * Leases up to `limit` open records of a kind that are due, oldest first, skipping rows
   * another instance holds (FOR UPDATE SKIP LOCKED) or has leased and whose lease is current.
   */
  async leaseDue<D>(kind: KindName, owner: string, limit: number, leaseMs: number): Promise<Array<TrackedRecord<D>>> {
    const rows = await this.db.query<RecordRow>(
      `UPDATE tracked SET lease_owner = $2, lease_expires_at = ${inMs("$4")}
       WHERE (kind, tenant, supplier, ref) IN (
         SELECT kind, tenant, supplier, ref FROM tracked
         WHERE kind = $1 AND NOT is_final AND next_check_at <= now() AND (lease_expires_at IS NULL OR lease_expires_at < now())
         ORDER BY next_check_at LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [kind, owner, limit, leaseMs],
    );
    return rows.map((r) => toRecord<D>(r));
  }

  /** Gives leases back in one statement, each with its next check; only the owner's leases, only open records. */
  async releaseMany(owner: string, items: Release[]): Promise<void> {
    if (!items.length) return;
    await this.db.query(
      // An answer recorded since the lease (another instance confirmed a webhook meanwhile: updated_at
      // moved; ms precision in the JSON) is newer than this check's failure, which then does not count.
      // A schedule restarted during the lease (its attempt count back below the leased one: a
      // webhook's confirmation found no change) keeps its restart.
      `UPDATE tracked t SET
         next_check_at = CASE WHEN ${RESTARTED} THEN ${nextCheck("u.restart_ms")} ELSE ${nextCheck("u.next_ms")} END,
         check_attempt = CASE WHEN ${RESTARTED} THEN 0 ELSE u.attempt END, lease_owner = NULL, lease_expires_at = NULL,
         last_checked_at = CASE WHEN u.not_sent THEN t.last_checked_at ELSE now() END,
         check_failure = CASE WHEN ${ANSWERED_SINCE} THEN t.check_failure ELSE u.failure END,
         check_failing_since = CASE WHEN ${ANSWERED_SINCE} THEN t.check_failing_since
           WHEN u.failure IS NULL THEN NULL ELSE COALESCE(t.check_failing_since, now()) END
       FROM jsonb_to_recordset($2::jsonb) AS u(${KEY_COLUMNS}, next_ms float8, restart_ms float8, attempt int, failure jsonb, leased_updated timestamptz, not_sent boolean)
       WHERE ${MATCHES} AND t.lease_owner = $1 AND NOT t.is_final`,
      [
        owner,
        JSON.stringify(
          items.map((i) => ({
            ...keyRow(i.key),
            next_ms: i.nextCheckInMs,
            restart_ms: i.restartInMs,
            attempt: i.attempt,
            failure: i.failure,
            leased_updated: i.leasedUpdatedAt?.toISOString(),
            not_sent: i.notSent === true,
          })),
        ),
      ],
    );
  }

  /**
   * An open record's request sent again (a stop whose first request may never have reached the
   * supplier, src/tracking/stop-requests.ts): its data, and its first check `notBeforeInMs` from
   * now, as a new record's; its schedule from the first step. Its startedAt stays. Only while its
   * status is still `status`, and nothing was written since `seenUpdatedAt` (the record's
   * updatedAt as read, when given): null otherwise. A resend recorded late, after its claim had
   * been taken over, wrote over the newer record of an answered resend (black-box probe,
   * thirty-third session).
   */
  async resent<D>(key: RecordKey, status: string, data: D, notBeforeInMs: number, seenUpdatedAt?: Date): Promise<TrackedRecord<D> | null> {
    const rows = await this.db.query<RecordRow>(
      `UPDATE tracked SET data = $6::jsonb, not_before = ${inMs("$7")}, next_check_at = ${inMs("$7")}, check_attempt = 0,
         check_failure = NULL, check_failing_since = NULL, updated_at = now()
       WHERE ${KEY} AND status = $5 AND NOT is_final
         AND ($8::timestamptz IS NULL OR updated_at < $8::timestamptz + interval '1 millisecond')
       RETURNING *`,
      [...keyParams(key), status, JSON.stringify(data), notBeforeInMs, seenUpdatedAt?.toISOString() ?? null],
    );
    return rows[0] ? toRecord<D>(rows[0]) : null;
  }

  /**
   * Records checks that got no answer outside the schedule (a webhook's confirmation), leaving
   * the schedule and any lease alone: `tracking.failure` shows them at once. Not over an answer
   * recorded since the record was read (`seenUpdatedAt`, as a release's `leasedUpdatedAt`).
   */
  async noteFailures(items: FailedCheck[]): Promise<void> {
    if (!items.length) return;
    await this.db.query(
      `UPDATE tracked t SET
         last_checked_at = CASE WHEN u.not_sent THEN t.last_checked_at ELSE now() END,
         check_failure = u.failure, check_failing_since = COALESCE(t.check_failing_since, now())
       FROM jsonb_to_recordset($1::jsonb) AS u(${KEY_COLUMNS}, failure jsonb, seen_updated timestamptz, not_sent boolean)
       WHERE ${MATCHES} AND NOT t.is_final AND t.updated_at < u.seen_updated + interval '1 millisecond'`,
      [
        JSON.stringify(
          items.map((i) => ({ ...keyRow(i.key), failure: i.failure, seen_updated: i.seenUpdatedAt.toISOString(), not_sent: i.notSent })),
        ),
      ],
    );
  }

  /** Makes these records due now, or at their notBefore if later (a webhook hinted at a change that could not be confirmed). */
  async soon(keys: RecordKey[]): Promise<void> {
    if (!keys.length) return;
    await this.db.query(
      `UPDATE tracked t SET next_check_at = GREATEST(LEAST(t.next_check_at, now()), t.not_before)
       FROM jsonb_to_recordset($1::jsonb) AS u(${KEY_COLUMNS})
       WHERE ${MATCHES} AND NOT t.is_final`,
      [JSON.stringify(keys.map(keyRow))],
    );
  }

  /** Releases every lease another owner holds: only for a store with one instance (the embedded one). Returns how many. */
  async releaseOthers(owner: string): Promise<number> {
    const rows = await this.db.query<{ ref: string }>(
      "UPDATE tracked SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner IS NOT NULL AND lease_owner <> $1 RETURNING ref",
      [owner],
    );
    return rows.length;
  }

  /** Releases every lease an instance holds (shutdown). */
  async releaseAll(owner: string): Promise<void> {
    await this.db.query("UPDATE tracked SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = $1", [owner]);
  }

  /**
   * Marks a tenant's open records of a kind — with these references or on these orders — as
   * watched until `forMs` from now, and pulls their next check to at most `withinMs` away
   * (never before a record's notBefore). One statement for all of a tenant's subscriptions.
   */
  async watch(kind: KindName, tenant: string, refs: string[], orderNos: string[], forMs: number, withinMs: number): Promise<void> {
    await this.db.query(
      `UPDATE tracked t SET watched_until = ${inMs("$5")}, next_check_at = LEAST(t.next_check_at, ${nextCheck("$6")})
       WHERE t.kind = $1 AND t.tenant = $2 AND NOT t.is_final AND (t.ref = ANY($3::text[]) OR t.order_no = ANY($4::text[]))`,
      [kind, tenant, refs, orderNos, forMs, withinMs],
    );
  }

  /** Seconds the most overdue open record has waited past its check time (0 when none is due). */
  async lagSeconds(kind: KindName): Promise<number> {
    const rows = await this.db.query<{ lag: string | number | null }>(
      "SELECT extract(epoch FROM now() - min(next_check_at))::float8 AS lag FROM tracked WHERE kind = $1 AND NOT is_final AND next_check_at <= now()",
      [kind],
    );
    return Math.max(0, Number(rows[0]?.lag ?? 0));
  }

  /** Open (not final) records of a kind, for metrics and tests. */
  async countOpen(kind: KindName): Promise<number> {
    return Number(
      (await this.db.query<{ n: string }>("SELECT count(*)::text AS n FROM tracked WHERE kind = $1 AND NOT is_final", [kind]))[0].n,
    );
  }
}
