/**
 * Void records and their append-only event log. A status change is one compare-and-set on
 * the record plus one event insert, in one transaction: whoever wins the update publishes,
 * so racing observers (webhook, poll, query; on one instance or several) yield one event per
 * change. Times that matter across instances (due, lease expiry) use the database clock.
 */
import type { SupplierName } from "../../datasources/errors.js";
import type { VoidOrderData, VoidStatusName } from "../../datasources/model.js";
import type { Sql, SqlDb } from "./sql.js";

export type StatusSourceName = "SUBMIT" | "WEBHOOK" | "POLL" | "QUERY";

export interface VoidKey {
  tenant: string;
  supplier: SupplierName;
  voidCode: string;
}

export interface VoidRecord extends VoidKey {
  orderNo: string;
  status: VoidStatusName;
  supplierStatus: number;
  isFinal: boolean;
  /** The supplier's latest report, mapped. */
  data: VoidOrderData;
  submittedAt: Date | null;
  updatedAt: Date;
  nextPollAt: Date | null;
  pollAttempt: number;
  /** Until when a subscriber somewhere watches it (null: never). */
  watchedUntil: Date | null;
}

export interface VoidEvent {
  /** Increasing; a string because it is a bigint (GraphQL ID). */
  id: string;
  tenant: string;
  supplier: SupplierName;
  voidCode: string;
  orderNo: string;
  status: VoidStatusName;
  previousStatus: VoidStatusName | null;
  isFinal: boolean;
  source: StatusSourceName;
  message: string | null;
  occurredAt: Date;
}

/** One compare-and-set of transitionMany. */
export interface TransitionItem {
  key: VoidKey;
  from: VoidStatusName;
  data: VoidOrderData;
  source: StatusSourceName;
  nextPollInMs: number;
}

/** What to select events by; all given fields must match. */
export interface EventFilter {
  supplier?: SupplierName;
  voidCode?: string;
  orderNo?: string;
}

interface VoidRow {
  tenant: string;
  supplier: string;
  void_code: string;
  order_no: string;
  status: string;
  supplier_status: number;
  is_final: boolean;
  data: VoidOrderData | string;
  submitted_at: Date | null;
  updated_at: Date;
  next_poll_at: Date | null;
  poll_attempt: number;
  watched_until: Date | null;
}

interface EventRow {
  id: string;
  tenant: string;
  supplier: string;
  void_code: string;
  order_no: string;
  status: string;
  previous_status: string | null;
  is_final: boolean;
  source: string;
  message: string | null;
  occurred_at: Date;
}

const EVENT_COLUMNS = "id::text AS id, tenant, supplier, void_code, order_no, status, previous_status, is_final, source, message, occurred_at";
const KEY = "tenant = $1 AND supplier = $2 AND void_code = $3";
/** `now() + n ms`, computed by the database. */
const inMs = (param: string) => `now() + make_interval(secs => ${param}::double precision / 1000)`;

/** How byCodes keys its result. */
export function codeKey(supplier: string, voidCode: string): string {
  return `${supplier}:${voidCode}`;
}

function toRecord(r: VoidRow): VoidRecord {
  return {
    tenant: r.tenant,
    supplier: r.supplier as SupplierName,
    voidCode: r.void_code,
    orderNo: r.order_no,
    status: r.status as VoidStatusName,
    supplierStatus: Number(r.supplier_status),
    isFinal: r.is_final,
    data: typeof r.data === "string" ? (JSON.parse(r.data) as VoidOrderData) : r.data,
    submittedAt: r.submitted_at ? new Date(r.submitted_at) : null,
    updatedAt: new Date(r.updated_at),
    nextPollAt: r.next_poll_at ? new Date(r.next_poll_at) : null,
    pollAttempt: Number(r.poll_attempt),
    watchedUntil: r.watched_until ? new Date(r.watched_until) : null,
  };
}

function toEvent(r: EventRow): VoidEvent {
  return {
    id: String(r.id),
    tenant: r.tenant,
    supplier: r.supplier as SupplierName,
    voidCode: r.void_code,
    orderNo: r.order_no,
    status: r.status as VoidStatusName,
    previousStatus: r.previous_status as VoidStatusName | null,
    isFinal: r.is_final,
    source: r.source as StatusSourceName,
    message: r.message,
    occurredAt: new Date(r.occurred_at),
  };
}

/** The message an event carries: the supplier's message, else its cancel reason. */
function eventMessage(data: VoidOrderData): string | null {
  return data.message ?? data.cancelReason ?? null;
}

