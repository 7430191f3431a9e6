/**
 * The durable webhook inbox: a raw event is written here before the sender gets its 200, then
 * processed asynchronously. Rows are claimed (SKIP LOCKED) so two instances never process the
 * same row at once; a claim older than `reclaimAfterMs` (a crashed instance) is taken over.
 */
import type { SqlDb } from "./db.js";

/** Where a stored webhook stands. UNKNOWN_VOID: about a void no tenant tracks (kept for operators); FAILED: given up after its tries. */
export type InboxState = "RECEIVED" | "PROCESSING" | "PROCESSED" | "UNKNOWN_VOID" | "IGNORED" | "FAILED";

/** A stored webhook as the processor claims it: the raw payload, never trusted until confirmed with the supplier. */
export interface InboxRow {
  id: string;
  supplier: string;
  eventType: string;
  payload: unknown;
  receivedAt: Date;
  attempts: number;
  /** The W3C traceparent of the intake that stored it; null when tracing was off. */
  traceContext: string | null;
}

interface Row {
  id: string;
  supplier: string;
  event_type: string;
  payload: unknown;
  received_at: Date;
  attempts: number;
  trace_context: string | null;
}

interface PendingInsert {
  supplier: string;
  eventType: string;
  payload: unknown;
  traceContext: string | null;
  claimedBy: string | null;
  resolve: (row: InboxRow) => void;
  reject: (err: unknown) => void;
}

/** Most rows written by one statement. */
const MAX_BATCH = 500;

/** How long a row put back waits before its next try: baseMs, doubling per attempt, at most maxMs. */
const RETRY_BACKOFF = { baseMs: 1000, maxMs: 60_000 };

/**
 * The durable webhook inbox: a webhook is answered 200 only once its row is written, so nothing a
 * supplier was told we accepted is lost (docs/tracking.md). Writes are group-committed; claims use SKIP LOCKED.
 */
export class InboxStore {
  private pending: PendingInsert[] = [];
  private scheduled = false;

  constructor(private readonly db: SqlDb) {}

