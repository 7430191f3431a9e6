/**
 * Webhook intake: POST /webhooks/<supplier>/<token>, served from node:http. On express, its
 * router, rate limiter and body parser took 7 % of the embedded gateway's CPU at 500 webhooks/s
 * (issue 24). Every such request is counted against its address's cap first (429 over it); a
 * wrong token is a 404 (compared in constant time); a body over the cap is a 413, one that cannot
 * be read (an unknown Content-Encoding, say) a 400; a body that is not the supplier's envelope is
 * a 400, and so is one jsonb cannot hold (U+0000, a lone surrogate): it could never be stored.
 * The raw event is written to the durable inbox before the 200; processing happens afterwards,
 * asynchronously. Metrics name only configured suppliers ("unknown" otherwise), never the path
 * segment a caller sent (hardening issue, item 1).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SupplierName } from "../vocabulary/suppliers.js";
import type { SupplierRegistry } from "../../datasources/registry.js";
import type { WebhookHint, WebhookPort } from "../../datasources/ports.js";
import type { Logger } from "../logger.js";
import type { WebhookOutcome } from "../metrics.js";
import type { InboxRow, InboxStore } from "../store/inbox-store.js";
import { activeTraceparent, annotate, ATTR, outsideTrace } from "../telemetry/spans.js";
import { decodeText } from "../../datasources/charset.js";
import { readBody } from "./body.js";
import { makeStorable } from "./jsonb.js";
import { RequestFailure, sendRequestError } from "./request-errors.js";
import { sendJson } from "./send-json.js";
import { rateCap } from "./webhook-rate.js";

/**
 * The intakes to serve and where stored webhooks go; each supplier's path segment and token come from its descriptor
 * and configuration (`<SUPPLIER>_WEBHOOK_TOKEN`).
 */
export interface WebhookIntakeOptions {
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

/** The path the intake serves; its two segments URL-decoded, as express's router gave them. */
const WEBHOOK_PATH = /^\/webhooks\/([^/]+)\/([^/]+)\/?$/i;

/** The supplier and token segments of a webhook path, or undefined for any other path. */
function segmentsOf(url: string | undefined): { supplier: string; token: string } | undefined {
  const m = WEBHOOK_PATH.exec((url ?? "").split("?", 1)[0]);
  if (!m) return undefined;
  try {
    return { supplier: decodeURIComponent(m[1]), token: decodeURIComponent(m[2]) };
  } catch {
    return { supplier: "", token: "" };
  }
}

/** The intake as the HTTP server sees it (src/server/http-server.ts offers it every request but /graphql's). */
export interface WebhookIntakeHandler {
  /** Answers a POST to a webhook path and returns true; false for any other request (left to the other routes). */
  serve(req: IncomingMessage, res: ServerResponse): boolean;
  /** Stops the rate cap's timer. */
  close(): void;
}

/** The webhook intake, rate-limited per address (WEBHOOK_RATE_LIMIT) before the body is read. */
export function webhookHandler(opts: WebhookIntakeOptions): WebhookIntakeHandler {
  const bySegment = new Map(opts.intakes.map((i) => [i.segment, { ...i, digest: digest(i.token) }]));
  /** The supplier a path names, if it is one the registry has. */
  const supplierOf = (segment: string): SupplierName | "unknown" => {
    const name = bySegment.get(segment)?.supplier;
    return name && opts.registry.get(name) ? name : "unknown";
  };
  const outcome = opts.onOutcome ?? (() => undefined);
  const cap = rateCap(opts.ratePerSecond);

  /** Reads, checks and stores one webhook whose path and token are right. */
  const intake = async (req: IncomingMessage, res: ServerResponse, supplier: SupplierName, port: WebhookPort) => {
    const body = await readBody(req, opts.maxBytes);
    if (body instanceof RequestFailure) {
      const status = body.status === 413 ? 413 : 400;
      outcome(supplier, status === 413 ? "too_large" : "bad_request");
      sendJson(res, status, { error: status === 413 ? `body over ${opts.maxBytes} bytes` : "unreadable body" });
      return;
    }
    let hint;
    let payload: unknown;
    try {
      // In the charset the sender names (UTF-8 unless it says otherwise), without a byte order mark.
      const text = decodeText(body, req.headers["content-type"]);
      hint = port.interpret(text);
      payload = JSON.parse(text);
    } catch (e) {
      outcome(supplier, "bad_request");
      sendJson(res, 400, { error: String((e as Error).message) });
      return;
    }
    // Made storable before the insert: inserts are batched, so one such body would fail its batch.
    const storable = makeStorable(payload);
    if (storable.replaced)
      opts.log.info({ supplier }, "a webhook held U+0000 or a lone surrogate, which no store keeps: stored with U+FFFD");
    payload = storable.value;
    // With tracing on, the row keeps this intake's trace context: its confirmation, later and
    // maybe on another instance, continues the trace (src/tracking/inbox-processor.ts).
    annotate(ATTR.supplier, supplier);
    let row: InboxRow;
    try {
      row = await opts.inbox.insert(supplier, hint.type, payload, activeTraceparent(), opts.owner);
    } catch (e) {
      opts.log.error({ err: String(e) }, "could not store a webhook");
      outcome(supplier, "store_failed");
      // Not stored: the supplier must not think it was.
      sendJson(res, 503, { error: "could not store the webhook; try again" });
      return;
    }
    outcome(supplier, "stored");
    sendJson(res, 200, { ok: true, id: row.id });
    // The processing it wakes serves every stored row, not this request's trace.
    outsideTrace(() => opts.onStored(row, hint));
  };

  const answer = async (req: IncomingMessage, res: ServerResponse, path: { supplier: string; token: string }) => {
    const supplier = supplierOf(path.supplier);
    if (!(await cap.take(req, res))) {
      req.resume();
      outcome(supplier, "rate_limited");
      sendJson(res, 429, { error: "too many webhooks" });
      return;
    }
    const intakeOf = bySegment.get(path.supplier);
    const port = supplier === "unknown" ? undefined : opts.registry.get(supplier)?.webhooks;
    if (supplier === "unknown" || !port || !intakeOf?.token || !timingSafeEqual(digest(path.token), intakeOf.digest)) {
      req.resume();
      outcome(supplier, "not_found");
      // Not the path: it holds the token tried.
      opts.log.info({ route: "/webhooks", status: 404, supplier }, "webhook refused: no intake at this path (supplier or token wrong)");
      sendJson(res, 404, { error: "not found" });
      return;
    }
    await intake(req, res, supplier, port);
  };

  return {
    serve(req, res) {
      const path = req.method === "POST" ? segmentsOf(req.url) : undefined;
      if (!path) return false;
      answer(req, res, path).catch((e: unknown) => sendRequestError(opts.log, req, res, undefined, new RequestFailure(500, "internal"), e));
      return true;
    },
    close: () => cap.close(),
  };
}
