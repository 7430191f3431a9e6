/**
 * The ATRIP simulator: a real HTTP server speaking ATRIP's protocol as docs/suppliers/atrip.md describes it
 * (headers checked → 900, non-JSON → 901, gzip when asked, status codes of the void and stop
 * calls) with the demo orders of ./orders.ts, a scalable clock, webhooks to the URL registered
 * with updateWebhookURL.do, and the fault knobs of ../http-kit.ts.
 *
 * Several accounts (client id and secret pairs) may call it: each has its own quotes, voids,
 * stops and webhook URL, sees only the orders it booked (../bookings.ts), and its webhooks
 * carry its client id as `cid`. Every request is recorded with the client id it came with.
 */
import { request } from "undici";
import { SimClock } from "../clock.js";
import { Bookings } from "../bookings.js";
import { SimServer, type Faults, type SimReply, type SimRequest } from "../http-kit.js";
import { findDemoOrder } from "./orders.js";
import { AtripSimState, DEFAULT_TIMING, type AtripSimTiming } from "./state.js";

/** The calls seed 002 documents, with their own status for invalid parameters (810). */
const VOID_CALLS: ReadonlySet<string> = new Set(["voidQuotation.do", "void.do", "queryVoidOrders.do"]);

/** The shared fault knobs plus ATRIP's own: its webhooks are best effort and may be lost. */
export interface AtripFaults extends Faults {
  /** Share of webhooks the simulator "loses" (0..1; absent: none). */
  webhookDropRate?: number;
}

/** An ATRIP account: the credentials its calls carry. */
interface AtripSimAccount {
  clientId: string;
  clientSecret: string;
}

export interface AtripSimulatorOptions {
  /** The first account (the gateway's own). */
  clientId: string;
  clientSecret: string;
  /** More accounts (tenants' own), each with orders, voids and a webhook URL of its own. */
  accounts?: AtripSimAccount[];
  /** Simulated time runs this many times faster than real time. */
  timeScale?: number;
  timing?: Partial<AtripSimTiming>;
  faults?: Partial<AtripFaults>;
  /** Initial webhook URL (otherwise set with updateWebhookURL.do). */
  webhookUrl?: string;
  /** Idle keep-alive of its HTTP server. @default 5000 */
  keepAliveTimeoutMs?: number;
}

interface Account {
  clientId: string;
  clientSecret: string;
  state: AtripSimState;
  webhookUrl: string | undefined;
}

export class AtripSimulator {
  readonly clock: SimClock;
  readonly server: SimServer<AtripFaults>;
  private readonly accounts = new Map<string, Account>();
  private readonly primary: Account;
  private readonly bookings = new Bookings();

  private constructor(options: AtripSimulatorOptions) {
    this.clock = new SimClock(options.timeScale ?? 1);
    const timing = { ...DEFAULT_TIMING, ...options.timing };
    for (const a of [{ clientId: options.clientId, clientSecret: options.clientSecret }, ...(options.accounts ?? [])]) {
      if (this.accounts.has(a.clientId)) continue;
      const state = new AtripSimState(
        this.clock,
        timing,
        (type, data) => void this.sendWebhook(a.clientId, type, data),
        (orderNo) => {
          const order = findDemoOrder(orderNo);
          return order && this.bookings.book(a.clientId, orderNo) ? order : undefined;
        },
      );
      this.accounts.set(a.clientId, { clientId: a.clientId, clientSecret: a.clientSecret, state, webhookUrl: undefined });
    }
    this.primary = this.accounts.get(options.clientId) as Account;
    this.primary.webhookUrl = options.webhookUrl;
    this.server = new SimServer<AtripFaults>(
      (url) => url.pathname.replace(/^\/+/, ""),
      (req) => this.handle(req),
      options.faults,
    );
  }

  /** The first account's state (its voids, stops and clock-driven webhooks). */
  get state(): AtripSimState {
    return this.primary.state;
  }

  /** The state of the account `clientId` names (a tenant's own; for tests), if it is one. */
  stateOf(clientId: string): AtripSimState | undefined {
    return this.accounts.get(clientId)?.state;
  }

  /** Where the first account's webhooks go. */
  get webhookUrl(): string | undefined {
    return this.primary.webhookUrl;
  }

  set webhookUrl(url: string | undefined) {
    this.primary.webhookUrl = url;
  }

  /** Starts a simulator on host:port (0 = a free port). */
  static async start(options: AtripSimulatorOptions, port = 0, host = "127.0.0.1"): Promise<AtripSimulator> {
    const sim = new AtripSimulator(options);
    if (options.keepAliveTimeoutMs !== undefined) sim.server.keepAliveTimeoutMs = options.keepAliveTimeoutMs;
    await sim.server.listen(port, host);
    return sim;
  }

