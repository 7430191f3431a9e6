/**
 * Idempotency keys on mutations that change supplier state (Stripe semantics): the first
 * response under a key — success or supplier error — is stored and returned again for a
 * repeat with the same input; the same key with different input is IDEMPOTENCY_KEY_REUSED;
 * while the first is still running, REQUEST_IN_PROGRESS. Keys are kept at least 24 hours.
 *
 * An answer that tells the client to try again (`retryable`), or one given before anything
 * was sent (`NOT_KEPT`), is not stored: the key is released, so trying again with it really
 * tries again rather than replaying "try again" for a day. Input that differs only by an
 * explicit null, "" or [] where a field was left out is the same input.
 */
import { createHash } from "node:crypto";
import { GatewayError, type ErrorCode } from "../vocabulary/errors.js";
import type { Logger } from "../logger.js";
import type { IdempotencyStore } from "../store/idempotency-store.js";
import { LaterWrites, writeAfterSend } from "./after-send.js";
import { InFlight } from "./in-flight.js";

/** A first request that has run this long without finishing most likely died with its instance. */
const ABANDONED_AFTER_MS = 5 * 60_000;
/**
 * How long an answer (or release) the store did not take is tried again: well within the 24 hours
 * a key is kept, so a late write never lands on a newer claim of the same key after it expired.
 */
const WRITE_LATER_FOR_MS = 12 * 60 * 60_000;
/** The longest wait REQUEST_IN_PROGRESS suggests for a key: about one supplier call. */
const RETRY_AFTER_MAX_S = 10;

interface StoredError {
  code: ErrorCode;
  message: string;
  extensions: Record<string, unknown>;
}
type StoredResponse = { ok: unknown } | { error: StoredError };

/** A state-changing request that arrives while the gateway stops: sent nowhere, to be sent again (to another instance). */
const SHUTTING_DOWN = () =>
  new GatewayError("SERVICE_UNAVAILABLE", "The gateway is shutting down; nothing was sent: send the request again", { retryable: true });

/** Answers given before any supplier call, which a repeat may not get (the caller's scopes, the configuration). */
const NOT_KEPT: ReadonlySet<ErrorCode> = new Set(["BAD_USER_INPUT", "UNSUPPORTED_OPERATION", "SERVICE_UNAVAILABLE"]);

/**
 * How an input was hashed: `current` leaves out the key itself and every field that sends the
 * supplier nothing (null, absent, "" or []: CTT gets "" for a missing reason or passenger
 * list either way); the earlier forms, kept so that a key stored under them still matches its
 * repeat (keys live 24 hours, so they can go one deploy after): `emptiesKept` (2026-12-05 to
 * 2026-12-06: "" and [] counted as given) and `nullsKept` (before 2026-12-05: an explicit null
 * counted too).
 */
type HashForm = "current" | "emptiesKept" | "nullsKept";
const HASH_FORMS: readonly HashForm[] = ["current", "emptiesKept", "nullsKept"];

const KEPT: Record<HashForm, (x: unknown) => boolean> = {
  current: (x) => x != null && x !== "" && !(Array.isArray(x) && x.length === 0),
  emptiesKept: (x) => x != null,
  nullsKept: (x) => x !== undefined,
};

