/**
 * Orders whose state-changing call (a void submission, a stop request, a cancel) is being sent,
 * or lost its reply. The next request for the order reconciles first instead of resending, and
 * a supplier webhook naming the order settles it (a stop's mark: housekeeping tracks the stop).
 *
 * A call is written here before it is sent (`claim`, in flight until a time, under a claim id
 * of its own): if the process stops before it learns the outcome, the mark outlives it, and the
 * order's next request asks the supplier first. A request that finds a mark takes it over
 * (`takeOver`, a compare-and-set on the claim id) before it asks or sends anything, so two
 * requests never act on one mark at once; and each request settles, marks or restores only
 * the row that still carries its own claim id. Whether a claim is in flight is decided by the
 * database's clock, the one that set it.
 */
import { randomUUID } from "node:crypto";
import type { SupplierName } from "../vocabulary/suppliers.js";
import type { SqlDb } from "./db.js";

/** A mark on an order: who sent what, since when, and whether a request holds it right now. */
export interface Unsettled {
  tenant: string;
  supplier: SupplierName;
  operation: string;
  orderNo: string;
  /** When the reply was lost (or, for a sender that stopped mid-call, when its call had surely ended). */
  since: Date;
  /** The request that holds the mark (null: a lost reply's mark nobody holds). */
  claimId: string | null;
  /** How long the holder's call may still be in flight, by the database's clock; 0 when it is not. */
  inFlightMs: number;
  /**
   * The supplier refused the gateway's call because it already holds one for the order that the
   * gateway did not send (made elsewhere): what it holds is not the gateway's submission.
   */
  heldElsewhere: boolean;
  /** When the call was sent (its claim taken, or its resend), by the database's clock; null for a mark from before migration 12. */
  sentAt: Date | null;
  /**
   * The supplier answered that it accepted the call, naming what it made (a void's voidCode), in
   * an answer the gateway could not take whole: the call is never sent again. Null otherwise.
   */
  acceptedRef: string | null;
}

interface Row {
  tenant: string;
  supplier: string;
  operation: string;
  order_no: string;
  since: Date;
  claim_id: string | null;
  in_flight_ms: number | string;
  held_elsewhere: boolean;
  sent_at: Date | null;
  accepted_ref: string | null;
}

const toUnsettled = (r: Row): Unsettled => ({
  tenant: r.tenant,
  supplier: r.supplier as SupplierName,
  operation: r.operation,
  orderNo: r.order_no,
  since: new Date(r.since),
  claimId: r.claim_id,
  inFlightMs: Number(r.in_flight_ms),
  heldElsewhere: r.held_elsewhere === true,
  sentAt: r.sent_at ? new Date(r.sent_at) : null,
  acceptedRef: r.accepted_ref ?? null,
});

/** When a mark's call was sent; for a mark from before migration 12, when its reply was lost. */
export const sentTime = (mark: Unsettled): Date => mark.sentAt ?? mark.since;

/** The columns of a mark, with the time its claim may still be in flight. */
const MARK = `tenant, supplier, operation, order_no, since, claim_id, held_elsewhere, sent_at, accepted_ref,
  GREATEST(0, EXTRACT(EPOCH FROM (in_flight_until - now())) * 1000)::float8 AS in_flight_ms`;
const KEY = "tenant = $1 AND supplier = $2 AND operation = $3 AND order_no = $4";
const inFlightFor = (param: string) => `now() + ${param}::float8 * interval '1 millisecond'`;

/**
 * Marks of state-changing calls (SUPPLIER_OUTCOME_UNKNOWN, or being sent). The gateway never resends a
 * call that changes state (docs/api.md, SUPPLIER_OUTCOME_UNKNOWN: "the gateway did not resend it"); the
 * order is reconciled by asking first.
 */
export class UnsettledStore {
  constructor(private readonly db: SqlDb) {}

