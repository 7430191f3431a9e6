/**
 * The latest void quote the gateway got for each tenant's order: its offer and whether it
 * called the order voidable. Seed 002: a quotation is mandatory before every void, the
 * voidOfferId "must come from the latest voidQuotation.do", and the quote's isVoidable is what
 * counts; submitVoid sent whatever offer a client gave, quoted or not (seeds probe,
 * thirty-third session). Kept a day: an offer older than that has long expired at the supplier.
 *
 * On the embedded store, where one process holds the data directory, in that process's memory:
 * a row written per quote tripled the gateway's CPU per voidQuote (240 → 709 µs, bench:ab,
 * bench/RESULTS.md). A restart forgets them (the client quotes again). On PostgreSQL, shared by
 * every instance, a table (migration 17).
 */
import type { SupplierName } from "../vocabulary/suppliers.js";
import type { SqlDb } from "./db.js";

/** What the latest quote said. */
interface LatestQuote {
  offerId: string | null;
  voidable: boolean;
  quotedAt: Date;
}

export interface QuoteStore {
  /** Records a quote as the order's latest. */
  record(tenant: string, supplier: SupplierName, orderNo: string, offerId: string | null, voidable: boolean): Promise<void>;
  /** The order's latest quote, or null when the gateway has none (or it has expired). */
  latest(tenant: string, supplier: SupplierName, orderNo: string): Promise<LatestQuote | null>;
  /**
   * The supplier has issued a newer offer the client was not given (the gateway quoted to check a
   * lost submission): the order's quote goes, unless it was recorded after `before`.
   */
  forget(tenant: string, supplier: SupplierName, orderNo: string, before: Date): Promise<void>;
  /** Deletes quotes older than `olderThanMs`; how many. */
  expire(olderThanMs: number): Promise<number>;
}

/** The quote store for `db`'s engine (see above). */
export function quoteStore(db: SqlDb): QuoteStore {
  return db.engine === "pglite" ? new MemoryQuotes() : new SqlQuotes(db);
}

const KEY = "tenant = $1 AND supplier = $2 AND order_no = $3";

class SqlQuotes implements QuoteStore {
  constructor(private readonly db: SqlDb) {}

  async record(tenant: string, supplier: SupplierName, orderNo: string, offerId: string | null, voidable: boolean): Promise<void> {
    await this.db.query(
      `INSERT INTO void_quotes (tenant, supplier, order_no, offer_id, voidable, quoted_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (tenant, supplier, order_no) DO UPDATE SET offer_id = EXCLUDED.offer_id, voidable = EXCLUDED.voidable, quoted_at = EXCLUDED.quoted_at`,
      // By the gateway's clock, as `forget`'s `before` is.
      [tenant, supplier, orderNo, offerId, voidable, new Date().toISOString()],
    );
  }

  async latest(tenant: string, supplier: SupplierName, orderNo: string): Promise<LatestQuote | null> {
    const rows = await this.db.query<{ offer_id: string | null; voidable: boolean; quoted_at: Date }>(
      `SELECT offer_id, voidable, quoted_at FROM void_quotes WHERE ${KEY}`,
      [tenant, supplier, orderNo],
    );
    const r = rows[0];
    return r ? { offerId: r.offer_id, voidable: r.voidable, quotedAt: new Date(r.quoted_at) } : null;
  }

  async forget(tenant: string, supplier: SupplierName, orderNo: string, before: Date): Promise<void> {
    await this.db.query(`DELETE FROM void_quotes WHERE ${KEY} AND quoted_at < $4`, [tenant, supplier, orderNo, before.toISOString()]);
  }

  async expire(olderThanMs: number): Promise<number> {
    const rows = await this.db.query(
      "DELETE FROM void_quotes WHERE quoted_at < now() - make_interval(secs => $1::double precision / 1000) RETURNING 1",
      [olderThanMs],
    );
    return rows.length;
  }
}

/** Quotes kept in memory at most: past it the oldest go (their orders are quoted again). About 20 MB. */
const MEMORY_QUOTES_MAX = 100_000;

class MemoryQuotes implements QuoteStore {
  /** By order, oldest quote first (a new quote moves its order to the end). */
  private readonly quotes = new Map<string, LatestQuote>();

  private static key(tenant: string, supplier: string, orderNo: string): string {
    return `${tenant}\u0000${supplier}\u0000${orderNo}`;
  }

  async record(tenant: string, supplier: SupplierName, orderNo: string, offerId: string | null, voidable: boolean): Promise<void> {
    const key = MemoryQuotes.key(tenant, supplier, orderNo);
    this.quotes.delete(key);
    this.quotes.set(key, { offerId, voidable, quotedAt: new Date() });
    if (this.quotes.size > MEMORY_QUOTES_MAX) this.quotes.delete(this.quotes.keys().next().value as string);
  }

  async latest(tenant: string, supplier: SupplierName, orderNo: string): Promise<LatestQuote | null> {
    return this.quotes.get(MemoryQuotes.key(tenant, supplier, orderNo)) ?? null;
  }

  async forget(tenant: string, supplier: SupplierName, orderNo: string, before: Date): Promise<void> {
    const key = MemoryQuotes.key(tenant, supplier, orderNo);
    if ((this.quotes.get(key)?.quotedAt.getTime() ?? Infinity) < before.getTime()) this.quotes.delete(key);
  }

  async expire(olderThanMs: number): Promise<number> {
    const before = Date.now() - olderThanMs;
    let n = 0;
    for (const [key, q] of this.quotes) {
      if (q.quotedAt.getTime() >= before) break;
      this.quotes.delete(key);
      n += 1;
    }
    return n;
  }
}
