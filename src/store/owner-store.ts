/**
 * Which tenant owns an order on a supplier account (hardening issue, item 4). A claim is one
 * statement: insert if nobody holds the order, and say who holds it now — so two tenants
 * starting on one order at once cannot both win.
 */
import type { SupplierName } from "../vocabulary/suppliers.js";
import type { SqlDb } from "./db.js";

/** Who holds an order after a claim, and whether this claim made the holding. */
export interface Claim {
  tenant: string;
  fresh: boolean;
}

/**
 * Order ownership on shared supplier accounts: the first tenant to act on an order holds it, and
 * another tenant's requests for it are ORDER_NOT_FOUND without a supplier call (hardening issue, item 4).
 */
export class OwnerStore {
  constructor(private readonly db: SqlDb) {}

  /** Claims the order for `tenant` unless someone holds it; returns the holder. */
  async claim(supplier: SupplierName, account: string, orderNo: string, tenant: string): Promise<Claim> {
    for (;;) {
      const rows = await this.db.query<{ tenant: string; fresh: boolean }>(
        `WITH ins AS (
           INSERT INTO order_owners (supplier, account, order_no, tenant) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING RETURNING tenant
         )
         SELECT tenant, true AS fresh FROM ins
         UNION ALL
         SELECT tenant, false AS fresh FROM order_owners WHERE supplier = $1 AND account = $2 AND order_no = $3`,
        [supplier, account, orderNo, tenant],
      );
      // The statement's snapshot does not see its own insert: one row, normally. None when
      // another transaction's claim committed while this insert waited for it (PostgreSQL:
      // the conflict is seen, the row is not, in this snapshot); a new statement sees it.
      if (rows[0]) return { tenant: rows[0].tenant, fresh: Boolean(rows[0].fresh) };
      const holder = await this.holder(supplier, account, orderNo);
      if (holder !== null) return { tenant: holder, fresh: false };
      // Given back in between: claim again.
    }
  }

  /** The tenant holding the order, if any. */
  async holder(supplier: SupplierName, account: string, orderNo: string): Promise<string | null> {
    const rows = await this.db.query<{ tenant: string }>(
      "SELECT tenant FROM order_owners WHERE supplier = $1 AND account = $2 AND order_no = $3",
      [supplier, account, orderNo],
    );
    return rows[0]?.tenant ?? null;
  }

  /** Gives a claim back (the supplier said there is no such order). Only the holder's. */
  async release(supplier: SupplierName, account: string, orderNo: string, tenant: string): Promise<void> {
    await this.db.query("DELETE FROM order_owners WHERE supplier = $1 AND account = $2 AND order_no = $3 AND tenant = $4", [
      supplier,
      account,
      orderNo,
      tenant,
    ]);
  }
}
