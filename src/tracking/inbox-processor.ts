/**
 * Works through the webhook inbox: every stored webhook is interpreted by its supplier's
 * datasource and confirmed by asking the supplier; only a confirmed change is recorded
 * (a webhook is a hint, never the truth: suppliers push best effort, unsigned). A hint names a
 * tracked record — a void, or the stop requests of an order — and each kind's engine
 * confirms its hints for a batch at once: one supplier question per record, the batch's
 * changes in a few statements. A void no tenant knows may settle a lost submission (while a
 * request still holds that submission, the row is tried again later); otherwise it stays in
 * the inbox (logged, not published); other types are kept and ignored. A row whose
 * confirmation failed (supplier down) goes back for another try after a growing wait (1 s
 * doubling to 60 s), up to MAX_ATTEMPTS; the records of a webhook given up are checked at once.
 *
 * Rows come from two places: this instance's intakes hand over the rows they stored already
 * claimed (`accept`), and the store gives the rest (`claim`: rows put back for a retry, rows an
 * instance gave back when it stopped, and a crashed instance's rows after the reclaim time).
 * Handed-over rows go first; the store is asked when none are waiting, and at least every
 * CLAIM_EVERY_MS, so retries are never starved by a steady stream of webhooks.
 */
import type { SupplierName } from "../vocabulary/suppliers.js";
import type { WebhookHint, WebhookPort } from "../../datasources/ports.js";
import type { Logger } from "../logger.js";
import type { InboxRow, InboxState } from "../store/inbox-store.js";
import { refKey, type TrackedRecord } from "../store/tracked-model.js";
import { type KindName } from "../vocabulary/kinds.js";
import { keyOf, type Tracker } from "./engine.js";
import type { KindDefinition } from "./kind.js";
import type { InboxQueue, RecordStore, UnsettledOrders } from "./ports.js";
import type { VoidSubmission } from "./void-submission.js";

/**
 * What the processor works with: the store's seams (src/tracking/ports.ts), the suppliers'
 * webhook readers, and each kind's engine. Unit tests give it fakes (test/unit/inbox-processor.test.ts).
 */
export interface InboxProcessorDeps {
  inbox: InboxQueue;
  records: Pick<RecordStore, "byRefs" | "soon">;
  unsettled: UnsettledOrders;
  /** The suppliers by name (datasources/registry.ts); one without `webhooks` sends none. */
  registry: { get(name: SupplierName): { webhooks?: Pick<WebhookPort, "interpret"> } | undefined };
  /** The engine of each kind a webhook can be about. */
  trackers: Partial<Record<KindName, Pick<Tracker<unknown>, "confirm">>>;
  /** The kinds (the tracked-kinds list): which record of each a webhook is about. */
  kinds: ReadonlyArray<Pick<KindDefinition, "name" | "webhookRef">>;
  /** Settles a submission whose reply was lost when a webhook names its void. */
  submissions: Pick<VoidSubmission, "settleFromWebhook">;
  log: Logger;
}

/** A row's final inbox state, an optional note, and for a row put back to wait (not failed) how long. */
type Outcome = [Exclude<InboxState, "PROCESSING">, string?, number?];

/** The tracked record a hint is about, if it is about one. */
interface Target {
  kind: KindName;
  supplier: SupplierName;
  ref: string;
}

/** Tries of a row whose confirmation fails; with the inbox's retry backoff, about two minutes. */
const MAX_ATTEMPTS = 8;
/** Records of a batch being confirmed at once. */
const CONCURRENCY = 16;
/**
 * How often a webhook waiting for a request that holds its order's submission is read again: the
 * request usually ends well before its claim expires (timeout + 10 s), and its void, recorded then,
 * is confirmed by the next read. Each read is one store lookup; no supplier is asked meanwhile.
 */
const HELD_RECHECK_MS = 1000;
/** How long after a lost reply's void should show a webhook waiting for it is read again. */
const EARLY_MARGIN_MS = 1000;
/** What a row put back to wait is waiting for (its note). */
const WAITING_FOR = { held: "a request holds the order's void submission", early: "the supplier does not show the void yet" };
/** While rows are handed over, the store is still asked for claimable rows at least this often. */
const CLAIM_EVERY_MS = 1000;

function targetOf(row: InboxRow, hint: WebhookHint | Error | null, kinds: InboxProcessorDeps["kinds"]): Target | null {
  if (hint === null || hint instanceof Error) return null;
  for (const kind of kinds) {
    const ref = kind.webhookRef?.(hint) ?? null;
    if (ref !== null) return { kind: kind.name, supplier: row.supplier as SupplierName, ref };
  }
  return null;
}

