/**
 * The ATRIP simulator's memory and rules: quotes (only the latest offer of an order is valid,
 * and only for OFFER_LIFETIME), one void per order, void statuses that move along the
 * order's path one step per `voidStepMs` of simulated time, and stop-issuance outcomes that
 * become visible after `stopDelayMs` (8 simulated minutes, as ATRIP documents).
 */
import { randomBytes } from "node:crypto";
import { LosslessNumber } from "lossless-json";
import type { SimClock } from "../clock.js";
import { findDemoOrder, type DemoOrder } from "./orders.js";

/** How long a voidOfferId stays valid, in simulated ms. ATRIP does not document it. */
const OFFER_LIFETIME_MS = 30 * 60_000;

export interface AtripSimTiming {
  /** Simulated ms between two void status steps. */
  voidStepMs: number;
  /** Simulated ms after a stop request when the outcome shows in queryOrderDetails.do. */
  stopDelayMs: number;
  /** Simulated ms after a stop request when a failing stop's tickets are issued (order.ticketed). */
  issueAfterMs: number;
}

export const DEFAULT_TIMING: AtripSimTiming = { voidStepMs: 60_000, stopDelayMs: 8 * 60_000, issueAfterMs: 3 * 60_000 };

interface Quote {
  offerId: string;
  at: number;
}
interface SimVoid {
  voidCode: string;
  orderNo: string;
  offerId: string;
  order: DemoOrder;
  submittedAt: number;
}
interface SimStop {
  requestedAt: number;
  order: DemoOrder;
}

/** An ATRIP status reply that is not success. */
export interface AtripFailure {
  status: number;
  msg: string;
}

/** Called when something changed that ATRIP would send a webhook about. */
export type WebhookSink = (type: "order.void" | "order.ticketed", data: Record<string, unknown>) => void;

const dec = (s: string | undefined) => new LosslessNumber(s ?? "0");

function yyyymmdd(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replaceAll("-", "");
}

export class AtripSimState {
  private readonly quotes = new Map<string, Quote>();
  private readonly voids = new Map<string, SimVoid>();
  private readonly voidByOrder = new Map<string, string>();
  private readonly stops = new Map<string, SimStop>();
  /** How often each order was asked about, for the demo orders that answer differently at first. */
  private readonly stopAsks = new Map<string, number>();
  private readonly detailAsks = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private seq = 0;

  constructor(
    private readonly clock: SimClock,
    private readonly timing: AtripSimTiming,
    private readonly webhook: WebhookSink,
    /** The orders this account can see (another account's are unknown to it). @default every demo order */
    private readonly findOrder: (orderNo: string) => DemoOrder | undefined = findDemoOrder,
  ) {}

  quote(orderNo: string): AtripFailure | Record<string, unknown> {
    const order = this.findOrder(orderNo);
    if (!order) return { status: 801, msg: "Order not found for void. Check the original main ticket order number." };
    if (order.voidBlockedStatus) return { status: order.voidBlockedStatus, msg: blockedMessage(order.voidBlockedStatus) };
    if (!order.voidPath) return { status: 808, msg: blockedMessage(808) };
    const submitted = this.voids.get(this.voidByOrder.get(orderNo) ?? "");
    if (submitted && this.clock.now() - submitted.submittedAt >= (order.acceptanceLagMs ?? 0)) {
      return { status: 816, msg: "Void already submitted for this order. Query void status instead of resubmitting." };
    }
    const offerId = `v_${randomBytes(16).toString("hex")}`;
    this.quotes.set(orderNo, { offerId, at: this.clock.now() });
    return { status: 0, msg: "success", ...this.quoteFields(orderNo, order, offerId) };
  }

  /** The code of the void submitted for an order, if any (what ATRIP's own portal would show; for tests). */
  voidCodeOf(orderNo: string): string | undefined {
    return this.voidByOrder.get(orderNo);
  }

  submit(orderNo: string, voidOfferId: string): AtripFailure | Record<string, unknown> {
    const order = this.findOrder(orderNo);
    if (!order) return { status: 801, msg: "Order not found for void. Check the original main ticket order number." };
    if (order.voidBlockedStatus) return { status: order.voidBlockedStatus, msg: blockedMessage(order.voidBlockedStatus) };
    if (this.voidByOrder.has(orderNo)) {
      return { status: 816, msg: "Void already submitted for this order. Query void status instead of resubmitting." };
    }
    const quote = this.quotes.get(orderNo);
    if (!quote || quote.offerId !== voidOfferId || this.clock.now() - quote.at > OFFER_LIFETIME_MS) {
      return { status: 805, msg: "voidOfferId expired. Call voidQuotation.do again for a fresh ID, then resubmit." };
    }
    if (order.submitBlockedStatus) return { status: order.submitBlockedStatus, msg: blockedMessage(order.submitBlockedStatus) };
    this.seq += 1;
    const voidCode = `${yyyymmdd(this.clock.now()).slice(0, 6)}-${String(this.seq).padStart(4, "0")}${randomBytes(2).toString("hex").toUpperCase()}`;
    const v: SimVoid = { voidCode, orderNo, offerId: voidOfferId, order, submittedAt: this.clock.now() };
    this.voids.set(voidCode, v);
    this.voidByOrder.set(orderNo, voidCode);
    this.scheduleVoidWebhooks(v);
    if (order.submitAnswerStatus !== undefined) {
      return { status: order.submitAnswerStatus, msg: "Void request received; processing status unavailable" };
    }
    return {
      status: 0,
      msg: "success",
      ...this.quoteFields(orderNo, order, voidOfferId),
      voidCode,
      voidStatus: order.submitOddVoidStatus ?? this.voidStatus(v),
      cancelReason: "",
    };
  }