  /**
   * Claims the order for a call about to be sent, in flight for `inFlightMs`: its claim id, or
   * the mark already there (a lost reply, or another request's claim).
   */
  async claim(
    tenant: string,
    supplier: SupplierName,
    operation: string,
    orderNo: string,
    inFlightMs: number,
  ): Promise<{ claimId: string } | { earlier: Unsettled }> {
    const claimId = randomUUID();
    // A conflicting mark can be settled between the insert and the read: then try again.
    for (let attempt = 1; attempt <= 3; attempt++) {
      const claimed = await this.db.query(
        `INSERT INTO unsettled_submissions (tenant, supplier, operation, order_no, detail, claim_id, in_flight_until, sent_at)
         VALUES ($1, $2, $3, $4, 'being sent', $5, ${inFlightFor("$6")}, now())
         ON CONFLICT (tenant, supplier, operation, order_no) DO NOTHING RETURNING 1 AS claimed`,
        [tenant, supplier, operation, orderNo, claimId, inFlightMs],
      );
      if (claimed.length) return { claimId };
      const earlier = await this.get(tenant, supplier, operation, orderNo);
      if (earlier) return { earlier };
    }
    throw new Error(`could not claim ${operation} of order ${orderNo}: its mark kept changing`);
  }

  /**
   * Takes over a mark nobody's call is in flight for, as it was read (same claim id): the mark,
   * now held by a new claim in flight for `inFlightMs` — its `since` moved to when a stopped
   * sender's call had surely ended — or null when another request took it first.
   */
  async takeOver(mark: Unsettled, inFlightMs: number): Promise<Unsettled | null> {
    const rows = await this.db.query<Row>(
      `UPDATE unsettled_submissions SET claim_id = $6, since = GREATEST(since, COALESCE(in_flight_until, since)),
         in_flight_until = ${inFlightFor("$7")}
       WHERE ${KEY} AND claim_id IS NOT DISTINCT FROM $5 AND (in_flight_until IS NULL OR in_flight_until <= now())
       RETURNING ${MARK}`,
      [mark.tenant, mark.supplier, mark.operation, mark.orderNo, mark.claimId, randomUUID(), inFlightMs],
    );
    return rows[0] ? toUnsettled(rows[0]) : null;
  }

