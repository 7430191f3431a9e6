/**
 * Store writes that follow a supplier call that changed, or may have changed, supplier state:
 * a void submitted, a stop requested, a cancel, and the answer kept under an idempotency key.
 * Failing there with SERVICE_UNAVAILABLE would tell the client to retry a call the supplier may
 * already have acted on, and with nothing recorded the retry would be sent again. So such a
 * write is tried three times, 200 and 400 ms apart, and when it still fails the caller answers
 * what the supplier did, the failure logged.
 */
import type { Logger } from "../logger.js";
import { refusedForGood } from "../store/errors.js";
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
      // A statement the store refuses for what it holds is refused again: no point waiting.
      if (attempt >= TRIES || refusedForGood(err)) {
        log.error({ ...context, err: String(err) }, what);
        return { ok: false };
      }
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

/**
 * Writes a client was already answered without: what a supplier accepted while the store failed
 * (a void whose code only this process knows). Each is tried again in the background, 1 s after
 * the last failure and doubling up to 30 s, until it succeeds or the process stops; then it is
 * logged as given up (black-box probe: a void accepted during a 30 s store outage was never
 * recorded, and nothing followed it).
 */
export class LaterWrites {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly waiting = new Map<number, { what: string; context: Record<string, unknown>; trying: boolean }>();
  private next = 0;
  private closed = false;

  constructor(
    private readonly log: Logger,
    private readonly backoff = { firstMs: 1000, maxMs: 30_000 },
  ) {}

  /** How many writes wait for the store (metrics, tests). */
  get pending(): number {
    return this.waiting.size;
  }

  /**
   * Tries `write` again later until it succeeds; logs `what` (with `context`) when it does. With
   * `giveUpAfterMs`, a write still failing that long after it was added is given up (logged): one
   * that would be wrong later (it could overwrite what came after it). A write the store refuses
   * for what it holds (../store/errors.ts `refusedForGood`) is given up at once: it is no outage.
   */
  add(write: () => Promise<unknown>, what: string, context: Record<string, unknown>, giveUpAfterMs = Infinity): void {
    if (this.closed) return void this.log.error(context, `${what}: given up, the gateway is stopping`);
    const id = this.next++;
    const entry = { what, context, trying: false };
    this.waiting.set(id, entry);
    const giveUpAt = Date.now() + giveUpAfterMs;
    const attempt = (delayMs: number) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (Date.now() > giveUpAt) {
          this.waiting.delete(id);
          return void this.log.error(context, `${what}: given up, the store failed for too long`);
        }
        entry.trying = true;
        write().then(
          () => {
            this.waiting.delete(id);
            this.log.warn(context, `${what}: recorded now that the store takes writes again`);
          },
          (err: unknown) => {
            entry.trying = false;
            if (this.closed) {
              // Closed while this try was under way: it was left to end, and it failed.
              this.waiting.delete(id);
              return void this.log.error({ ...context, err: String(err) }, `${what}: given up, the gateway is stopping`);
            }
            if (refusedForGood(err)) {
              // Not an outage: the store answered, and will answer the same every time.
              this.waiting.delete(id);
              return void this.log.error({ ...context, err: String(err) }, `${what}: given up, the store refuses it`);
            }
            this.log.warn({ ...context, err: String(err) }, `${what}: the store still fails; trying again`);
            attempt(Math.min(this.backoff.maxMs, delayMs * 2));
          },
        );
      }, delayMs);
      timer.unref();
      this.timers.add(timer);
    };
    attempt(this.backoff.firstMs);
  }

  /** Stops trying; what waits for its next try is logged as given up; a try under way is left to end (and logged as it ends). */
  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const [id, { what, context, trying }] of this.waiting) {
      if (trying) continue;
      this.log.error(context, `${what}: given up, the gateway is stopping`);
      this.waiting.delete(id);
    }
  }
}

/** The answer for a record the supplier accepted but the store did not take: shaped as recorded, stored nowhere. */
export function unrecorded<D>(
  key: RecordKey,
  orderNo: string,
  data: D,
  state: { status: string; isFinal: boolean; notBefore?: Date | null; sentAt?: Date },
): TrackedRecord<D> {
  const now = new Date();
  return {
    ...key,
    orderNo,
    status: state.status,
    isFinal: state.isFinal,
    data,
    startedAt: state.sentAt ?? now,
    updatedAt: now,
    finalAt: null,
    notBefore: state.notBefore ?? null,
    nextCheckAt: null,
    checkAttempt: 0,
    watchedUntil: null,
    lastCheckedAt: null,
    checkFailure: null,
    unrecorded: true,
  };
}