/** Canonical JSON (sorted keys) of the input in one `HashForm`, hashed with the operation. */
export function requestHash(operation: string, input: Record<string, unknown>, form: HashForm = "current"): string {
  const kept = KEPT[form];
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v !== null && typeof v === "object") {
      return Object.fromEntries(
        Object.keys(v)
          .filter((k) => k !== "idempotencyKey" && kept((v as Record<string, unknown>)[k]))
          .sort()
          .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return createHash("sha256")
    .update(`${operation}\n${JSON.stringify(canonical(input))}`)
    .digest("hex");
}

/** An error replayed from storage: the same code, message and extensions as the first time. */
class ReplayedError extends GatewayError {
  constructor(private readonly stored: StoredError) {
    super(stored.code, stored.message);
  }
  override extensions(): Record<string, unknown> {
    return { ...this.stored.extensions, code: this.stored.code };
  }
}

export class Idempotency {
  /** Every run, keyed or not: each state-changing mutation goes through `run`, so a shutdown waits for these (./in-flight.ts). */
  readonly inFlight = new InFlight();

  constructor(
    private readonly store: IdempotencyStore,
    private readonly log: Logger,
    /** Where an answer or a release the store did not take goes to be written once it does. */
    private readonly later: LaterWrites = new LaterWrites(log),
  ) {}

  run<T>(
    tenant: string,
    operation: string,
    key: string | null | undefined,
    input: Record<string, unknown>,
    fn: () => Promise<T>,
    /**
     * The input as the client gave it, when `input` leaves out fields the supplier is not sent
     * (cancelOrder): a key stored before 2026-12-06, when every given field was hashed, still
     * matches its repeat.
     */
    asGiven?: Record<string, unknown>,
  ): Promise<T> {
    // Shutting down: nothing is sent that the stop could cut off; the key stays free (not kept).
    if (this.inFlight.closed) return Promise.reject(SHUTTING_DOWN());
    return this.inFlight.track(
      (async () => {
        if (!key) return fn();
        const hash = requestHash(operation, input);
        const existing = await this.store.claim(tenant, operation, key, hash);
        if (existing) {
          const earlier = [input, ...(asGiven ? [asGiven] : [])].flatMap((i) => HASH_FORMS.map((f) => requestHash(operation, i, f)));
          return this.replay(existing, [hash, ...earlier], key);
        }
        let result: T;
        try {
          result = await fn();
        } catch (err) {
          const extensions = err instanceof GatewayError ? err.extensions() : undefined;
          if (err instanceof GatewayError && extensions?.retryable !== true && !NOT_KEPT.has(err.code)) {
            await this.complete(tenant, operation, key, { error: { code: err.code, message: err.message, extensions: extensions ?? {} } });
          } else {
            // "Try again", an answer given before anything was sent, or a gateway bug: the same key may try again.
            await this.release(tenant, operation, key);
          }
          throw err;
        }
        await this.complete(tenant, operation, key, { ok: JSON.parse(JSON.stringify(result)) as unknown });
        return result;
      })(),
    );
  }

  /**
   * Stores the answer. The supplier may have acted by now, so a store failure does not replace
   * the answer (./after-send.ts): the answer is stored once the store takes writes again
   * (LaterWrites), and until then a repeat with the key gets REQUEST_IN_PROGRESS, never a resend
   * (black-box probe: the answer was never stored, and the repeat got REQUEST_IN_PROGRESS for 5
   * minutes, then SUPPLIER_OUTCOME_UNKNOWN, for a void recorded meanwhile). If this process stops
   * first, the repeat gets SUPPLIER_OUTCOME_UNKNOWN after ABANDONED_AFTER_MS.
   */
  private async complete(tenant: string, operation: string, key: string, response: StoredResponse): Promise<void> {
    await this.writeOrLater(() => this.store.complete(tenant, operation, key, response), "idempotency key's answer not stored", operation);
  }

  /** Frees the key, now or once the store takes writes again (until then a repeat gets REQUEST_IN_PROGRESS). */
  private async release(tenant: string, operation: string, key: string): Promise<void> {
    await this.writeOrLater(() => this.store.release(tenant, operation, key), "idempotency key not released", operation);
  }

  private async writeOrLater(write: () => Promise<void>, what: string, operation: string): Promise<void> {
    const written = await writeAfterSend(write, this.log, what, { operation });
    if (!written.ok) this.later.add(write, what, { operation }, WRITE_LATER_FOR_MS);
  }

  private replay<T>(
    existing: { requestHash: string; state: string; response: unknown; createdAt: Date },
    hashes: string[],
    key: string,
  ): T {
    if (!hashes.includes(existing.requestHash)) {
      throw new GatewayError("IDEMPOTENCY_KEY_REUSED", `idempotencyKey "${key}" was used with a different input`, { idempotencyKey: key });
    }
    if (existing.state === "IN_PROGRESS") {
      if (Date.now() - existing.createdAt.getTime() > ABANDONED_AFTER_MS) {
        throw new GatewayError(
          "SUPPLIER_OUTCOME_UNKNOWN",
          `The first request with idempotencyKey "${key}" never finished; its outcome is unknown`,
          {
            idempotencyKey: key,
            retryable: false,
            hint: "Query the order's state before trying again with a new key.",
          },
        );
      }
      // When to ask again: a running request ends within its supplier call's timeout; one that
      // died with its instance is called abandoned at ABANDONED_AFTER_MS (black-box probe: no hint for 5 minutes).
      const untilAbandoned = ABANDONED_AFTER_MS - (Date.now() - existing.createdAt.getTime());
      throw new GatewayError("REQUEST_IN_PROGRESS", `A request with idempotencyKey "${key}" is still running`, {
        idempotencyKey: key,
        retryable: true,
        retryAfterSeconds: Math.max(1, Math.min(RETRY_AFTER_MAX_S, Math.ceil(untilAbandoned / 1000))),
      });
    }
    const r = existing.response as StoredResponse;
    if ("error" in r) throw new ReplayedError(r.error);
    return r.ok as T;
  }
}