  /**
   * The claimed call lost its reply: the claim becomes a mark nobody holds, since now (or a new
   * mark, if the claim is gone). `heldElsewhere`: the call was refused because the supplier
   * holds one the gateway did not send (see `Unsettled.heldElsewhere`); `acceptedRef`: the
   * supplier said it accepted the call, naming this (see `Unsettled.acceptedRef`).
   */
  async mark(
    tenant: string,
    supplier: SupplierName,
    operation: string,
    orderNo: string,
    detail: string,
    claimId: string,
    heldElsewhere = false,
    acceptedRef: string | null = null,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO unsettled_submissions (tenant, supplier, operation, order_no, detail, held_elsewhere, accepted_ref)
       VALUES ($1, $2, $3, $4, $5, $7, $8)
       ON CONFLICT (tenant, supplier, operation, order_no) DO UPDATE
         SET detail = EXCLUDED.detail, since = now(), in_flight_until = NULL, claim_id = NULL, held_elsewhere = EXCLUDED.held_elsewhere,
           accepted_ref = EXCLUDED.accepted_ref
         WHERE unsettled_submissions.claim_id = $6`,
      [tenant, supplier, operation, orderNo, detail, claimId, heldElsewhere, acceptedRef],
    );
  }

  /**
   * The supplier said it accepted the order's call, naming `acceptedRef`, and the claim's mark
   * saying so was not written: the order's mark says it now, whoever holds it (a mark nobody holds
   * if there is none). Written late, it never makes the call sendable again.
   */
  async noteAccepted(
    tenant: string,
    supplier: SupplierName,
    operation: string,
    orderNo: string,
    detail: string,
    acceptedRef: string,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO unsettled_submissions (tenant, supplier, operation, order_no, detail, accepted_ref) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (tenant, supplier, operation, order_no) DO UPDATE SET accepted_ref = EXCLUDED.accepted_ref`,
      [tenant, supplier, operation, orderNo, detail, acceptedRef],
    );
  }

  /** The claim, having taken over an earlier call's mark, sends the call again now (a resend the supplier was found not to hold). */
  async resent(tenant: string, supplier: SupplierName, operation: string, orderNo: string, claimId: string): Promise<void> {
    await this.db.query(`UPDATE unsettled_submissions SET sent_at = now() WHERE ${KEY} AND claim_id = $5`, [
      tenant,
      supplier,
      operation,
      orderNo,
      claimId,
    ]);
  }

  /** Nothing new was learned: the taken-over mark goes back as it was (nobody holds it, `since` kept). */
  async restore(tenant: string, supplier: SupplierName, operation: string, orderNo: string, claimId: string): Promise<void> {
    await this.db.query(`UPDATE unsettled_submissions SET in_flight_until = NULL, claim_id = NULL WHERE ${KEY} AND claim_id = $5`, [
      tenant,
      supplier,
      operation,
      orderNo,
      claimId,
    ]);
  }

  /** The claimed call's outcome is known (recorded, refused, or not sent): its mark goes. */
  async settle(tenant: string, supplier: SupplierName, operation: string, orderNo: string, claimId: string): Promise<void> {
    await this.db.query(`DELETE FROM unsettled_submissions WHERE ${KEY} AND claim_id = $5`, [
      tenant,
      supplier,
      operation,
      orderNo,
      claimId,
    ]);
  }

  /** A webhook settled the order: its mark goes, unless a request holds it now (that one records its own outcome). */
  async settleUnheld(tenant: string, supplier: SupplierName, operation: string, orderNo: string): Promise<void> {
    await this.db.query(`DELETE FROM unsettled_submissions WHERE ${KEY} AND (in_flight_until IS NULL OR in_flight_until <= now())`, [
      tenant,
      supplier,
      operation,
      orderNo,
    ]);
  }

  async get(tenant: string, supplier: SupplierName, operation: string, orderNo: string): Promise<Unsettled | null> {
    const rows = await this.db.query<Row>(`SELECT ${MARK} FROM unsettled_submissions WHERE ${KEY}`, [tenant, supplier, operation, orderNo]);
    return rows[0] ? toUnsettled(rows[0]) : null;
  }

  /** Marks of `operation` nobody holds (a lost reply, or a claim whose sender stopped), oldest first, at most `limit`. */
  async unheld(operation: string, limit: number): Promise<Unsettled[]> {
    const rows = await this.db.query<Row>(
      `SELECT ${MARK} FROM unsettled_submissions
       WHERE operation = $1 AND (in_flight_until IS NULL OR in_flight_until <= now()) ORDER BY since LIMIT $2`,
      [operation, limit],
    );
    return rows.map(toUnsettled);
  }

  /**
   * How many marks of the gateway's own calls nobody holds (a lost reply whose outcome nothing has
   * settled yet) there are of each operation; not those of a call the supplier refused as it
   * holds one made elsewhere.
   */
  async unheldCounts(): Promise<Array<{ operation: string; count: number }>> {
    const rows = await this.db.query<{ operation: string; count: number | string }>(
      `SELECT operation, count(*) AS count FROM unsettled_submissions
       WHERE (in_flight_until IS NULL OR in_flight_until <= now()) AND NOT held_elsewhere GROUP BY operation`,
    );
    return rows.map((r) => ({ operation: r.operation, count: Number(r.count) }));
  }

  /** Every tenant's mark on an order (a webhook names no tenant). */
  async byOrder(supplier: SupplierName, operation: string, orderNo: string): Promise<Unsettled[]> {
    return (
      await this.db.query<Row>(`SELECT ${MARK} FROM unsettled_submissions WHERE supplier = $1 AND operation = $2 AND order_no = $3`, [
        supplier,
        operation,
        orderNo,
      ])
    ).map(toUnsettled);
  }

  /** Which of these orders have a mark of `operation`, any tenant. */
  async waitingOrders(operation: string, orderNos: string[]): Promise<Set<string>> {
    if (!orderNos.length) return new Set();
    const rows = await this.db.query<{ order_no: string }>(
      "SELECT DISTINCT order_no FROM unsettled_submissions WHERE operation = $1 AND order_no = ANY($2::text[])",
      [operation, orderNos],
    );
    return new Set(rows.map((r) => r.order_no));
  }
}