async function appendEvent(sql: Sql, rec: VoidRecord, previous: VoidStatusName | null, source: StatusSourceName): Promise<VoidEvent> {
  const rows = await sql.query<EventRow>(
    `INSERT INTO void_events (tenant, supplier, void_code, order_no, status, previous_status, is_final, source, message)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${EVENT_COLUMNS}`,
    [rec.tenant, rec.supplier, rec.voidCode, rec.orderNo, rec.status, previous, rec.isFinal, source, eventMessage(rec.data)],
  );
  return toEvent(rows[0]);
}

export class VoidStore {
  constructor(private readonly db: SqlDb) {}

  /**
   * Records a void the gateway just learned of (SUBMIT: from void.do; QUERY: adopted from a
   * supplier query) with its first event. Returns event null when the record already existed,
   * and null altogether when another tenant owns this void (it then stays unknown to this one).
   */
  async record(
    tenant: string,
    data: VoidOrderData,
    source: "SUBMIT" | "QUERY",
    submittedAt: Date | null,
    firstPollInMs: number,
  ): Promise<{ record: VoidRecord; event: VoidEvent | null } | null> {
    return this.db.tx(async (sql) => {
      const inserted = await sql.query<VoidRow>(
        `INSERT INTO voids (tenant, supplier, void_code, order_no, status, supplier_status, is_final, data, submitted_at, updated_at, next_poll_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now(), CASE WHEN $7 THEN NULL ELSE ${inMs("$10")} END)
         ON CONFLICT DO NOTHING RETURNING *`,
        [tenant, data.supplier, data.voidCode, data.orderNo, data.status, data.supplierStatus, data.isFinal, JSON.stringify(data), submittedAt, firstPollInMs],
      );
      if (inserted.length === 0) {
        // Either this tenant has it already, or another tenant owns it (unique supplier + code).
        const existing = await sql.query<VoidRow>(`SELECT * FROM voids WHERE ${KEY}`, [tenant, data.supplier, data.voidCode]);
        return existing[0] ? { record: toRecord(existing[0]), event: null } : null;
      }
      const record = toRecord(inserted[0]);
      return { record, event: await appendEvent(sql, record, null, source) };
    });
  }