/** The order a void's webhook names; undefined for any other hint. */
function voidOrderOf(hint: WebhookHint | Error | null | undefined): string | undefined {
  return hint && !(hint instanceof Error) && hint.kind === "void" ? hint.orderNo : undefined;
}

/** Runs the webhook inbox in batches (the inbox poller calls `processBatch`). */
export class InboxProcessor {
  /**
   * Rows this instance's intakes stored claimed for it, with what the intake read from each body
   * (not read twice) and when they were handed over.
   */
  private handed: Array<{ row: InboxRow; hint?: WebhookHint; at: number }> = [];
  private lastClaimAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: InboxProcessorDeps) {}

  /**
   * Takes a row an intake stored already claimed for this instance (InboxStore.insert's `claimedBy`),
   * with the hint the intake read from its body.
   */
  accept(row: InboxRow, hint?: WebhookHint): void {
    this.handed.push({ row, hint, at: performance.now() });
  }

  /** Gives the handed-over rows not yet processed back to the store, for any instance (on stop). */
  async release(): Promise<void> {
    const ids = this.handed.map((h) => h.row.id);
    this.handed = [];
    await this.deps.inbox.unclaim(ids);
  }

  /**
   * Processes up to `limit` rows; returns how many it took. The records the batch is about
   * are looked up once per kind, confirmed together, and the outcomes written in one statement.
   */
  async processBatch(owner: string, limit = 100, reclaimAfterMs = 60_000): Promise<number> {
    const taken = this.takeHanded(limit, reclaimAfterMs);
    const now = performance.now();
    if (taken.length < limit && (taken.length === 0 || now - this.lastClaimAt >= CLAIM_EVERY_MS)) {
      this.lastClaimAt = now;
      for (const row of await this.deps.inbox.claim(owner, limit - taken.length, reclaimAfterMs)) taken.push({ row });
    }
    if (!taken.length) return 0;
    const read = taken.map(({ row, hint = this.interpret(row) }) => ({ row, hint, target: targetOf(row, hint, this.deps.kinds) }));
    const outcomes: Outcome[] = new Array(read.length);
    const givenUp: Array<TrackedRecord<unknown>> = [];

    for (const [kind, tracker] of Object.entries(this.deps.trackers) as Array<[KindName, Pick<Tracker<unknown>, "confirm">]>) {
      const mine = read.map((r, i) => ({ ...r, i })).filter((r) => r.target?.kind === kind);
      if (!mine.length) continue;
      const records = await this.deps.records.byRefs(
        kind,
        mine.map((r) => r.target as Target),
      );
      const targets = new Map<
        string,
        { supplier: SupplierName; ref: string; records: Array<TrackedRecord<unknown>>; traces: Array<string | null> }
      >();
      for (const { row, target } of mine) {
        const k = refKey(target!.supplier, target!.ref);
        const found = records.get(k);
        if (found && !targets.has(k)) targets.set(k, { supplier: target!.supplier, ref: target!.ref, records: found, traces: [] });
        // The intakes' trace contexts (tracing on): the confirmation continues them.
        if (row.traceContext) targets.get(k)?.traces.push(row.traceContext);
      }
      let failed: Map<string, unknown>;
      try {
        failed = await tracker.confirm([...targets.values()], CONCURRENCY);
      } catch (err) {
        failed = new Map([...targets.keys()].map((k) => [k, err]));
      }
      for (const { row, target, i } of mine) {
        const k = refKey(target!.supplier, target!.ref);
        if (!targets.has(k)) continue; // nobody tracks it: decided below
        outcomes[i] = failed.has(k) ? this.retryLater(row, failed.get(k)) : ["PROCESSED"];
        if (outcomes[i][0] === "FAILED") givenUp.push(...targets.get(k)!.records);
      }
    }
    // A change a webhook announced but that could not be confirmed is left to polling, now.
    await this.deps.records.soon(givenUp.filter((r) => !r.isFinal).map(keyOf));

    // The rest row by row; which of their orders wait for a lost submission is looked up once.
    const rest = read.filter((_, i) => !outcomes[i]);
    const orders = rest.flatMap(({ hint }) => voidOrderOf(hint) ?? []);
    const waiting = await this.deps.unsettled.waitingOrders("VOID", orders);
    for (const [i, { row, hint, target }] of read.entries()) {
      if (!outcomes[i]) outcomes[i] = await this.untracked(row, hint, target, waiting);
    }
    await this.deps.inbox.finishMany(
      read.map(({ row, hint }, i) => ({
        id: row.id,
        state: outcomes[i][0],
        note: outcomes[i][1] ?? null,
        waitMs: outcomes[i][2],
        // Kept as unknown: found again by its order if a submission later marks it (reopenUnknownVoids).
        orderNo: outcomes[i][0] === "UNKNOWN_VOID" ? voidOrderOf(hint) : undefined,
      })),
    );
    // Kept with no mark on their order when it was read (a marked order's kept rows were asked about already).
    const keptUnmarked = read.flatMap(({ row, hint }, i): Array<[string, string]> => {
      const orderNo = voidOrderOf(hint);
      return outcomes[i][0] === "UNKNOWN_VOID" && orderNo !== undefined && !waiting.has(orderNo) ? [[row.supplier, orderNo]] : [];
    });
    await this.reopenIfMarkedMeanwhile(keptUnmarked);
    return read.length;
  }

  /**
   * A submission refused as already made marks its order, then reopens the order's kept webhooks
   * (VoidSubmission): one marked after this batch read the waiting orders, and reopening before
   * the batch kept its rows, would miss them. So the orders of the rows just kept are read again:
   * either this read sees the mark, or the reopen comes after the rows were kept. Only rows
   * whose order had no mark at the batch's read are read again: the others were settled against
   * their mark already, and reopening them would ask the supplier again every batch.
   */
  private async reopenIfMarkedMeanwhile(kept: Array<[string, string]>): Promise<void> {
    if (!kept.length) return;
    const marked = await this.deps.unsettled.waitingOrders(
      "VOID",
      kept.map(([, orderNo]) => orderNo),
    );
    for (const [supplier, orderNo] of kept) if (marked.has(orderNo)) await this.deps.inbox.reopenUnknownVoids(supplier, orderNo);
  }

  /**
   * Up to `limit` handed-over rows, oldest first. A row waiting longer than half the reclaim time is
   * dropped here: by the time it would be processed, `claim` (here or elsewhere) may have taken it
   * over as a crashed instance's, and it must not be processed twice at once.
   */
  private takeHanded(limit: number, reclaimAfterMs: number): Array<{ row: InboxRow; hint?: WebhookHint }> {
    const fresh = performance.now() - reclaimAfterMs / 2;
    const taken = this.handed.splice(0, limit);
    const rows = taken.filter((h) => h.at >= fresh);
    if (rows.length < taken.length) {
      this.deps.log.warn({ dropped: taken.length - rows.length }, "handed-over webhooks waited too long; left to the store's reclaim");
    }
    return rows;
  }

  /** A row whose confirmation failed goes back to the inbox, up to MAX_ATTEMPTS, then FAILED. */
  private retryLater(row: InboxRow, err: unknown): Outcome {
    const again = row.attempts < MAX_ATTEMPTS;
    this.deps.log.warn({ err: String(err), inboxId: row.id, retry: again }, "confirming a webhook failed");
    return [again ? "RECEIVED" : "FAILED", String(err)];
  }

  private interpret(row: InboxRow): WebhookHint | Error | null {
    const port = this.deps.registry.get(row.supplier as SupplierName)?.webhooks;
    if (!port) return null;
    try {
      return port.interpret(typeof row.payload === "string" ? row.payload : JSON.stringify(row.payload));
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  }

  /** A row about no tracked record: a void nobody knows may settle a lost submission. */
  private async untracked(row: InboxRow, hint: WebhookHint | Error | null, target: Target | null, waiting: Set<string>): Promise<Outcome> {
    if (hint === null) return ["IGNORED", "no webhook support for this supplier"];
    if (hint instanceof Error) return ["FAILED", String(hint)];
    if (!target) return ["IGNORED", `type ${hint.type} is not tracked`];
    if (hint.kind !== "void") return ["PROCESSED", "no open record"];
    try {
      const settled = waiting.has(hint.orderNo)
        ? await this.deps.submissions.settleFromWebhook(target.supplier, hint.orderNo, hint.voidCode)
        : { state: "none" as const };
      if (settled.state === "settled") return ["PROCESSED"];
      // A request holds the order's submission (it records its void, or its mark comes free if its
      // process stopped): the row is read again every second until that request has ended, then
      // confirmed like any webhook of a tracked void (black-box probe: it waited for the claim's
      // expiry, ~20 s, and the status it announced showed that late). The supplier does not show
      // the void yet: read again once it should. A wait, not a failed try: never given up.
      if (settled.state === "held") return ["RECEIVED", WAITING_FOR.held, HELD_RECHECK_MS];
      if (settled.state === "early") return ["RECEIVED", WAITING_FOR.early, settled.forMs + EARLY_MARGIN_MS];
      this.deps.log.info(
        { supplier: target.supplier, voidCode: hint.voidCode, inboxId: row.id },
        "webhook for a void no tenant knows; kept in the inbox",
      );
      return ["UNKNOWN_VOID"];
    } catch (err) {
      return this.retryLater(row, err);
    }
  }
}
