/**
 * The ATRIP simulator: a real HTTP server speaking ATRIP's protocol as ATRIP.md describes it
 * (headers checked → 900, non-JSON → 901, gzip when asked, status codes of the void and stop
 * calls) with the demo orders of ./orders.ts, a scalable clock, webhooks to the URL registered
 * with updateWebhookURL.do, and the fault knobs of ../http-kit.ts.
 */
import { request } from "undici";
import { SimClock } from "../clock.js";
import { SimServer, type Faults, type SimReply, type SimRequest } from "../http-kit.js";
import { AtripSimState, DEFAULT_TIMING, type AtripSimTiming } from "./state.js";

/** The shared fault knobs plus ATRIP's own: its webhooks are best effort and may be lost. */
export interface AtripFaults extends Faults {
  /** Share of webhooks the simulator "loses" (0..1; absent: none). */
  webhookDropRate?: number;
}

export interface AtripSimulatorOptions {
  clientId: string;
  clientSecret: string;
  /** Simulated time runs this many times faster than real time. */
  timeScale?: number;
  timing?: Partial<AtripSimTiming>;
  faults?: Partial<AtripFaults>;
  /** Initial webhook URL (otherwise set with updateWebhookURL.do). */
  webhookUrl?: string;
  /** Idle keep-alive of its HTTP server. @default 5000 */
  keepAliveTimeoutMs?: number;
}

export class AtripSimulator {
  readonly clock: SimClock;
  readonly server: SimServer<AtripFaults>;
  readonly state: AtripSimState;
  webhookUrl: string | undefined;

  private constructor(private readonly options: AtripSimulatorOptions) {
    this.clock = new SimClock(options.timeScale ?? 1);
    this.webhookUrl = options.webhookUrl;
    this.state = new AtripSimState(this.clock, { ...DEFAULT_TIMING, ...options.timing }, (type, data) => void this.sendWebhook(type, data));
    this.server = new SimServer<AtripFaults>((url) => url.pathname.replace(/^\/+/, ""), (req) => this.handle(req), options.faults);
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
    this.state.close();
    await this.server.close();
  }

  private handle(req: SimRequest): SimReply {
    if (req.method !== "POST") return { status: 405, body: { status: 901, msg: "Illegal request: POST only" } };
    if (req.headers["x-atlas-client-id"] !== this.options.clientId || req.headers["x-atlas-client-secret"] !== this.options.clientSecret) {
      return { body: { status: 900, msg: "Unauthorized" } };
    }
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(req.rawBody);
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
      body = parsed as Record<string, unknown>;
    } catch {
      return { body: { status: 901, msg: "Illegal request: the body is not JSON" } };
    }
    const text = (name: string) => (typeof body[name] === "string" && body[name] !== "" ? (body[name] as string) : undefined);
    const missing = (name: string) => ({ body: { status: 100, msg: `Required data missing: ${name}` } });
    switch (req.operation) {
      case "voidQuotation.do": {
        const orderNo = text("orderNo");
        return orderNo ? { body: this.state.quote(orderNo) } : missing("orderNo");
      }
      case "void.do": {
        const orderNo = text("orderNo");
        const offer = text("voidOfferId");
        if (!orderNo) return missing("orderNo");
        if (!offer) return missing("voidOfferId");
        return { body: this.state.submit(orderNo, offer) };
      }
      case "queryVoidOrders.do": {
        const voidCode = text("voidCode");
        return voidCode ? { body: this.state.queryVoid(voidCode) } : missing("voidCode");
      }
      case "stopTicket.do": {
        // Seed 001 shows "cid" (the client id) in this body too; the headers decide (ATRIP.md),
        // so the simulator reads the body's cid nowhere, and tests look at what was sent.
        const orderNo = text("orderNo");
        return orderNo ? { body: this.state.stop(orderNo) } : missing("orderNo");
      }
      case "queryOrderDetails.do": {
        const orderNo = text("orderNo");
        return orderNo ? { body: this.state.orderDetails(orderNo) } : missing("orderNo");
      }
      case "updateWebhookURL.do": {
        const url = text("url");
        if (!url || !/^https?:\/\//.test(url)) return { body: { status: 810, msg: "Invalid request parameters: url" } };
        this.webhookUrl = url;
        return { body: { status: 0, msg: "success" } };
      }
      default:
        return { status: 404, body: { status: 901, msg: `Unknown endpoint ${req.operation}` } };
    }
  }

  /** Best-effort delivery, as ATRIP's: no retry, no signature; some may be dropped on purpose. */
  private async sendWebhook(type: string, data: Record<string, unknown>): Promise<void> {
    const url = this.webhookUrl;
    if (!url) return;
    if (Math.random() < (this.server.faults.webhookDropRate ?? 0)) {
      this.server.count("webhook.dropped");
      return;
    }
    try {
      const res = await request(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ cid: this.options.clientId, type, status: -1, data }),
      });
      await res.body.dump();
      this.server.count(res.statusCode >= 200 && res.statusCode < 300 ? "webhook.sent" : "webhook.refused");
    } catch {
      this.server.count("webhook.failed");
    }
  }
}