  async get(key: VoidKey): Promise<VoidRecord | null> {
    const rows = await this.db.query<VoidRow>(`SELECT * FROM voids WHERE ${KEY}`, [key.tenant, key.supplier, key.voidCode]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async byOrder(tenant: string, orderNo: string): Promise<VoidRecord[]> {
    const rows = await this.db.query<VoidRow>("SELECT * FROM voids WHERE tenant = $1 AND order_no = $2 ORDER BY submitted_at NULLS LAST, void_code", [tenant, orderNo]);
    return rows.map(toRecord);
  }

  /** Every tenant's record of a supplier's void (a webhook names no tenant). */
  async byCode(supplier: SupplierName, voidCode: string): Promise<VoidRecord[]> {
    return (await this.db.query<VoidRow>("SELECT * FROM voids WHERE supplier = $1 AND void_code = $2", [supplier, voidCode])).map(toRecord);
  }

  /**
   * Every tenant's records of these voids, keyed by `supplier:voidCode` (one query for a batch
   * of webhooks; a void no tenant tracks has no entry).
   */
  async byCodes(voids: Array<{ supplier: SupplierName; voidCode: string }>): Promise<Map<string, VoidRecord[]>> {
    const found = new Map<string, VoidRecord[]>();
    if (!voids.length) return found;
    const wanted = new Set(voids.map((v) => codeKey(v.supplier, v.voidCode)));
    const rows = await this.db.query<VoidRow>("SELECT * FROM voids WHERE void_code = ANY($1::text[])", [[...new Set(voids.map((v) => v.voidCode))]]);
    for (const row of rows) {
      const k = codeKey(row.supplier, row.void_code);
      if (!wanted.has(k)) continue;
      const list = found.get(k);
      if (list) list.push(toRecord(row));
      else found.set(k, [toRecord(row)]);
    }
    return found;
  }

  /**
   * Compare-and-set: moves the void from `from` to `data.status` and appends the event, in one
   * statement (atomic on its own). Returns null when the record was no longer at `from`
   * (someone else won).
   */
  async transition(
    key: VoidKey,
    from: VoidStatusName,
    data: VoidOrderData,
    source: StatusSourceName,
    nextPollInMs: number,
  ): Promise<{ record: VoidRecord; event: VoidEvent } | null> {
    return (await this.transitionMany([{ key, from, data, source, nextPollInMs }]))[0];
  }

  /**
   * transition() for many voids (distinct keys) in one statement, so a burst of changes costs
   * one round trip and one commit. Results are in input order; null where the record was no
   * longer at its `from`.
   */
  async transitionMany(items: TransitionItem[]): Promise<Array<{ record: VoidRecord; event: VoidEvent } | null>> {
    if (!items.length) return [];
    const rows = await this.db.query<VoidRow & { n: string | number; from_status: string; source: string; message: string | null; event_id: string; event_occurred_at: Date }>(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::bool[], $8::text[], $9::float8[], $10::text[], $11::text[])
           WITH ORDINALITY AS u(tenant, supplier, void_code, from_status, status, supplier_status, is_final, data, next_ms, source, message, n)
       ), moved AS (
         UPDATE voids v SET status = u.status, supplier_status = u.supplier_status, is_final = u.is_final, data = u.data::jsonb, updated_at = now(),
           next_poll_at = CASE WHEN u.is_final THEN NULL ELSE now() + make_interval(secs => u.next_ms / 1000) END, poll_attempt = 0,
           lease_owner = NULL, lease_expires_at = NULL
         FROM input u
         WHERE v.tenant = u.tenant AND v.supplier = u.supplier AND v.void_code = u.void_code AND v.status = u.from_status AND NOT v.is_final
         RETURNING v.*, u.n, u.from_status, u.source, u.message
       ), logged AS (
         INSERT INTO void_events (tenant, supplier, void_code, order_no, status, previous_status, is_final, source, message)
         SELECT tenant, supplier, void_code, order_no, status, from_status, is_final, source, message FROM moved ORDER BY n
         RETURNING id::text AS event_id, occurred_at AS event_occurred_at, tenant AS e_tenant, supplier AS e_supplier, void_code AS e_void_code
       )
       SELECT moved.*, logged.event_id, logged.event_occurred_at
         FROM moved JOIN logged ON logged.e_tenant = moved.tenant AND logged.e_supplier = moved.supplier AND logged.e_void_code = moved.void_code`,
      [
        items.map((i) => i.key.tenant),
        items.map((i) => i.key.supplier),
        items.map((i) => i.key.voidCode),
        items.map((i) => i.from),
        items.map((i) => i.data.status),
        items.map((i) => i.data.supplierStatus),
        items.map((i) => i.data.isFinal),
        items.map((i) => JSON.stringify(i.data)),
        items.map((i) => i.nextPollInMs),
        items.map((i) => i.source),
        items.map((i) => eventMessage(i.data)),
      ],
    );
    const out: Array<{ record: VoidRecord; event: VoidEvent } | null> = items.map(() => null);
    for (const row of rows) {
      const event = toEvent({
        id: row.event_id,
        tenant: row.tenant,
        supplier: row.supplier,
        void_code: row.void_code,
        order_no: row.order_no,
        status: row.status,
        previous_status: row.from_status,
        is_final: row.is_final,
        source: row.source,
        message: row.message,
        occurred_at: row.event_occurred_at,
      });
      out[Number(row.n) - 1] = { record: toRecord(row), event };
    }
    return out;
  }

  /** Same status, newer report: stores it (amounts, messages) without an event. */
  async touch(key: VoidKey, data: VoidOrderData): Promise<void> {
    await this.touchMany([{ key, data }]);
  }

  /** touch() for many voids in one statement. */
  async touchMany(items: Array<{ key: VoidKey; data: VoidOrderData }>): Promise<void> {
    if (!items.length) return;
    await this.db.query(
      `UPDATE voids v SET data = u.data::jsonb, updated_at = now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(tenant, supplier, void_code, status, data)
       WHERE v.tenant = u.tenant AND v.supplier = u.supplier AND v.void_code = u.void_code AND v.status = u.status AND NOT v.is_final`,
      [
        items.map((i) => i.key.tenant),
        items.map((i) => i.key.supplier),
        items.map((i) => i.key.voidCode),
        items.map((i) => i.data.status),
        items.map((i) => JSON.stringify(i.data)),
      ],
    );
  }

  /**
   * Leases up to `limit` open voids that are due, oldest first, skipping rows another
   * instance holds (FOR UPDATE SKIP LOCKED) or has leased and whose lease has not expired.
   */
  async leaseDue(owner: string, limit: number, leaseMs: number): Promise<VoidRecord[]> {
    const rows = await this.db.query<VoidRow>(
      `UPDATE voids SET lease_owner = $1, lease_expires_at = ${inMs("$3")}
       WHERE (tenant, supplier, void_code) IN (
         SELECT tenant, supplier, void_code FROM voids
         WHERE NOT is_final AND next_poll_at <= now() AND (lease_expires_at IS NULL OR lease_expires_at < now())
         ORDER BY next_poll_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [owner, limit, leaseMs],
    );
    return rows.map(toRecord);
  }

  /**
   * Gives back the leases of a poll run whose polls brought no change, in one statement: each
   * gets its next poll time and attempt count, and `report` (the supplier's latest report, same
   * status) is stored as touch() would, if the status is still the one it reports.
   */
  async releaseMany(owner: string, items: Array<{ key: VoidKey; nextPollInMs: number; pollAttempt: number; report: VoidOrderData | null }>): Promise<void> {
    if (!items.length) return;
    await this.db.query(
      `UPDATE voids v SET next_poll_at = now() + make_interval(secs => u.next_ms / 1000), poll_attempt = u.attempt,
         lease_owner = NULL, lease_expires_at = NULL,
         data = CASE WHEN u.status = v.status THEN u.report::jsonb ELSE v.data END,
         updated_at = CASE WHEN u.status = v.status THEN now() ELSE v.updated_at END
       FROM unnest($2::text[], $3::text[], $4::text[], $5::float8[], $6::int[], $7::text[], $8::text[]) AS u(tenant, supplier, void_code, next_ms, attempt, status, report)
       WHERE v.tenant = u.tenant AND v.supplier = u.supplier AND v.void_code = u.void_code AND v.lease_owner = $1 AND NOT v.is_final`,
      [
        owner,
        items.map((i) => i.key.tenant),
        items.map((i) => i.key.supplier),
        items.map((i) => i.key.voidCode),
        items.map((i) => i.nextPollInMs),
        items.map((i) => i.pollAttempt),
        items.map((i) => i.report?.status ?? null),
        items.map((i) => (i.report ? JSON.stringify(i.report) : null)),
      ],
    );
  }

  /** Makes these voids due for a poll now (a webhook about them could not be confirmed). */
  async pollSoon(keys: VoidKey[]): Promise<void> {
    if (!keys.length) return;
    await this.db.query(
      `UPDATE voids v SET next_poll_at = LEAST(v.next_poll_at, now())
       FROM unnest($1::text[], $2::text[], $3::text[]) AS k(tenant, supplier, void_code)
       WHERE v.tenant = k.tenant AND v.supplier = k.supplier AND v.void_code = k.void_code AND NOT v.is_final`,
      [keys.map((k) => k.tenant), keys.map((k) => k.supplier), keys.map((k) => k.voidCode)],
    );
  }

  /** Releases every lease an instance holds (shutdown). */
  async releaseAll(owner: string): Promise<void> {
    await this.db.query("UPDATE voids SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = $1", [owner]);
  }

  /**
   * Marks a tenant's voids — those with these codes or on these orders — as watched by a
   * subscriber until `forMs` from now, and pulls their next poll to at most `pollWithinMs` away.
   * One statement for all of an instance's subscriptions of the tenant.
   */
  async watch(tenant: string, voidCodes: string[], orderNos: string[], forMs: number, pollWithinMs: number): Promise<void> {
    await this.db.query(
      `UPDATE voids SET watched_until = ${inMs("$4")}, next_poll_at = LEAST(next_poll_at, ${inMs("$5")})
       WHERE tenant = $1 AND NOT is_final AND (void_code = ANY($2::text[]) OR order_no = ANY($3::text[]))`,
      [tenant, voidCodes, orderNos, forMs, pollWithinMs],
    );
  }

  /** Events of a tenant after `afterId`, oldest first. */
  async events(tenant: string, filter: EventFilter, afterId: string, limit: number): Promise<VoidEvent[]> {
    const params: unknown[] = [tenant, afterId, limit];
    const conds = ["tenant = $1", "id > $2::bigint"];
    for (const [column, value] of [
      ["supplier", filter.supplier],
      ["void_code", filter.voidCode],
      ["order_no", filter.orderNo],
    ] as const) {
      if (value === undefined) continue;
      params.push(value);
      conds.push(`${column} = $${params.length}`);
    }
    const rows = await this.db.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM void_events WHERE ${conds.join(" AND ")} ORDER BY void_events.id LIMIT $3`, params);
    return rows.map(toEvent);
  }

  /** Every event of one void, oldest first. */
  async history(key: VoidKey): Promise<VoidEvent[]> {
    const rows = await this.db.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM void_events WHERE ${KEY} ORDER BY void_events.id`, [key.tenant, key.supplier, key.voidCode]);
    return rows.map(toEvent);
  }

  /** Seconds the most overdue open void has waited past its poll time (0 when none is due). */
  async pollLagSeconds(): Promise<number> {
    const rows = await this.db.query<{ lag: string | number | null }>(
      "SELECT extract(epoch FROM now() - min(next_poll_at))::float8 AS lag FROM voids WHERE NOT is_final AND next_poll_at <= now()",
    );
    return Math.max(0, Number(rows[0]?.lag ?? 0));
  }

  /** Open (not final) voids, for metrics and tests. */
  async countOpen(): Promise<number> {
    return Number((await this.db.query<{ n: string }>("SELECT count(*)::text AS n FROM voids WHERE NOT is_final"))[0].n);
  }
}
