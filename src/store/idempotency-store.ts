/**
 * Idempotency keys (Stripe semantics): per tenant and operation, the first request under a key
 * is recorded with a hash of its input; its response (result or error) is kept for replay.
 */
import type { SqlDb } from "./db.js";

/** IN_PROGRESS while the first request under a key runs (a second one gets REQUEST_IN_PROGRESS); DONE once its response is kept. */
type IdempotencyState = "IN_PROGRESS" | "DONE";

/** A key's first request: the hash of its input (another input under the key is IDEMPOTENCY_KEY_REUSED) and its response. */
export interface IdempotencyRecord {
  requestHash: string;
  state: IdempotencyState;
  response: unknown;
  createdAt: Date;
}

interface Row {
  request_hash: string;
  state: string;
  response: unknown;
  created_at: Date;
}

const KEY = "tenant = $1 AND operation = $2 AND key = $3";

/** Idempotency keys of the mutations that take one (docs/api.md, `idempotencyKey`), per tenant and operation. */
export class IdempotencyStore {
  constructor(private readonly db: SqlDb) {}

  /** Claims the key for a first request; returns null when claimed, else the existing record. */
  async claim(tenant: string, operation: string, key: string, requestHash: string): Promise<IdempotencyRecord | null> {
    const inserted = await this.db.query(
      `INSERT INTO idempotency_keys (tenant, operation, key, request_hash, state) VALUES ($1, $2, $3, $4, 'IN_PROGRESS')
       ON CONFLICT DO NOTHING RETURNING key`,
      [tenant, operation, key, requestHash],
    );
    if (inserted.length) return null;
    const rows = await this.db.query<Row>(`SELECT request_hash, state, response, created_at FROM idempotency_keys WHERE ${KEY}`, [
      tenant,
      operation,
      key,
    ]);
    const r = rows[0];
    if (!r) return this.claim(tenant, operation, key, requestHash); // expired between the two statements
    return {
      requestHash: r.request_hash,
      state: r.state as IdempotencyState,
      response: typeof r.response === "string" ? (JSON.parse(r.response) as unknown) : r.response,
      createdAt: new Date(r.created_at),
    };
  }

  async complete(tenant: string, operation: string, key: string, response: unknown): Promise<void> {
    await this.db.query(`UPDATE idempotency_keys SET state = 'DONE', response = $4, updated_at = now() WHERE ${KEY}`, [
      tenant,
      operation,
      key,
      JSON.stringify(response),
    ]);
  }

  /** Forgets a key whose request failed in a way worth trying again (a gateway bug). */
  async release(tenant: string, operation: string, key: string): Promise<void> {
    await this.db.query(`DELETE FROM idempotency_keys WHERE ${KEY} AND state = 'IN_PROGRESS'`, [tenant, operation, key]);
  }

  /** Deletes keys older than `olderThanMs` (kept at least 24 h). */
  async expire(olderThanMs: number): Promise<number> {
    const rows = await this.db.query(
      "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1::double precision / 1000) RETURNING key",
      [olderThanMs],
    );
    return rows.length;
  }
}
