/**
 * Works through the webhook inbox: every stored webhook is interpreted by its supplier's
 * datasource and confirmed by asking the supplier; only a confirmed change is recorded.
 * Unknown voids stay in the inbox (logged, not published); other types are kept and ignored.
 * A row whose confirmation failed (supplier down) goes back for another try, up to 5.
 */
import type { SupplierName } from "../../datasources/errors.js";
import type { WebhookHint } from "../../datasources/ports.js";
import type { SupplierRegistry } from "../../datasources/registry.js";
import type { Logger } from "../logger.js";
import type { Store } from "../store/index.js";
import type { InboxRow, InboxState } from "../store/inbox-store.js";
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

const MAX_ATTEMPTS = 5;

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
    const facts = await this.lookUp(read.map((r) => r.hint));
    const results: Array<{ id: string; state: Exclude<InboxState, "PROCESSING">; note: string | null }> = [];
    for (const { row, hint } of read) {
      const [state, note = null] = await this.processRow(row, hint, facts);
      results.push({ id: row.id, state, note });
    }
    await this.deps.store.inbox.finishMany(results);
    return rows.length;
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

  /** The void codes some tenant tracks, and the orders with an unsettled submission, among the batch's hints. */
  private async lookUp(hints: Array<WebhookHint | Error | null>): Promise<{ known: Set<string>; waiting: Set<string> }> {
    const voids = hints.filter((h): h is Extract<WebhookHint, { kind: "void" }> => h !== null && !(h instanceof Error) && h.kind === "void");
    if (!voids.length) return { known: new Set(), waiting: new Set() };
    const [known, waiting] = await Promise.all([
      this.deps.store.voids.knownCodes(voids.map((h) => h.voidCode)),
      this.deps.store.unsettled.waitingOrders("VOID", voids.map((h) => h.orderNo)),
    ]);
    return { known, waiting };
  }

  /** Decides one row's outcome: its final inbox state and an optional note. */
  private async processRow(
    row: InboxRow,
    hint: WebhookHint | Error | null,
    facts: { known: Set<string>; waiting: Set<string> },
  ): Promise<[Exclude<InboxState, "PROCESSING">, string?]> {
    const supplier = row.supplier as SupplierName;
    if (hint === null) return ["IGNORED", "no webhook support for this supplier"];
    if (hint instanceof Error) return ["FAILED", String(hint)];
    try {
      if (hint.kind === "void") {
        const known =
          (facts.known.has(hint.voidCode) && (await this.deps.voids.confirmWebhook(supplier, hint.voidCode))) ||
          (facts.waiting.has(hint.orderNo) && (await this.deps.submissions.settleFromWebhook(supplier, hint.orderNo, hint.voidCode)));
        if (!known) {
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
      const again = row.attempts < MAX_ATTEMPTS;
      this.deps.log.warn({ err: String(err), inboxId: row.id, retry: again }, "confirming a webhook failed");
      return [again ? "RECEIVED" : "FAILED", String(err)];
    }
  }
}
