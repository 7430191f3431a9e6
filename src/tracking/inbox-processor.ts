/**
 * Works through the webhook inbox: every stored webhook is interpreted by its supplier's
 * datasource and confirmed by asking the supplier; only a confirmed change is recorded.
 * Unknown voids stay in the inbox (logged, not published); other types are kept and ignored.
 * A row whose confirmation failed (supplier down) goes back for another try after a growing
 * wait (1 s doubling to 60 s), up to MAX_ATTEMPTS; a tracked void whose webhook is given up
 * is polled at once.
 */
import type { SupplierName } from "../../datasources/errors.js";
import type { WebhookHint } from "../../datasources/ports.js";
import type { SupplierRegistry } from "../../datasources/registry.js";
import type { Logger } from "../logger.js";
import type { Store } from "../store/index.js";
import type { InboxRow, InboxState } from "../store/inbox-store.js";
import { codeKey, type VoidRecord } from "../store/void-store.js";
import type { StopTracker } from "./stop-tracker.js";
import type { VoidSubmission } from "./void-submission.js";
import type { VoidTracker } from "./void-tracker.js";

export interface InboxProcessorDeps {
  store: Store;
  registry: SupplierRegistry;
  voids: VoidTracker;
  stops: StopTracker;
  submissions: VoidSubmission;
  log: Logger;
  /** Called when a stop check was pulled forward, so the stop poller runs now. */
  onStopHint: () => void;
}

/** A row's final inbox state and an optional note. */
type Outcome = [Exclude<InboxState, "PROCESSING">, string?];

/** What one lookup per batch tells about its rows. */
interface BatchFacts {
  records: Map<string, VoidRecord[]>;
  waiting: Set<string>;
}

/** Tries of a row whose confirmation fails; with the inbox's retry backoff, about two minutes. */
const MAX_ATTEMPTS = 8;
/** Rows of a batch being confirmed at once. */
const CONCURRENCY = 16;

/** Rows with the same key are processed one after another, in arrival order. */
function groupKey(row: InboxRow, hint: WebhookHint | Error | null): string {
  if (hint === null || hint instanceof Error || hint.kind === "other") return `row:${row.id}`;
  return hint.kind === "void" ? `void:${row.supplier}:${hint.voidCode}` : `order:${row.supplier}:${hint.orderNo}`;
}

export class InboxProcessor {
  constructor(private readonly deps: InboxProcessorDeps) {}

  /**
   * Processes up to `limit` rows; returns how many it claimed. Which of the batch's voids
   * anyone knows is looked up once for the batch, and the outcomes are written in one
   * statement: under a burst of webhooks the store sees a few statements per batch, not per row.
   */
  async processBatch(owner: string, limit = 100, reclaimAfterMs = 60_000): Promise<number> {
    const rows = await this.deps.store.inbox.claim(owner, limit, reclaimAfterMs);
    const read = rows.map((row) => ({ row, hint: this.interpret(row) }));
    const facts = await this.lookUp(rows, read.map((r) => r.hint));
    const results: Array<{ id: string; state: Exclude<InboxState, "PROCESSING">; note: string | null } | undefined> = new Array(read.length);

    // Webhooks about voids some tenant tracks: confirmed together, one supplier question per
    // void and one statement for the batch's changes.
    const tracked = new Map<string, { supplier: SupplierName; voidCode: string; records: VoidRecord[]; rows: number[] }>();
    read.forEach(({ row, hint }, i) => {
      if (hint === null || hint instanceof Error || hint.kind !== "void") return;
      const key = codeKey(row.supplier, hint.voidCode);
      const records = facts.records.get(key);
      if (!records) return;
      const entry = tracked.get(key) ?? { supplier: row.supplier as SupplierName, voidCode: hint.voidCode, records, rows: [] };
      entry.rows.push(i);
      tracked.set(key, entry);
    });
    let failed: Map<string, unknown>;
    try {
      failed = await this.deps.voids.confirmWebhooks([...tracked.values()], CONCURRENCY);
    } catch (err) {
      failed = new Map([...tracked.keys()].map((k) => [k, err]));
    }
    const givenUp: VoidRecord[] = [];
    for (const [key, { rows: indexes, records }] of tracked) {
      for (const i of indexes) {
        const [state, note] = failed.has(key) ? this.retryLater(read[i].row, failed.get(key)) : (["PROCESSED"] as Outcome);
        results[i] = { id: read[i].row.id, state, note: note ?? null };
        if (state === "FAILED") givenUp.push(...records);
      }
    }
    // A change the webhook announced but that could not be confirmed is left to polling, now.
    await this.deps.store.voids.pollSoon(givenUp.map((r) => ({ tenant: r.tenant, supplier: r.supplier, voidCode: r.voidCode })));

    // The rest row by row: rows about different orders side by side, rows about the same one
    // in arrival order.
    const groups = new Map<string, number[]>();
    read.forEach(({ row, hint }, i) => {
      if (results[i]) return;
      const key = groupKey(row, hint);
      const group = groups.get(key);
      if (group) group.push(i);
      else groups.set(key, [i]);
    });
    const queue = [...groups.values()];
    const worker = async () => {
      for (let group = queue.shift(); group; group = queue.shift()) {
        for (const i of group) {
          const { row, hint } = read[i];
          const [state, note = null] = await this.processRow(row, hint, facts);
          results[i] = { id: row.id, state, note };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
    await this.deps.store.inbox.finishMany(results.filter((r) => r !== undefined));
    return rows.length;
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

  /** The records of the batch's voids (by supplier:voidCode), and the orders with an unsettled submission. */
  private async lookUp(rows: InboxRow[], hints: Array<WebhookHint | Error | null>): Promise<BatchFacts> {
    const voids = hints.flatMap((h, i) =>
      h !== null && !(h instanceof Error) && h.kind === "void" ? [{ supplier: rows[i].supplier as SupplierName, voidCode: h.voidCode, orderNo: h.orderNo }] : [],
    );
    if (!voids.length) return { records: new Map(), waiting: new Set() };
    const [records, waiting] = await Promise.all([
      this.deps.store.voids.byCodes(voids),
      this.deps.store.unsettled.waitingOrders("VOID", voids.map((h) => h.orderNo)),
    ]);
    return { records, waiting };
  }

  /** Decides the outcome of a row that is not about a tracked void: its final inbox state and an optional note. */
  private async processRow(row: InboxRow, hint: WebhookHint | Error | null, facts: BatchFacts): Promise<Outcome> {
    const supplier = row.supplier as SupplierName;
    if (hint === null) return ["IGNORED", "no webhook support for this supplier"];
    if (hint instanceof Error) return ["FAILED", String(hint)];
    try {
      if (hint.kind === "void") {
        const settled = facts.waiting.has(hint.orderNo) && (await this.deps.submissions.settleFromWebhook(supplier, hint.orderNo, hint.voidCode));
        if (!settled) {
          this.deps.log.info({ supplier, voidCode: hint.voidCode, inboxId: row.id }, "webhook for a void no tenant knows; kept in the inbox");
          return ["UNKNOWN_VOID"];
        }
        return ["PROCESSED"];
      }
      if (hint.kind === "ticketed") {
        if (await this.deps.stops.hintTicketed(supplier, hint.orderNo)) this.deps.onStopHint();
        return ["PROCESSED"];
      }
      return ["IGNORED", `type ${hint.type} is not tracked`];
    } catch (err) {
      return this.retryLater(row, err);
    }
  }
}