  get url(): string {
    return this.server.url;
  }

  async close(): Promise<void> {
    for (const a of this.accounts.values()) a.state.close();
    await this.server.close();
  }

  private handle(req: SimRequest): SimReply {
    if (req.method !== "POST") return { status: 405, body: { status: 901, msg: "Illegal request: POST only" } };
    const id = req.headers["x-atlas-client-id"];
    const account = typeof id === "string" ? this.accounts.get(id) : undefined;
    if (!account || req.headers["x-atlas-client-secret"] !== account.clientSecret) {
      return { body: { status: 900, msg: "Unauthorized" } };
    }
    req.account = account.clientId;
    // Accept, Content-Type and Accept-Encoding are required on every call (the supplier summary
    // ATRIP.md; seed 002 marks them required on each void call): a client that drops one is
    // refused, not served (docs/suppliers/atrip.md "Transport").
    for (const name of ["accept", "content-type", "accept-encoding"]) {
      if (!req.headers[name]) return { body: { status: 100, msg: `Required data missing: the ${name} header` } };
    }
    if (!/^application\/json\b/i.test(String(req.headers["content-type"]))) {
      return { body: { status: 901, msg: "Illegal request: the body must be application/json" } };
    }
    const state = account.state;
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(req.rawBody);
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
      body = parsed as Record<string, unknown>;
    } catch {
      return { body: { status: 901, msg: "Illegal request: the body is not JSON" } };
    }
    const text = (name: string) => (typeof body[name] === "string" && body[name] !== "" ? (body[name] as string) : undefined);
    // Seed 002 documents 810 ("Invalid request parameters") for the void calls; elsewhere the
    // common 100 ("required data missing").
    const missing = (name: string) =>
      VOID_CALLS.has(req.operation)
        ? { body: { status: 810, msg: `Invalid request parameters: ${name}` } }
        : { body: { status: 100, msg: `Required data missing: ${name}` } };
    switch (req.operation) {
      case "voidQuotation.do": {
        const orderNo = text("orderNo");
        return orderNo ? { body: state.quote(orderNo) } : missing("orderNo");
      }
      case "void.do": {
        const orderNo = text("orderNo");
        const offer = text("voidOfferId");
        if (!orderNo) return missing("orderNo");
        if (!offer) return missing("voidOfferId");
        return { body: state.submit(orderNo, offer) };
      }
      case "queryVoidOrders.do": {
        const voidCode = text("voidCode");
        return voidCode ? { body: state.queryVoid(voidCode) } : missing("voidCode");
      }
      case "stopTicket.do": {
        // Seed 001 shows "cid" (the client id) in this body too; the headers decide (docs/suppliers/atrip.md),
        // so the simulator reads the body's cid nowhere, and tests look at what was sent.
        const orderNo = text("orderNo");
        return orderNo ? { body: state.stop(orderNo) } : missing("orderNo");
      }
      case "queryOrderDetails.do": {
        const orderNo = text("orderNo");
        if (orderNo) return { body: state.orderDetails(orderNo) };
        // The other documented form, airlinePNR + carrier: the demo orders have no PNR, so none is found (703);
        // half of it is 702 (PNR and carrier needed).
        if (text("airlinePNR") && text("carrier")) return { body: { status: 703, msg: "No order found" } };
        return { body: { status: 702, msg: "airlinePNR and carrier are required" } };
      }
      case "updateWebhookURL.do": {
        const url = text("url");
        // 100 (required data missing) is a common status; 810 is documented for the void calls only.
        if (!url || !/^https?:\/\//.test(url)) return { body: { status: 100, msg: "Required data missing: url" } };
        account.webhookUrl = url;
        return { body: { status: 0, msg: "success" } };
      }
      default:
        return { status: 404, body: { status: 901, msg: `Unknown endpoint ${req.operation}` } };
    }
  }

  /** Best-effort delivery, as ATRIP's: no retry, no signature; some may be dropped on purpose. */
  private async sendWebhook(clientId: string, type: string, data: Record<string, unknown>): Promise<void> {
    const account = this.accounts.get(clientId) as Account;
    const url = account.webhookUrl;
    if (!url) return;
    if (Math.random() < (this.server.faults.webhookDropRate ?? 0)) {
      this.server.count("webhook.dropped");
      return;
    }
    try {
      const res = await request(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ cid: account.clientId, type, status: -1, data }),
      });
      await res.body.dump();
      this.server.count(res.statusCode >= 200 && res.statusCode < 300 ? "webhook.sent" : "webhook.refused");
    } catch {
      this.server.count("webhook.failed");
    }
  }
}
