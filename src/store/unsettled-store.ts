/**
 * Submissions whose outcome is unknown: a state-changing supplier call (a void submission, a
 * stop request) lost its reply. The next request for the order reconciles first instead of resending, and a
 * supplier webhook naming the order settles it.
 */
import type { SupplierName } from "../vocabulary/suppliers.js";
import type { SqlDb } from "./db.js";

/** A submission whose reply was lost: who sent what for which order, and since when. */
export interface Unsettled {
  tenant: string;
  supplier: SupplierName;
  operation: string;
  orderNo: string;
  since: Date;
}

interface Row {
  tenant: string;
  supplier: string;
  operation: string;
  order_no: string;
  since: Date;
}

const toUnsettled = (r: Row): Unsettled => ({
  tenant: r.tenant,
  supplier: r.supplier as SupplierName,
  operation: r.operation,
  orderNo: r.order_no,
  since: new Date(r.since),
});

/**
 * Submissions with an unknown outcome (SUPPLIER_OUTCOME_UNKNOWN). The gateway never resends a call that
 * changes state (docs/api.md, SUPPLIER_OUTCOME_UNKNOWN: "the gateway did not resend it"); the order is
 * reconciled by asking first.
 */
export class UnsettledStore {
  constructor(private readonly db: SqlDb) {}

  async mark(tenant: string, supplier: SupplierName, operation: string, orderNo: string, detail: string): Promise<void> {
    await this.db.query(
      `INSERT INTO unsettled_submissions (tenant, supplier, operation, order_no, detail) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant, supplier, operation, order_no) DO UPDATE SET detail = EXCLUDED.detail`,
      [tenant, supplier, operation, orderNo, detail],
    );
  }

  async get(tenant: string, supplier: SupplierName, operation: string, orderNo: string): Promise<Unsettled | null> {
    const rows = await this.db.query<Row>(
      "SELECT * FROM unsettled_submissions WHERE tenant = $1 AND supplier = $2 AND operation = $3 AND order_no = $4",
      [tenant, supplier, operation, orderNo],
    );
    return rows[0] ? toUnsettled(rows[0]) : null;
  }

  /** Every tenant's unsettled submission for an order (a webhook names no tenant). */
  async byOrder(supplier: SupplierName, operation: string, orderNo: string): Promise<Unsettled[]> {
    return (
      await this.db.query<Row>("SELECT * FROM unsettled_submissions WHERE supplier = $1 AND operation = $2 AND order_no = $3", [
        supplier,
        operation,
        orderNo,
      ])
    ).map(toUnsettled);
  }

  /** Which of these orders have an unsettled submission of `operation`, any tenant. */
  async waitingOrders(operation: string, orderNos: string[]): Promise<Set<string>> {
    if (!orderNos.length) return new Set();
    const rows = await this.db.query<{ order_no: string }>(
      "SELECT DISTINCT order_no FROM unsettled_submissions WHERE operation = $1 AND order_no = ANY($2::text[])",
      [operation, orderNos],
    );
    return new Set(rows.map((r) => r.order_no));
  }

  async settle(tenant: string, supplier: SupplierName, operation: string, orderNo: string): Promise<void> {
    await this.db.query("DELETE FROM unsettled_submissions WHERE tenant = $1 AND supplier = $2 AND operation = $3 AND order_no = $4", [
      tenant,
      supplier,
      operation,
      orderNo,
    ]);
  }
}
