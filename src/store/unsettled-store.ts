/**
 * Submissions whose outcome is unknown: a state-changing supplier call (a void submission, a
 * cancel) lost its reply. The next request for the order reconciles first instead of resending, and a
 * supplier webhook naming the order settles it.
 *
 * A void submission is also written here before it is sent (`claim`, in flight until a time):
 * if the process stops before it learns the outcome, the mark outlives it, and the order's next
 * submission asks the supplier first instead of sending void.do again.
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
  /**
   * Set while the call is being sent (a `claim`): until then its sender will record the outcome.
   * Past it with the mark still there, the sender stopped before it could: an unknown outcome.
   */
  inFlightUntil: Date | null;
}

interface Row {
  tenant: string;
  supplier: string;
  operation: string;
  order_no: string;
  since: Date;
  in_flight_until: Date | null;
}

const toUnsettled = (r: Row): Unsettled => ({
  tenant: r.tenant,
  supplier: r.supplier as SupplierName,
  operation: r.operation,
  orderNo: r.order_no,
  since: new Date(r.since),
  inFlightUntil: r.in_flight_until ? new Date(r.in_flight_until) : null,
});

/**
 * Submissions with an unknown outcome (SUPPLIER_OUTCOME_UNKNOWN). The gateway never resends a call that
 * changes state (docs/api.md, SUPPLIER_OUTCOME_UNKNOWN: "the gateway did not resend it"); the order is
 * reconciled by asking first.
 */
export class UnsettledStore {
  constructor(private readonly db: SqlDb) {}

  /** The call lost its reply: marks the order, or turns the call's own claim into the mark (since now). */
  async mark(tenant: string, supplier: SupplierName, operation: string, orderNo: string, detail: string): Promise<void> {
    await this.db.query(
      `INSERT INTO unsettled_submissions (tenant, supplier, operation, order_no, detail) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant, supplier, operation, order_no) DO UPDATE SET detail = EXCLUDED.detail,
         since = CASE WHEN unsettled_submissions.in_flight_until IS NULL THEN unsettled_submissions.since ELSE now() END,
         in_flight_until = NULL`,
      [tenant, supplier, operation, orderNo, detail],
    );
  }

  /**
   * Claims the order for a call about to be sent, in flight for `inFlightMs`: null when claimed,
   * else the mark already there (an unknown outcome, or another call in flight). The sender
   * settles the claim, or `mark`s it when the outcome is unknown.
   */
  async claim(tenant: string, supplier: SupplierName, operation: string, orderNo: string, inFlightMs: number): Promise<Unsettled | null> {
    // A conflicting mark can be settled between the insert and the read: then try again.
    for (let attempt = 1; attempt <= 3; attempt++) {
      const claimed = await this.db.query(
        `INSERT INTO unsettled_submissions (tenant, supplier, operation, order_no, detail, in_flight_until)
         VALUES ($1, $2, $3, $4, 'being sent', now() + $5::float8 * interval '1 millisecond')
         ON CONFLICT (tenant, supplier, operation, order_no) DO NOTHING RETURNING 1 AS claimed`,
        [tenant, supplier, operation, orderNo, inFlightMs],
      );
      if (claimed.length) return null;
      const existing = await this.get(tenant, supplier, operation, orderNo);
      if (existing) return existing;
    }
    throw new Error(`could not claim ${operation} of order ${orderNo}: its mark kept changing`);
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
