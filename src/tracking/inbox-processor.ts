/**
 * Works through the webhook inbox: every stored webhook is interpreted by its supplier's
 * datasource and confirmed by asking the supplier; only a confirmed change is recorded.
 * Unknown voids stay in the inbox (logged, not published); other types are kept and ignored.
 * A row whose confirmation failed (supplier down) goes back for another try, up to 5.
 */
import type { SupplierName } from "../../datasources/errors.js";
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

  /** Processes up to `limit` rows; returns how many it claimed. Their outcomes are written in one statement. */
  async processBatch(owner: string, limit = 100, reclaimAfterMs = 60_000): Promise<number> {
    const rows = await this.deps.store.inbox.claim(owner, limit, reclaimAfterMs);
    const results: Array<{ id: string; state: Exclude<InboxState, "PROCESSING">; note: string | null }> = [];
    for (const row of rows) {
      const [state, note = null] = await this.processRow(row);
      results.push({ id: row.id, state, note });
    }
    await this.deps.store.inbox.finishMany(results);
    return rows.length;
  }

  /** Decides one row's outcome: its final inbox state and an optional note. */
  private async processRow(row: InboxRow): Promise<[Exclude<InboxState, "PROCESSING">, string?]> {
    const supplier = row.supplier as SupplierName;
    const port = this.deps.registry.get(supplier)?.webhooks;
    if (!port) return ["IGNORED", "no webhook support for this supplier"];
    let hint;
    try {
      hint = port.interpret(typeof row.payload === "string" ? row.payload : JSON.stringify(row.payload));
    } catch (err) {
      return ["FAILED", String(err)];
    }
    try {
      if (hint.kind === "void") {
        const known =
          (await this.deps.voids.confirmWebhook(supplier, hint.voidCode)) ||
          (await this.deps.submissions.settleFromWebhook(supplier, hint.orderNo, hint.voidCode));
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
