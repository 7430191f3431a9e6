/**
 * Stop-issuance requests: PENDING until the supplier's order state says STOPPED or ISSUED.
 * Resolution is a compare-and-set on PENDING, so only one observer resolves and publishes.
 */
import type { SupplierName } from "../../datasources/errors.js";
import type { StopStateName } from "../../datasources/model.js";
import type { SqlDb } from "./sql.js";

export interface StopKey {
  tenant: string;
  supplier: SupplierName;
  orderNo: string;
}

export interface StopRecord extends StopKey {
  state: StopStateName;
  message: string | null;
  supplierOrderStatus: string | null;
  requestedAt: Date;
  checkAfter: Date;
  resolvedAt: Date | null;
  checkAttempt: number;
}

interface StopRow {
  tenant: string;
  supplier: string;
  order_no: string;
  state: string;
  message: string | null;
  supplier_order_status: string | null;
  requested_at: Date;
  check_after: Date;
  resolved_at: Date | null;
  check_attempt: number;
}

const KEY = "tenant = $1 AND supplier = $2 AND order_no = $3";
const inMs = (param: string) => `now() + make_interval(secs => ${param}::double precision / 1000)`;

function toStop(r: StopRow): StopRecord {
  return {
    tenant: r.tenant,
    supplier: r.supplier as SupplierName,
    orderNo: r.order_no,
    state: r.state as StopStateName,
    message: r.message,
    supplierOrderStatus: r.supplier_order_status,
    requestedAt: new Date(r.requested_at),
    checkAfter: new Date(r.check_after),
    resolvedAt: r.resolved_at ? new Date(r.resolved_at) : null,
    checkAttempt: Number(r.check_attempt),
  };
}

export class StopStore {
  constructor(private readonly db: SqlDb) {}

  /** Records a PENDING stop whose outcome is checked `checkInMs` from now. */
  async insert(key: StopKey, message: string | null, checkInMs: number): Promise<StopRecord> {
    const rows = await this.db.query<StopRow>(
      `INSERT INTO stop_requests (tenant, supplier, order_no, state, message, requested_at, check_after, next_check_at, updated_at)
       VALUES ($1, $2, $3, 'PENDING', $4, now(), ${inMs("$5")}, ${inMs("$5")}, now())
       ON CONFLICT (tenant, supplier, order_no) DO NOTHING RETURNING *`,
      [key.tenant, key.supplier, key.orderNo, message, checkInMs],
    );
    return rows[0] ? toStop(rows[0]) : ((await this.get(key)) as StopRecord);
  }

  async get(key: StopKey): Promise<StopRecord | null> {
    const rows = await this.db.query<StopRow>(`SELECT * FROM stop_requests WHERE ${KEY}`, [key.tenant, key.supplier, key.orderNo]);
    return rows[0] ? toStop(rows[0]) : null;
  }

  /** PENDING stops of an order across tenants (a webhook names no tenant). */
  async pendingByOrder(supplier: SupplierName, orderNo: string): Promise<StopRecord[]> {
    const rows = await this.db.query<StopRow>("SELECT * FROM stop_requests WHERE supplier = $1 AND order_no = $2 AND state = 'PENDING'", [supplier, orderNo]);
    return rows.map(toStop);
  }

  /** Leases due PENDING stops (see VoidStore.leaseDue). */
  async leaseDue(owner: string, limit: number, leaseMs: number): Promise<StopRecord[]> {
    const rows = await this.db.query<StopRow>(
      `UPDATE stop_requests SET lease_owner = $1, lease_expires_at = ${inMs("$3")}
       WHERE (tenant, supplier, order_no) IN (
         SELECT tenant, supplier, order_no FROM stop_requests
         WHERE state = 'PENDING' AND next_check_at <= now() AND (lease_expires_at IS NULL OR lease_expires_at < now())
         ORDER BY next_check_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [owner, limit, leaseMs],
    );
    return rows.map(toStop);
  }

  /** PENDING → STOPPED / ISSUED, once. Returns null when it was no longer PENDING. */
  async resolve(key: StopKey, state: Exclude<StopStateName, "PENDING">, supplierOrderStatus: string | null): Promise<StopRecord | null> {
    const rows = await this.db.query<StopRow>(
      `UPDATE stop_requests SET state = $4, supplier_order_status = $5, resolved_at = now(), updated_at = now(),
         next_check_at = NULL, lease_owner = NULL, lease_expires_at = NULL
       WHERE ${KEY} AND state = 'PENDING' RETURNING *`,
      [key.tenant, key.supplier, key.orderNo, state, supplierOrderStatus],
    );
    return rows[0] ? toStop(rows[0]) : null;
  }

  /** Still PENDING: check again `inMs` from now. */
  async reschedule(key: StopKey, inMsValue: number, attempt: number, supplierOrderStatus: string | null): Promise<void> {
    await this.db.query(
      `UPDATE stop_requests SET next_check_at = ${inMs("$4")}, check_attempt = $5, supplier_order_status = $6, updated_at = now(),
         lease_owner = NULL, lease_expires_at = NULL
       WHERE ${KEY} AND state = 'PENDING'`,
      [key.tenant, key.supplier, key.orderNo, inMsValue, attempt, supplierOrderStatus],
    );
  }

  /** Pulls a PENDING stop's next check to now (an order.ticketed webhook hints at an outcome). */
  async checkSoon(key: StopKey): Promise<void> {
    await this.db.query(`UPDATE stop_requests SET next_check_at = now() WHERE ${KEY} AND state = 'PENDING'`, [key.tenant, key.supplier, key.orderNo]);
  }

  async releaseAll(owner: string): Promise<void> {
    await this.db.query("UPDATE stop_requests SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = $1", [owner]);
  }

  async countPending(): Promise<number> {
    return Number((await this.db.query<{ n: string }>("SELECT count(*)::text AS n FROM stop_requests WHERE state = 'PENDING'"))[0].n);
  }
}
