/**
 * The latest void quote the gateway got for each tenant's order: its offer and whether it
 * called the order voidable. Seed 002: a quotation is mandatory before every void, the
 * voidOfferId "must come from the latest voidQuotation.do", and the quote's isVoidable is what
 * counts; submitVoid sent whatever offer a client gave, quoted or not (seeds probe,
 * thirty-third session). Kept a day: an offer older than that has long expired at the supplier.
 */
import type { SupplierName } from "../vocabulary/suppliers.js";
import type { SqlDb } from "./db.js";

/** What the latest quote said. */
export interface LatestQuote {
  offerId: string | null;
  voidable: boolean;
  quotedAt: Date;
}

const KEY = "tenant = $1 AND supplier = $2 AND order_no = $3";

export class QuoteStore {
  constructor(private readonly db: SqlDb) {}

  /** Records a quote as the order's latest. */
  async record(tenant: string, supplier: SupplierName, orderNo: string, offerId: string | null, voidable: boolean): Promise<void> {
    await this.db.query(
      `INSERT INTO void_quotes (tenant, supplier, order_no, offer_id, voidable) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant, supplier, order_no) DO UPDATE SET offer_id = EXCLUDED.offer_id, voidable = EXCLUDED.voidable, quoted_at = now()`,
      [tenant, supplier, orderNo, offerId, voidable],
    );
  }

  /** The order's latest quote, or null when the gateway has none (or it has expired). */
  async latest(tenant: string, supplier: SupplierName, orderNo: string): Promise<LatestQuote | null> {
    const rows = await this.db.query<{ offer_id: string | null; voidable: boolean; quoted_at: Date }>(
      `SELECT offer_id, voidable, quoted_at FROM void_quotes WHERE ${KEY}`,
      [tenant, supplier, orderNo],
    );
    const r = rows[0];
    return r ? { offerId: r.offer_id, voidable: r.voidable, quotedAt: new Date(r.quoted_at) } : null;
  }

  /** The supplier has issued a newer offer the client was not given (the gateway quoted to check a lost submission). */
  async forget(tenant: string, supplier: SupplierName, orderNo: string): Promise<void> {
    await this.db.query(`DELETE FROM void_quotes WHERE ${KEY}`, [tenant, supplier, orderNo]);
  }

  /** Deletes quotes older than `olderThanMs`. */
  async expire(olderThanMs: number): Promise<number> {
    const rows = await this.db.query(
      "DELETE FROM void_quotes WHERE quoted_at < now() - make_interval(secs => $1::double precision / 1000) RETURNING 1",
      [olderThanMs],
    );
    return rows.length;
  }
}