  /**
   * How many of the next queryVoidOrders.do calls answer 801 for a void that exists (tests): ATRIP
   * may take a while to show a void it accepted (seed 002: usually within 5 minutes).
   */
  hideNextQueries = 0;

  queryVoid(voidCode: string): Record<string, unknown> {
    let v = this.voids.get(voidCode);
    if (v && this.hideNextQueries > 0) {
      this.hideNextQueries -= 1;
      v = undefined;
    }
    // Seed 002 lists 801 ("No voidable orders found") for queryVoidOrders.do.
    // Seed 002 requires voidOrders, status and msg in every reply: an empty list here.
    if (!v) return { status: 801, msg: "No voidable orders found. Please check the original main ticket order number.", voidOrders: [] };
    const status = this.voidStatus(v);
    const q = this.quoteFields(v.orderNo, v.order, v.offerId);
    const entry: Record<string, unknown> = {
      orderNo: v.orderNo,
      voidCode,
      expectedConfirmationDate: q.expectedConfirmationDate,
      expectedRefundDate: q.expectedRefundDate,
      voidTickets: q.voidTickets,
      ...(q.voidFareAmount ? { voidFareAmount: q.voidFareAmount } : {}),
      voidPostTicketingServiceAmounts: q.voidPostTicketingServiceAmounts,
      serviceFee: q.serviceFee,
      voidStatus: status,
      cancelReason: status === 4 ? (v.order.cancelReason ?? "") : "",
      voidOfferId: v.offerId,
      voidMethod: q.voidMethod,
    };
    if ((status === 2 || status === 5) && this.voidStepsSinceFinal(v) >= (v.order.refundLateSteps ?? 0))
      entry.actualRefundAmount = refundAmount(v.order);
    return { status: 0, msg: "success", voidOrders: [entry] };
  }

  /**
   * stopTicket.do. Seed 000 documents only 0 and 2 ("System error"), so every refusal here is a
   * 2, and ATR-STOP-ODD's 3 is deliberately outside the documentation.
   */
  stop(orderNo: string): AtripFailure | Record<string, unknown> {
    const order = this.findOrder(orderNo);
    if (!order) return { status: 2, msg: "System error" };
    if (order.stop === "REFUSED" || !order.stop)
      return { status: 2, msg: "System error: ticket issuance cannot be stopped for this order" };
    const asks = (this.stopAsks.get(orderNo) ?? 0) + 1;
    this.stopAsks.set(orderNo, asks);
    if (order.stop === "BUSY" && asks === 1) return { status: order.busyStatus ?? 2, msg: "System error, please try again" };
    if (!this.stops.has(orderNo)) {
      const s: SimStop = { requestedAt: this.clock.now(), order };
      this.stops.set(orderNo, s);
      if (order.stop === "ISSUED") {
        this.later(this.timing.issueAfterMs, () =>
          this.webhook("order.ticketed", {
            orderNo,
            orderStatus: 2,
            paxTicketInfos: [{ name: "WANG/LEI", ticketNos: ["999-2140000099"], airlinePNRs: ["NX7Q2P"] }],
          }),
        );
      }
    }
    if (order.stop === "UNDOCUMENTED") return { status: 3, msg: "Request queued" };
    return { status: 0, msg: "We are trying to intercept the ticket issuance. Please check the order status for result after 8 minutes" };
  }

  orderDetails(orderNo: string): AtripFailure | Record<string, unknown> {
    const order = this.findOrder(orderNo);
    if (!order) return { status: 800, msg: "Order does not exist" };
    if (order.detailsStatus !== undefined) {
      const asks = (this.detailAsks.get(orderNo) ?? 0) + 1;
      this.detailAsks.set(orderNo, asks);
      if (order.detailsStatusTimes === undefined || asks <= order.detailsStatusTimes) {
        return { status: order.detailsStatus, msg: DETAILS_MESSAGES[order.detailsStatus] ?? "Error" };
      }
    }
    let orderStatus = order.stop ? "1" : "2";
    const s = this.stops.get(orderNo);
    if (s) {
      const elapsed = this.clock.now() - s.requestedAt;
      if (order.stop === "ISSUED" && elapsed >= this.timing.issueAfterMs) orderStatus = "2";
      if (order.stop !== "ISSUED" && elapsed >= this.timing.stopDelayMs) orderStatus = "-3";
    }
    return {
      status: 0,
      msg: "success",
      orderNo,
      orderStatus,
      ticketStatus: orderStatus === "2" ? "1" : "0",
      paxTicketInfos: [{ name: "WANG/LEI", ticketNos: orderStatus === "2" ? ["999-2140000099"] : [], airlinePNRs: ["NX7Q2P"] }],
    };
  }

