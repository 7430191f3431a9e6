/**
 * Store writes that follow a supplier call that changed, or may have changed, supplier state:
 * a void submitted, a stop requested, a cancel, and the answer kept under an idempotency key.
 * Failing there with SERVICE_UNAVAILABLE would tell the client to retry a call the supplier may
 * already have acted on, and with nothing recorded the retry would be sent again. So such a
 * write is tried three times, 200 and 400 ms apart, and when it still fails the caller answers
 * what the supplier did, the failure logged.
 */
import type { Logger } from "../logger.js";
import type { RecordKey, TrackedRecord } from "../store/tracked-model.js";

const TRIES = 3;

/** What `write` returned, or `{ ok: false }` when it failed three times (logged as `what`, with `context`). */
export async function writeAfterSend<T>(
  write: () => Promise<T>,
  log: Logger,
  what: string,
  context: Record<string, unknown>,
): Promise<{ ok: true; value: T } | { ok: false }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { ok: true, value: await write() };
    } catch (err) {
      if (attempt >= TRIES) {
        log.error({ ...context, err: String(err) }, what);
        return { ok: false };
      }
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

/** The answer for a record the supplier accepted but the store did not take: shaped as recorded, stored nowhere. */
export function unrecorded<D>(
  key: RecordKey,
  orderNo: string,
  data: D,
  state: { status: string; isFinal: boolean; notBefore?: Date | null },
): TrackedRecord<D> {
  const now = new Date();
  return {
    ...key,
    orderNo,
    status: state.status,
    isFinal: state.isFinal,
    data,
    startedAt: now,
    updatedAt: now,
    finalAt: null,
    notBefore: state.notBefore ?? null,
    nextCheckAt: null,
    checkAttempt: 0,
    watchedUntil: null,
    lastCheckedAt: null,
    checkFailure: null,
  };
}
