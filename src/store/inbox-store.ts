/**
 * The durable webhook inbox: a raw event is written here before the sender gets its 200, then
 * processed asynchronously. Rows are claimed (SKIP LOCKED) so two instances never process the
 * same row at once; a claim older than `reclaimAfterMs` (a crashed instance) is taken over.
 */
import type { SqlDb } from "./sql.js";

export type InboxState = "RECEIVED" | "PROCESSING" | "PROCESSED" | "UNKNOWN_VOID" | "IGNORED" | "FAILED";

export interface InboxRow {
  id: string;
  supplier: string;
  eventType: string;
  payload: unknown;
  receivedAt: Date;
  attempts: number;
}

interface Row {
  id: string;
  supplier: string;
  event_type: string;
  payload: unknown;
  received_at: Date;
  attempts: number;
}

export class InboxStore {
  constructor(private readonly db: SqlDb) {}

  async insert(supplier: string, eventType: string, payload: unknown): Promise<string> {
    const rows = await this.db.query<{ id: string }>("INSERT INTO webhook_inbox (supplier, event_type, payload) VALUES ($1, $2, $3) RETURNING id::text AS id", [
      supplier,
      eventType,
      JSON.stringify(payload),
    ]);
    return rows[0].id;
  }

  /** Claims up to `limit` unprocessed rows, oldest first. */
  async claim(owner: string, limit: number, reclaimAfterMs: number): Promise<InboxRow[]> {
    const rows = await this.db.query<Row>(
      `UPDATE webhook_inbox SET state = 'PROCESSING', claimed_by = $1, claimed_at = now(), attempts = attempts + 1
       WHERE id IN (
         SELECT id FROM webhook_inbox
         WHERE state = 'RECEIVED'
            OR (state = 'PROCESSING' AND claimed_at < now() - make_interval(secs => $3::double precision / 1000))
         ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id::text AS id, supplier, event_type, payload, received_at, attempts`,
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
      }))
      .sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
  }

  /** Ends processing of a row. RECEIVED puts it back for another try. */
  async finish(id: string, state: Exclude<InboxState, "PROCESSING">, note: string | null = null): Promise<void> {
    await this.db.query(
      `UPDATE webhook_inbox SET state = $2, note = $3, processed_at = CASE WHEN $2 = 'RECEIVED' THEN NULL ELSE now() END,
         claimed_by = NULL, claimed_at = NULL WHERE id = $1::bigint`,
      [id, state, note],
    );
  }

  /** Rows by state, for tests, metrics and operators. */
  async countByState(): Promise<Record<string, number>> {
    const rows = await this.db.query<{ state: string; n: string }>("SELECT state, count(*)::text AS n FROM webhook_inbox GROUP BY state");
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }
}
