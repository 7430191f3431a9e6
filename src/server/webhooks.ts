/**
 * Webhook intake: POST /webhooks/<supplier>/<token>. A wrong token is a 404 (compared in
 * constant time); a body over the cap is a 413; a body that is not the supplier's envelope is
 * a 400, and so is one jsonb cannot hold (U+0000, a lone surrogate): it could never be stored.
 * The raw event is written to the durable inbox before the 200; processing happens afterwards,
 * asynchronously. Metrics name only configured suppliers ("unknown" otherwise), never the path
 * segment a caller sent (hardening issue, item 1).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import express from "express";
import { rateLimit } from "express-rate-limit";
import type { SupplierName } from "../vocabulary/suppliers.js";
import type { SupplierRegistry } from "../../datasources/registry.js";
import type { WebhookHint } from "../../datasources/ports.js";
import type { Logger } from "../logger.js";
import type { WebhookOutcome } from "../metrics.js";
import type { InboxRow, InboxStore } from "../store/inbox-store.js";
import { activeTraceparent, annotate, ATTR, outsideTrace } from "../telemetry/spans.js";
import { unstorableInJsonb } from "./jsonb.js";

/**
 * The intakes to serve and where stored webhooks go; each supplier's path segment and token come from its descriptor
 * and configuration (`<SUPPLIER>_WEBHOOK_TOKEN`).
 */
export interface WebhookRouteOptions {
  registry: SupplierRegistry;
  inbox: Pick<InboxStore, "insert">;
  /** The instance whose processor takes the stored rows: they are written claimed by it and handed to `onStored`. */
  owner: string;
  /** Each supplier taking webhooks: its path segment and the secret last path segment. */
  intakes: Array<{ supplier: SupplierName; segment: string; token: string }>;
  maxBytes: number;
  /** Webhooks accepted per second from one address; more get 429 (the supplier sends again, or polling covers it). */
  ratePerSecond: number;
  log: Logger;
  /** Called with each webhook stored and what its supplier's reader made of it; it must take the row to `owner`'s processing. */
  onStored: (row: InboxRow, hint: WebhookHint) => void;
  /** Every webhook's outcome, for metrics. */
  onOutcome?: (supplier: SupplierName | "unknown", outcome: WebhookOutcome) => void;
}

const digest = (s: string) => createHash("sha256").update(s).digest();

function tokenMatches(given: string, expected: string | undefined): boolean {
  if (!expected) return false;
  // Hashing first makes the comparison constant-time regardless of length.
  return timingSafeEqual(digest(given), digest(expected));
}

/** The webhook routes, rate-limited per address (WEBHOOK_RATE_LIMIT) before the body is read. */
export function webhookRouter(opts: WebhookRouteOptions): express.Router {
  const router = express.Router();
  const bySegment = new Map(opts.intakes.map((i) => [i.segment, i]));
  /** The supplier a path names, if it is one the registry has. */
  const supplierOf = (segment: unknown): SupplierName | "unknown" => {
    const name = bySegment.get(String(segment ?? ""))?.supplier;
    return name && opts.registry.get(name) ? name : "unknown";
  };
  const raw = express.raw({ type: () => true, limit: opts.maxBytes });
  const outcome = opts.onOutcome ?? (() => undefined);
  const cap = rateLimit({
    windowMs: 1000,
    limit: opts.ratePerSecond,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    message: { error: "too many webhooks" },
    handler: (req, res, _next, options) => {
      outcome(supplierOf(req.params.supplier), "rate_limited");
      res.status(options.statusCode).json(options.message);
    },
  });
  router.post("/webhooks/:supplier/:token", cap, (req, res, next) => {
    const supplier = supplierOf(req.params.supplier);
    const port = supplier === "unknown" ? undefined : opts.registry.get(supplier)?.webhooks;
    if (supplier === "unknown" || !port || !tokenMatches(String(req.params.token), bySegment.get(String(req.params.supplier))?.token)) {
      outcome(supplier, "not_found");
      res.status(404).json({ error: "not found" });
      return;
    }
    raw(req, res, (err?: unknown) => {
      if (err) {
        const status = (err as { status?: number }).status === 413 ? 413 : 400;
        outcome(supplier, status === 413 ? "too_large" : "bad_request");
        res.status(status).json({ error: status === 413 ? `body over ${opts.maxBytes} bytes` : "unreadable body" });
        return;
      }
      const text = Buffer.isBuffer(req.body) ? req.body.toString("utf8") : "";
      let hint;
      let payload: unknown;
      try {
        hint = port.interpret(text);
        payload = JSON.parse(text);
      } catch (e) {
        outcome(supplier, "bad_request");
        res.status(400).json({ error: String((e as Error).message) });
        return;
      }
      // Caught before the insert: inserts are batched, so one such body would fail its batch.
      const unstorable = unstorableInJsonb(payload);
      if (unstorable) {
        outcome(supplier, "bad_request");
        res.status(400).json({ error: unstorable });
        return;
      }
      // With tracing on, the row keeps this intake's trace context: its confirmation, later and
      // maybe on another instance, continues the trace (src/tracking/inbox-processor.ts).
      annotate(ATTR.supplier, supplier);
      opts.inbox
        .insert(supplier, hint.type, payload, activeTraceparent(), opts.owner)
        .then((row) => {
          outcome(supplier, "stored");
          res.status(200).json({ ok: true, id: row.id });
          // The processing it wakes serves every stored row, not this request's trace.
          outsideTrace(() => opts.onStored(row, hint));
        })
        .catch((e: unknown) => {
          opts.log.error({ err: String(e) }, "could not store a webhook");
          outcome(supplier, "store_failed");
          // Not stored: the supplier must not think it was.
          res.status(503).json({ error: "could not store the webhook; try again" });
        })
        .catch(next);
    });
  });
  return router;
}