  /**
   * Stores one webhook and resolves with its row once it is durably written. Inserts arriving
   * together are written by one statement (group commit): the per-statement cost, not the
   * rows, is what limits intake, most of all on the embedded store. `traceContext` is the
   * intake's W3C traceparent when tracing is on.
   *
   * With `claimedBy`, the row is written already claimed by that instance (PROCESSING, its
   * first try counted), as `claim` would leave it: the intake hands it to that instance's
   * processor in memory, which saves the claim statement per batch. If the instance dies before
   * processing it, the row is reclaimed after `reclaimAfterMs` like any claimed row.
   */
  insert(
    supplier: string,
    eventType: string,
    payload: unknown,
    traceContext: string | null = null,
    claimedBy: string | null = null,
  ): Promise<InboxRow> {
    return new Promise((resolve, reject) => {
      this.pending.push({ supplier, eventType, payload, traceContext, claimedBy, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.pending.splice(0, MAX_BATCH);
    if (this.pending.length) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
    }
    if (!batch.length) return;
    try {
      // One JSON array of named rows (issue 17, item 4), inserted in `n` order, so their ids
      // ascend in batch order. trace_context is the intake's traceparent (tracing on) or null;
      // a row with claimed_by is written as claimed (see insert).
      const rows = await this.db.query<{ id: string; received_at: Date }>(
        `INSERT INTO webhook_inbox (supplier, event_type, payload, trace_context, state, claimed_by, claimed_at, attempts)
         SELECT supplier, event_type, payload, trace_context,
                CASE WHEN claimed_by IS NULL THEN 'RECEIVED' ELSE 'PROCESSING' END, claimed_by,
                CASE WHEN claimed_by IS NULL THEN NULL ELSE now() END, CASE WHEN claimed_by IS NULL THEN 0 ELSE 1 END
         FROM jsonb_to_recordset($1::jsonb)
           AS x(n int, supplier text, event_type text, payload jsonb, trace_context text, claimed_by text) ORDER BY n
         RETURNING id::text AS id, received_at`,
        [
          JSON.stringify(
            batch.map((b, n) => ({
              n,
              supplier: b.supplier,
              event_type: b.eventType,
              payload: b.payload,
              trace_context: b.traceContext,
              claimed_by: b.claimedBy,
            })),
          ),
        ],
      );
      const ids = rows.map((r) => BigInt(r.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      if (ids.length !== batch.length) throw new Error(`inbox insert wrote ${ids.length} of ${batch.length} rows`);
      const receivedAt = new Date(rows[0].received_at);
      batch.forEach((b, i) =>
        b.resolve({
          id: String(ids[i]),
          supplier: b.supplier,
          eventType: b.eventType,
          payload: b.payload,
          receivedAt,
          attempts: b.claimedBy === null ? 0 : 1,
          traceContext: b.traceContext,
        }),
      );
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  }

  /**
   * Hands back every row another owner is processing, to be claimed again at once: only for a
   * store with one instance (the embedded one), whose other owners are past runs. Returns how many.
   */
  async unclaimOthers(owner: string): Promise<number> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE webhook_inbox SET state = 'RECEIVED', claimed_by = NULL, claimed_at = NULL
       WHERE state = 'PROCESSING' AND claimed_by IS DISTINCT FROM $1 RETURNING id::text AS id`,
      [owner],
    );
    return rows.length;
  }

  /** Claims up to `limit` unprocessed rows, oldest first. */
  async claim(owner: string, limit: number, reclaimAfterMs: number): Promise<InboxRow[]> {
    const rows = await this.db.query<Row>(
      `UPDATE webhook_inbox SET state = 'PROCESSING', claimed_by = $1, claimed_at = now(), attempts = attempts + 1
       WHERE id IN (
         SELECT id FROM webhook_inbox
         WHERE (state = 'RECEIVED' AND (retry_at IS NULL OR retry_at <= now()))
            OR (state = 'PROCESSING' AND claimed_at < now() - make_interval(secs => $3::double precision / 1000))
         ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id::text AS id, supplier, event_type, payload, received_at, attempts, trace_context`,
      [owner, limit, reclaimAfterMs],
    );
    return rows
      .map((r) => ({
        id: r.id,
        supplier: r.supplier,
        eventType: r.event_type,
        payload: typeof r.payload === "string" ? (JSON.parse(r.payload) as unknown) : r.payload,
        receivedAt: new Date(r.received_at),
        attempts: Number(r.attempts),
        traceContext: r.trace_context ?? null,
      }))
      .sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
  }

  /**
   * Gives back rows claimed and not yet tried (an instance stopping with rows an intake handed it):
   * they are RECEIVED again, their try uncounted, for any instance to claim at once.
   */
  async unclaim(ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    await this.db.query(
      `UPDATE webhook_inbox SET state = 'RECEIVED', claimed_by = NULL, claimed_at = NULL, attempts = greatest(attempts - 1, 0)
       WHERE id = ANY($1::bigint[]) AND state = 'PROCESSING'`,
      [ids],
    );
  }

  /**
   * Ends processing of many rows in one statement. A row put back (RECEIVED) is not claimed
   * again before `min(retryMaxMs, retryBaseMs × 2^(attempts - 1))` has passed, so a supplier
   * outage does not burn its tries at once.
   */
  async finishMany(
    results: Array<{
      id: string;
      state: Exclude<InboxState, "PROCESSING">;
      note: string | null;
      /** A row put back (RECEIVED) to wait for something else, not because it failed: read again after this, the try not counted. */
      waitMs?: number;
      /** The order an UNKNOWN_VOID row's void is on, for `reopenUnknownVoids`. */
      orderNo?: string;
    }>,
    backoff = RETRY_BACKOFF,
  ): Promise<void> {
    if (!results.length) return;
    await this.db.query(
      `UPDATE webhook_inbox AS w SET state = r.state, note = r.note, order_no = coalesce(r.order_no, w.order_no),
         processed_at = CASE WHEN r.state = 'RECEIVED' THEN NULL ELSE now() END, claimed_by = NULL, claimed_at = NULL,
         attempts = CASE WHEN r.wait_ms IS NULL THEN w.attempts ELSE greatest(w.attempts - 1, 0) END,
         retry_at = CASE WHEN r.state <> 'RECEIVED' THEN NULL
           WHEN r.wait_ms IS NOT NULL THEN now() + make_interval(secs => r.wait_ms / 1000)
           ELSE now() + make_interval(secs => least($3::double precision, $2::double precision * power(2, greatest(w.attempts - 1, 0))) / 1000)
           END
       FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, state text, note text, wait_ms float8, order_no text)
       WHERE w.id = r.id`,
      [
        JSON.stringify(results.map((r) => ({ id: r.id, state: r.state, note: r.note, wait_ms: r.waitMs, order_no: r.orderNo }))),
        backoff.baseMs,
        backoff.maxMs,
      ],
    );
  }

  /**
   * Deletes up to `limit` webhooks received more than `olderThanMs` ago and done with (processed,
   * ignored, given up, or kept as naming a void no tenant knew); returns how many. Rows still to
   * be processed are never deleted.
   */
  async expire(olderThanMs: number, limit = 1000): Promise<number> {
    const rows = await this.db.query<{ id: string }>(
      // The state is checked again outside: a row reopened meanwhile (reopenUnknownVoids) is re-read
      // under its new state, and kept. Rows another instance is deleting are skipped, not waited for.
      `DELETE FROM webhook_inbox WHERE state IN ('PROCESSED', 'IGNORED', 'FAILED', 'UNKNOWN_VOID') AND id IN (
         SELECT id FROM webhook_inbox
         WHERE received_at < now() - make_interval(secs => $1::double precision / 1000)
           AND state IN ('PROCESSED', 'IGNORED', 'FAILED', 'UNKNOWN_VOID')
         ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id::text AS id`,
      [olderThanMs, limit],
    );
    return rows.length;
  }

  /**
   * Puts the webhooks kept as naming a void no tenant knew on this order (UNKNOWN_VOID) back to be
   * processed, as new: the order now waits for a void the supplier holds (its submission was
   * refused as already made), and such a webhook may be all the supplier sends of it. Returns
   * how many. Rows kept before migration 14 have no order and are not found.
   */
  async reopenUnknownVoids(supplier: string, orderNo: string): Promise<number> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE webhook_inbox SET state = 'RECEIVED', note = 'read again: its order was marked', processed_at = NULL, retry_at = NULL, attempts = 0
       WHERE state = 'UNKNOWN_VOID' AND supplier = $1 AND order_no = $2
       RETURNING id::text AS id`,
      [supplier, orderNo],
    );
    return rows.length;
  }

  /** Webhooks taken and not yet processed, and how long the oldest has waited (metrics; the open rows' index). */
  async backlog(): Promise<{ count: number; oldestSeconds: number }> {
    const rows = await this.db.query<{ n: string; age: number | null }>(
      "SELECT count(*)::text AS n, extract(epoch FROM now() - min(received_at))::float8 AS age FROM webhook_inbox WHERE state IN ('RECEIVED', 'PROCESSING')",
    );
    return { count: Number(rows[0]?.n ?? 0), oldestSeconds: Math.max(0, Number(rows[0]?.age ?? 0)) };
  }

  /** Rows by state, for tests, metrics and operators. */
  async countByState(): Promise<Record<string, number>> {
    const rows = await this.db.query<{ state: string; n: string }>("SELECT state, count(*)::text AS n FROM webhook_inbox GROUP BY state");
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }
}