  /** Stops every pending webhook timer. */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private voidStatus(v: SimVoid): number {
    const path = v.order.voidPath ?? [0];
    return path[Math.min(path.length - 1, Math.max(0, this.voidStep(v)))];
  }

  private voidStep(v: SimVoid): number {
    return Math.floor((this.clock.now() - v.submittedAt) / this.timing.voidStepMs);
  }

  /** Whole void steps since the void reached the end of its path (negative before). */
  private voidStepsSinceFinal(v: SimVoid): number {
    return this.voidStep(v) - ((v.order.voidPath ?? [0]).length - 1);
  }

  private scheduleVoidWebhooks(v: SimVoid): void {
    const path = v.order.voidPath ?? [0];
    path.forEach((status, i) => {
      this.later(i * this.timing.voidStepMs, () => this.voidWebhook(v, status));
    });
  }

  /**
   * Sends the order.void webhook for a void's status now, as ATRIP does on a change (benches
   * use it with clock.advance to drive changes at a chosen rate). False for an unknown void.
   */
  announceVoid(voidCode: string): boolean {
    const v = this.voids.get(voidCode);
    if (!v) return false;
    this.voidWebhook(v, this.voidStatus(v));
    return true;
  }

  private voidWebhook(v: SimVoid, status: number): void {
    this.webhook("order.void", {
      orderNo: v.orderNo,
      voidCode: v.voidCode,
      voidStatus: status,
      message: status === 4 ? (v.order.cancelReason ?? "") : "",
    });
  }

  private later(simMs: number, fn: () => void): void {
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        fn();
      },
      this.clock.real(simMs) + 5,
    );
    t.unref();
    this.timers.add(t);
  }

  private quoteFields(orderNo: string, order: DemoOrder, offerId: string) {
    const now = this.clock.now();
    return {
      orderNo,
      isVoidable: order.windowClosed !== true,
      voidOfferId: offerId,
      voidMethod: order.voidMethod ?? "CashBackToOriginalPayment",
      fastConfirmation: order.voidPath?.includes(5) ? 1 : 0,
      expectedConfirmationDate: yyyymmdd(now + 86_400_000),
      expectedRefundDate: yyyymmdd(now + 7 * 86_400_000),
      voidTickets: [
        { lastName: "WANG", firstName: "LEI", ticketNo: "999-2140000001" },
        { lastName: "LI", firstName: "NA", ticketNo: "999-2140000002" },
      ],
      voidFareAmount: order.omitFare
        ? undefined
        : { currency: order.currency ?? "CNY", originalFareAmount: dec(order.fare), estimatedRefundAmount: dec(order.refund) },
      voidPostTicketingServiceAmounts: [
        {
          postTicketingOrderNo: `${orderNo}-BAG1`,
          currency: order.currency ?? "CNY",
          originalPostTicketingServiceAmount: dec("35.00"),
          estimatedRefundAmount: dec("35.00"),
        },
      ],
      serviceFee: { currency: order.currency ?? "CNY", transactionFee: dec(order.fee) },
      voidWindow: {
        supportVoid: true,
        allowVoid: order.windowClosed !== true,
        voidTimeAfterIssure: "24h",
        voidTimeBeforeDepature: "2h",
        sameDayDeadlineTime: "23:59",
        sameDayTimezone: "GMT+8",
      },
      // Seed 002's prose: "voidDeadline is usually that day's cut-off, e.g. before 23:59".
      voidDeadline: "23:59",
    };
  }
}

/** queryOrderDetails.do's documented failure statuses (docs/suppliers/atrip.md "queryOrderDetails.do"). */
const DETAILS_MESSAGES: Record<number, string> = {
  701: "Multiple orders match the request",
  702: "airlinePNR and carrier are required",
  704: "The parameters do not match",
  705: "Timeout, please try again",
};

/** actualRefundAmount in the shape the demo order asks for (seed 002 gives the field no type). */
function refundAmount(order: DemoOrder): unknown {
  const amount = order.refund ?? "0";
  const currency = order.currency ?? "CNY";
  switch (order.refundAs) {
    case "string":
      return amount;
    case "object":
      return { currency, amount: dec(amount) };
    case "list":
      return [{ currency, amount: dec(amount) }];
    default:
      return dec(amount);
  }
}

function blockedMessage(status: number): string {
  const m: Record<number, string> = {
    808: "This ticket is non-voidable per airline policy.",
    820: "Ticket already used — cannot void a flown segment.",
    822: "Void deadline exceeded. This ticket can no longer be voided.",
    824: "Wrong orderNumber: use the main ticket order, not the ancillary order number.",
  };
  return m[status] ?? "Void not possible.";
}
