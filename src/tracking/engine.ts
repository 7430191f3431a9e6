/**
 * The tracking engine for one kind of record (issue 11). Producers — the request that
 * started a record, supplier webhooks (confirmed by asking the supplier), the scheduled
 * checks and `refresh` queries — hand it supplier reports; it applies the one rule
 * (src/tracking/rule.ts) and records each change as a compare-and-set plus an event in one
 * statement, batched or not. Concurrent asks for one record through one supplier account share
 * one supplier call, made with the asking tenant's account (hardening issue, item 4). Every
 * committed change is announced through `recorded`, which wakes delivery (src/tracking/feed.ts);
 * subscribers are served from the event log, never from this announcement.
 *
 * With tracing on (src/telemetry/spans.ts): each transition is a `tracked.transition` span whose
 * traceparent is logged with its event; a webhook confirmation is a `webhook.confirm` span
 * continuing the intake's trace; a scheduled run that found work is a `tracked.poll` span. A
 * supplier question runs in the context of whoever asked first, even when coalesced.
 */
import type { CallScope } from "../../datasources/deadline.js";
import { isNotKnown, type NotKnown } from "../../datasources/ports.js";
import type { SupplierName } from "../vocabulary/suppliers.js";
import type { Logger } from "../logger.js";
import { GatewayError, SupplierError } from "../vocabulary/errors.js";
import { refusedForGood } from "../store/errors.js";
import {
  refKey,
  type CheckError,
  type FailedCheck,
  type NewRecord,
  type RecordKey,
  type SourceName,
  type Started,
  type TrackedEvent,
  type TrackedRecord,
} from "../store/tracked-model.js";
import {
  captureParent,
  confirmSpan,
  pollSpan,
  runUnder,
  tracingOn,
  transitionSpans,
  type OwnSpan,
  type SpanParent,
} from "../telemetry/spans.js";
import type { TrackedKind } from "./kind.js";
import type { RecordStore } from "./ports.js";
import { decide } from "./rule.js";
import { pollDelayMs } from "./schedule.js";

/** What an engine runs on: its kind, the store's records (or a fake of them), and where committed events go. */
export interface TrackerDeps<D> {
  kind: TrackedKind<D>;
  records: RecordStore;
  log: Logger;
  /** The events of every committed change, as soon as it is committed. */
  recorded: (events: TrackedEvent[]) => void;
}

/** What applying one report did. */
export interface Applied<D> {
  outcome: "moved" | "touched" | "ignored";
  /** The record as it stands afterwards, as far as this instance knows. */
  record: TrackedRecord<D>;
}

/** A record `refresh` may adopt: its order, and when it was submitted through the gateway (false: elsewhere). */
export interface Adoption {
  orderNo: string;
  started: Started;
}

/** Most changes written by one statement: each chunk is announced as soon as it commits. */
const CHUNK = 32;
/** How often a change someone else got to first is decided again from the record as it now stands. */
const ROUNDS = 5;

/** The key of a record (its kind, tenant, supplier and reference), without the rest. */
export const keyOf = (r: RecordKey): RecordKey => ({ kind: r.kind, tenant: r.tenant, supplier: r.supplier, ref: r.ref });
const isWatched = (r: TrackedRecord<unknown>) => r.watchedUntil !== null && r.watchedUntil.getTime() > Date.now();

/** A check the supplier answered with "no such record", in its own code and words when it gave them. */
function notKnownFailure(supplier: SupplierName, ref: string, said: NotKnown): CheckError {
  const words = said.supplierMessage ? `: ${said.supplierCode ? `${said.supplierCode} ` : ""}"${said.supplierMessage}"` : "";
  return { code: "ORDER_NOT_FOUND", message: `${supplier} does not know ${ref}${words}`, supplierCode: said.supplierCode };
}

/** A failed check as its record's clients see it: a gateway error as the API would show it, anything else as internal. */
function checkError(err: unknown): CheckError {
  if (err instanceof SupplierError) return { code: err.code, message: err.message, supplierCode: err.supplierCode ?? null };
  if (err instanceof GatewayError) return { code: err.code, message: err.message, supplierCode: null };
  return { code: "INTERNAL_SERVER_ERROR", message: "the check failed on the gateway's side", supplierCode: null };
}

/** A check whose answer the store refused to keep (`applyApart`): the record's clients see that much. */
const REPORT_NOT_STORED: CheckError = {
  code: "INTERNAL_SERVER_ERROR",
  message: "the supplier's answer could not be stored; it is asked again later",
  supplierCode: null,
};

/** Runs `fn` over `items`, at most `concurrency` at a time. */
async function eachLimited<T>(items: T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * The tracking engine of one kind (issue 11): starts records, applies supplier reports through the one
 * transition rule (./rule.ts), confirms webhooks, polls due records under leases, and coalesces asks for
 * one record through one account into one supplier call.
 */
export class Tracker<D> {
  /** Supplier calls in flight, by account and reference, each numbered: later asks for the same share them. */
  private readonly inFlight = new Map<string, { seq: number; call: Promise<D | NotKnown> }>();
  /** How many calls were started: an ask that must be answered from after it began joins only a later one. */
  private started = 0;
  /** Supplier questions asked (one per coalesced ask), for tests and metrics. */
  supplierCalls = 0;

  constructor(private readonly deps: TrackerDeps<D>) {}

  get kind(): TrackedKind<D> {
    return this.deps.kind;
  }

  /** The account a tenant's asks go to: asks through one account for one record share a call. */
  private accountOf(tenant: string, supplier: SupplierName): string {
    return this.deps.kind.accountOf?.(tenant, supplier) ?? "";
  }

  /**
   * Asks the supplier about a record, with the tenant's account (as `answer`); null when the
   * supplier does not know it. `fresh`: answered by a call sent after this ask began.
   */
  async ask(tenant: string, supplier: SupplierName, ref: string, scope?: CallScope, fresh = false): Promise<D | null> {
    const answer = await this.answer(tenant, supplier, ref, scope, fresh ? this.started : undefined);
    return isNotKnown(answer) ? null : answer;
  }

  /**
   * The supplier's answer about a record, with the tenant's account: its report, or what it
   * said when it does not know the record. Asks for the same record through the same account
   * while a call is in flight share it (the first ask's `scope` names the request the call serves)
   * — except that an ask with `after` (the count of calls started when it began) shares only a
   * call started after that: a webhook's confirmation must not take an answer the supplier gave
   * before the change the webhook announces (black-box probe: a poll's query in flight when
   * the supplier's webhook arrived "confirmed" it, and the status it announced was never recorded). It
   * waits for an older call to end, then asks again. (A refresh shares any call in flight: its
   * answer is at most that call's age.)
   */
  private async answer(tenant: string, supplier: SupplierName, ref: string, scope?: CallScope, after?: number): Promise<D | NotKnown> {
    const key = `${supplier}\u0000${this.accountOf(tenant, supplier)}\u0000${ref}`;
    let entry = this.inFlight.get(key);
    while (entry && after !== undefined && entry.seq <= after) {
      await entry.call.catch(() => undefined);
      entry = this.inFlight.get(key);
    }
    if (!entry) {
      this.supplierCalls += 1;
      // Tracing on: the supplier call runs in the context of the first ask.
      const parent = captureParent();
      const call = Promise.resolve()
        .then(() => runUnder(parent, () => this.deps.kind.ask(tenant, supplier, ref, scope)))
        .finally(() => this.inFlight.delete(key));
      entry = { seq: ++this.started, call };
      this.inFlight.set(key, entry);
    }
    return entry.call;
  }

  key(tenant: string, supplier: SupplierName, ref: string): RecordKey {
    return { kind: this.deps.kind.name, tenant, supplier, ref };
  }

  get(tenant: string, supplier: SupplierName, ref: string): Promise<TrackedRecord<D> | null> {
    return this.deps.records.get<D>(this.key(tenant, supplier, ref));
  }

  /**
   * An open record's request sent again: `report` stored, its first check `notBeforeInMs` from
   * now, unless the record was written since it was read as `record` (TrackedStore.resent).
   */
  resent(record: TrackedRecord<D>, report: D, notBeforeInMs: number): Promise<TrackedRecord<D> | null> {
    return this.deps.records.resent<D>(keyOf(record), record.status, report, notBeforeInMs, record.updatedAt);
  }

  byOrder(tenant: string, orderNo: string): Promise<Array<TrackedRecord<D>>> {
    return this.deps.records.byOrder<D>(this.deps.kind.name, tenant, orderNo);
  }

  /**
   * Starts tracking a record from its first report, with its first event. Null when another
   * tenant owns the record; the existing record (and no new event) when this tenant has it.
   * `asOfEventId`: the first event's id, when this call wrote it (the record as it stood then).
   */
  async start(
    tenant: string,
    supplier: SupplierName,
    ref: string,
    orderNo: string,
    report: D,
    opts: { source: SourceName; started: Started; notBeforeInMs?: number },
  ): Promise<(TrackedRecord<D> & { asOfEventId?: string }) | null> {
    const { kind } = this.deps;
    const status = kind.statusOf(report);
    const spans = transitionSpans([{ kind: kind.name, tenant, supplier, ref, from: null, to: status, source: opts.source }]);
    const insert = (n: NewRecord<D>) => runUnder(spans?.parent, () => this.deps.records.insert<D>(n));
    const res = await insert({
      key: this.key(tenant, supplier, ref),
      orderNo,
      status,
      isFinal: kind.isFinal(status),
      data: report,
      source: opts.source,
      message: kind.messageOf(report),
      started: opts.started,
      // A record that may not be checked before a time (a stop's checkAfter) is first checked
      // then, not one poll interval later (issue 21, item 5).
      firstCheckInMs: opts.notBeforeInMs ?? pollDelayMs(kind.policy, 0, false),
      notBeforeInMs: opts.notBeforeInMs,
      traceContext: spans?.traceparent(0),
    }).then(
      (r) => {
        spans?.end([Boolean(r?.event)]);
        return r;
      },
      (err: unknown) => {
        spans?.end([false]);
        throw err;
      },
    );
    if (!res) return null;
    const event = res.event;
    if (!event) return res.record;
    runUnder(spans?.parent, () => this.deps.recorded([event]));
    return { ...res.record, asOfEventId: event.id };
  }

  /**
   * Asks the supplier first, then applies its answer. A record this tenant does not have is
   * adopted (a QUERY event) when `adoptAs` gives it an order number (and when it was submitted:
   * `started`) and nobody else owns it. `adoptAs` is asked whatever the supplier said (null: it
   * does not know the reference), so that an unknown reference and one that may not be adopted
   * cost the same (hardening issue, item 4: response timing told which void codes exist).
   */
  async refresh(
    tenant: string,
    supplier: SupplierName,
    ref: string,
    adoptAs?: (report: D | null) => Promise<Adoption | null>,
    scope?: CallScope,
  ): Promise<TrackedRecord<D> | null> {
    const report = await this.ask(tenant, supplier, ref, scope);
    const record = await this.get(tenant, supplier, ref);
    if (record) return (await this.apply([{ record, report }], "QUERY"))[0].record;
    if (!adoptAs) return null;
    const adoption = await adoptAs(report);
    if (report === null || adoption === null) return null;
    return this.start(tenant, supplier, ref, adoption.orderNo, report, { source: "QUERY", started: adoption.started });
  }

  /**
   * Applies supplier reports to records (distinct keys): a forward change becomes an event
   * (once, whoever races), the same status stores the newer report, anything else changes
   * nothing. Same-status reports are written by one statement, changes by one statement per
   * chunk; a change or a report someone else got ahead of is decided again from the record as
   * it now stands. One report or many: the same rule, the same statements.
   */
  async apply(
    items: Array<{ record: TrackedRecord<D>; report: D | null; trace?: SpanParent }>,
    source: SourceName,
  ): Promise<Array<Applied<D>>> {
    const { kind, records } = this.deps;
    const out: Array<Applied<D>> = items.map((it) => ({ outcome: "ignored", record: it.record }));
    let pending = items.map((it, i) => ({ i, record: it.record, report: it.report, trace: it.trace }));
    for (let round = 0; pending.length && round < ROUNDS; round++) {
      const touches: typeof pending = [];
      const moves: typeof pending = [];
      for (const p of pending) {
        const d = decide(kind, p.record, p.report);
        if (d === "touch") touches.push(p);
        else if (d === "move") moves.push(p);
      }
      const stored = (p: (typeof pending)[number]) => (kind.merge ? kind.merge(p.record.data, p.report as D) : (p.report as D));
      // A webhook the supplier's answer does not bear out yet (its query may lag what it sent):
      // the record's schedule restarts, so a poll looks again soon instead of after the backoff.
      const restart = source === "WEBHOOK";
      const touched = await records.touchMany(
        touches.map((p) => ({
          key: keyOf(p.record),
          status: p.record.status,
          data: stored(p),
          // Merged onto the record as read: written only if nothing was written since.
          seenUpdatedAt: p.record.updatedAt,
          ...(restart ? { nextCheckInMs: pollDelayMs(kind.policy, 0, isWatched(p.record)) } : {}),
        })),
      );
      // As stored: the answer's time is the record's `updatedAt` and `lastCheckedAt` (a refresh
      // answers with them). One whose status moved meanwhile was not written: decided again below.
      const lost: typeof pending = [];
      touches.forEach((p, j) => {
        const record = touched[j];
        if (record) out[p.i] = { outcome: "touched", record };
        else lost.push(p);
      });
      for (let start = 0; start < moves.length; start += CHUNK) {
        const chunk = moves.slice(start, start + CHUNK);
        const spans = tracingOn()
          ? transitionSpans(
              chunk.map((p) => ({
                parent: p.trace,
                kind: kind.name,
                tenant: p.record.tenant,
                supplier: p.record.supplier,
                ref: p.record.ref,
                from: p.record.status,
                to: kind.statusOf(p.report as D),
                source,
              })),
            )
          : undefined;
        const transitions = chunk.map((p, j) => {
          const status = kind.statusOf(p.report as D);
          return {
            key: keyOf(p.record),
            from: p.record.status,
            status,
            isFinal: kind.isFinal(status),
            data: stored(p),
            source,
            message: kind.messageOf(p.report as D),
            nextCheckInMs: pollDelayMs(kind.policy, 0, isWatched(p.record)),
            traceContext: spans?.traceparent(j),
          };
        });
        const results = await runUnder(spans?.parent, () => records.transitionMany<D>(transitions)).then(
          (r) => {
            spans?.end(r.map(Boolean));
            return r;
          },
          (err: unknown) => {
            spans?.end(chunk.map(() => false));
            throw err;
          },
        );
        const events: Array<TrackedEvent<D>> = [];
        results.forEach((r, j) => {
          if (!r) return lost.push(chunk[j]);
          out[chunk[j].i] = { outcome: "moved", record: r.record };
          events.push(r.event);
        });
        if (events.length) runUnder(spans?.parent, () => this.deps.recorded(events));
      }
      if (!lost.length) break;
      const again = await Promise.all(lost.map(async (p) => ({ ...p, record: await records.get<D>(keyOf(p.record)) })));
      pending = [];
      for (const p of again) {
        if (!p.record) continue;
        out[p.i] = { outcome: "ignored", record: p.record };
        pending.push({ ...p, record: p.record });
      }
    }
    return out;
  }

  /**
   * Webhooks said these records (by supplier reference, across tenants) changed: asks each
   * supplier once per reference and account with an open record — each record is confirmed
   * through its own tenant's account — side by side, and applies the answers. Returns the
   * error of each reference (by `supplier:ref`) that could not be confirmed. A record before its
   * notBefore is left to its schedule.
   */
  async confirm(
    targets: Array<{ supplier: SupplierName; ref: string; records: Array<TrackedRecord<D>>; traces?: Array<string | null> }>,
    concurrency = 16,
  ): Promise<Map<string, unknown>> {
    const failed = new Map<string, unknown>();
    const unanswered: FailedCheck[] = [];
    const items: Array<{ record: TrackedRecord<D>; report: D | null; trace?: SpanParent }> = [];
    const asks: Array<{
      supplier: SupplierName;
      ref: string;
      tenant: string;
      records: Array<TrackedRecord<D>>;
      traces: Array<string | null>;
    }> = [];
    const now = Date.now();
    for (const t of targets) {
      const byAccount = new Map<string, (typeof asks)[number]>();
      for (const record of t.records) {
        if (record.isFinal) continue;
        // Not before the supplier's documented time to know (a stop's checkAfter, seed 000:
        // "after 8 minutes"): its schedule checks it then, and nothing earlier is taken as an answer.
        if (record.notBefore && record.notBefore.getTime() > now) continue;
        const account = this.accountOf(record.tenant, t.supplier);
        const ask = byAccount.get(account);
        if (ask) ask.records.push(record);
        else byAccount.set(account, { supplier: t.supplier, ref: t.ref, tenant: record.tenant, records: [record], traces: t.traces ?? [] });
      }
      asks.push(...byAccount.values());
    }
    // Tracing on: one span per supplier question, continuing the webhooks' intake traces.
    const spans: OwnSpan[] = [];
    await eachLimited(asks, concurrency, async (a) => {
      const span = tracingOn()
        ? confirmSpan(
            this.deps.kind.name,
            a.supplier,
            a.ref,
            a.records.map((r) => r.tenant),
            a.traces,
          )
        : undefined;
      if (span) spans.push(span);
      try {
        const report = await runUnder(span?.parent, () => this.ask(a.tenant, a.supplier, a.ref, undefined, true));
        for (const record of a.records) items.push({ record, report, trace: span?.parent });
      } catch (err) {
        failed.set(refKey(a.supplier, a.ref), err);
        span?.fail(err);
        const notSent = err instanceof SupplierError && err.notSent;
        for (const record of a.records)
          unanswered.push({ key: keyOf(record), failure: checkError(err), seenUpdatedAt: record.updatedAt, notSent });
      }
    });
    // Shown at once (tracking.failure), not only once the webhook's retries are spent and a poll fails too.
    await this.deps.records.noteFailures(unanswered).catch((err: unknown) => {
      this.deps.log.warn({ err: String(err), kind: this.deps.kind.name }, "a failed webhook confirmation could not be recorded");
    });
    try {
      const { refused } = await this.applyApart(items, "WEBHOOK");
      for (const [i, err] of refused) failed.set(refKey(items[i].record.supplier, items[i].record.ref), err);
    } finally {
      for (const sp of spans) sp.end();
    }
    return failed;
  }

  /**
   * `apply`, but a batch the store refuses for what one report holds (../store/errors.ts
   * `refusedForGood`) is applied again one record at a time, so that one report no store can
   * keep holds up no other record (black-box probe: one such report froze every void polled
   * with it). Returns the outcomes, and the error of each item the store refused on its own
   * (left as it was: outcome "ignored"). Any other failure is thrown, as `apply`'s.
   */
  private async applyApart(
    items: Array<{ record: TrackedRecord<D>; report: D | null; trace?: SpanParent }>,
    source: SourceName,
  ): Promise<{ applied: Array<Applied<D>>; refused: Map<number, unknown> }> {
    const refused = new Map<number, unknown>();
    try {
      return { applied: await this.apply(items, source), refused };
    } catch (err) {
      if (!refusedForGood(err)) throw err;
    }
    const applied: Array<Applied<D>> = [];
    for (const [i, item] of items.entries()) {
      try {
        applied.push((await this.apply([item], source))[0]);
      } catch (err) {
        if (!refusedForGood(err)) throw err;
        const { kind, supplier, ref } = item.record;
        this.deps.log.error(
          { kind, supplier, ref, err: String(err) },
          "the store refused a supplier's report; the record is checked again later",
        );
        refused.set(i, err);
        applied.push({ outcome: "ignored", record: item.record });
      }
    }
    return { applied, refused };
  }

  /**
   * One scheduled run: leases due records, asks their suppliers side by side, applies the
   * answers, and gives the leases of records that did not change back in one statement, with
   * the next check backed off (a change resets the schedule and drops the lease itself).
   */
  async pollDue(owner: string, limit: number, leaseMs: number, concurrency = 16): Promise<number> {
    const { kind, records } = this.deps;
    const startedAt = Date.now();
    const due = await records.leaseDue<D>(kind.name, owner, limit, leaseMs);
    return pollSpan(kind.name, due.length, startedAt, () => this.checkLeased(owner, due, concurrency));
  }

  /** Asks about leased records, applies the answers, and gives back the leases of those that did not change. */
  private async checkLeased(owner: string, due: Array<TrackedRecord<D>>, concurrency: number): Promise<number> {
    const { kind, records, log } = this.deps;
    const reports: Array<D | null> = due.map(() => null);
    const failures: Array<CheckError | null> = due.map(() => null);
    const notSent: boolean[] = due.map(() => false);
    await eachLimited(due, concurrency, async (r, i) => {
      try {
        const answer = await this.answer(r.tenant, r.supplier, r.ref);
        if (isNotKnown(answer)) {
          log.warn({ kind: kind.name, ref: r.ref, supplier: r.supplier }, "the supplier does not know a tracked record");
          failures[i] = notKnownFailure(r.supplier, r.ref, answer);
        } else reports[i] = answer;
      } catch (err) {
        log.warn({ err: String(err), kind: kind.name, ref: r.ref, supplier: r.supplier }, "check failed; will try again");
        failures[i] = checkError(err);
        notSent[i] = err instanceof SupplierError && err.notSent;
      }
    });
    const { applied, refused } = await this.applyApart(
      due.map((record, i) => ({ record, report: reports[i] })),
      "POLL",
    );
    for (const i of refused.keys()) failures[i] = REPORT_NOT_STORED;
    const release = due.flatMap((r, i) =>
      applied[i].outcome === "moved"
        ? []
        : [
            {
              key: keyOf(r),
              nextCheckInMs: pollDelayMs(kind.policy, r.checkAttempt + 1, isWatched(r)),
              restartInMs: pollDelayMs(kind.policy, 0, isWatched(r)),
              attempt: r.checkAttempt + 1,
              failure: failures[i],
              notSent: notSent[i],
              leasedUpdatedAt: r.updatedAt,
            },
          ],
    );
    await records.releaseMany(owner, release);
    return due.length;
  }

  /** Makes these records due now (a webhook hinted at a change that could not be confirmed). */
  soon(keys: RecordKey[]): Promise<void> {
    return this.deps.records.soon(keys);
  }
}
