/**
 * The CTT simulator: POST /api/order/cancel as docs/suppliers/ctt.md describes, with the signature checked
 * (bad sign → code -2 with a message), time_stamp and random checked, and the demo orders of
 * ./orders.ts (unknown order → code -3). The codes are the simulator's own: CTT documents
 * none. The signature is the simulator's own reading of docs/suppliers/ctt.md, in ./signature.ts.
 * Several accounts (signing keys) may call it: the key a request is signed with says whose it
 * is; each account sees only the orders it booked (../bookings.ts), and every request is
 * recorded with its account's label (never the key).
 */
import { Bookings } from "../bookings.js";
import { findTemplate } from "../demo-orders.js";
import { SimServer, type Faults, type SimReply, type SimRequest } from "../http-kit.js";
import { CTT_ORDERS } from "./orders.js";
import { expectedCttSign, parseCttTimeStamp } from "./signature.js";

/** A CTT account: its signing key, and a name for it in the request log. */
export interface CttSimAccount {
  signKey: string;
  /** @default "primary" for the first account, "account-<n>" for the others */
  label?: string;
}

export interface CttSimulatorOptions {
  /** The first account's key (the gateway's own). */
  signKey: string;
  /** More accounts (tenants' own), each seeing only the orders it booked. */
  accounts?: CttSimAccount[];
  faults?: Partial<Faults>;
}

const MAX_SKEW_MS = 10 * 60_000;

function result(code: number, message: string, data: string | null = null): SimReply {
  return { body: { code, message, data } };
}

export class CttSimulator {
  readonly server: SimServer;
  private readonly cancelled = new Set<string>();
  private readonly accounts: Array<Required<CttSimAccount>>;
  private readonly bookings = new Bookings();

  private constructor(options: CttSimulatorOptions) {
    this.accounts = [{ signKey: options.signKey, label: "primary" }, ...(options.accounts ?? [])].map((a, i) => ({
      signKey: a.signKey,
      label: a.label ?? `account-${i}`,
    }));
    this.server = new SimServer(
      (url) => url.pathname.replace(/^\/+/, ""),
      (req) => this.handle(req),
      options.faults,
    );
  }

  static async start(options: CttSimulatorOptions, port = 0, host = "127.0.0.1"): Promise<CttSimulator> {
    const sim = new CttSimulator(options);
    await sim.server.listen(port, host);
    return sim;
  }

  get url(): string {
    return this.server.url;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private handle(req: SimRequest): SimReply {
    if (req.operation !== "api/order/cancel")
      return { status: 404, body: { Message: `No HTTP resource was found that matches the request URI '${req.url.pathname}'.` } };
    if (req.method !== "POST") return { status: 405, body: { Message: "The requested resource does not support http method." } };
    // ASP.NET Web API picks its reader by Content-Type; the gateway speaks JSON (seed 004), and a
    // body of another type is refused as the framework does, 415.
    if (!/^application\/json\b/i.test(String(req.headers["content-type"] ?? ""))) {
      return { status: 415, body: { Message: "The request entity's media type is not supported for this resource." } };
    }
    let b: Record<string, unknown>;
    try {
      b = JSON.parse(req.rawBody) as Record<string, unknown>;
      if (b === null || typeof b !== "object") throw new Error("not an object");
    } catch {
      return { status: 400, body: { Message: "The request is invalid." } };
    }
    const { order_number, refund_passanger_ids, terminal, time_stamp, random, sign } = b;
    if (typeof order_number !== "string" || !order_number) return result(0, "参数错误: order_number");
    if (typeof refund_passanger_ids !== "string") return result(0, "参数错误: refund_passanger_ids");
    if (typeof time_stamp !== "string" || typeof random !== "number" || typeof terminal !== "number" || typeof sign !== "string") {
      return result(-2, "签名参数缺失 (signature fields missing)");
    }
    const at = parseCttTimeStamp(time_stamp);
    if (at === null || Math.abs(at - Date.now()) > MAX_SKEW_MS) return result(-2, "时间戳无效 (time_stamp invalid or skewed)");
    if (!Number.isInteger(random) || random < 10000 || random > 19999) return result(-2, "随机数无效 (random out of range)");
    const account = this.accounts.find((a) => expectedCttSign(a.signKey, random, time_stamp, terminal) === sign);
    if (!account) return result(-2, "签名错误 (invalid sign)");
    req.account = account.label;
    const found = findTemplate(CTT_ORDERS, order_number);
    const order = found && this.bookings.book(account.label, order_number) ? found : undefined;
    if (!order) return result(-3, "订单不存在 (order not found)");
    if (order.outcome === "TOO_LATE")
      return result(0, "距发车不足30天，不能通过此接口取消 (departs within 30 days: cannot be cancelled here)");
    if (this.cancelled.has(order_number)) return result(0, "订单已取消 (already cancelled)");
    this.cancelled.add(order_number);
    // The last two cancel the order but answer in a way the gateway cannot interpret.
    if (order.outcome === "ODD_CODE") return result(2, "已受理 (accepted)", order_number);
    if (order.outcome === "NO_CODE") return { body: { message: "取消成功 (cancelled)", data: order_number } };
    return result(1, "取消成功 (cancelled)", order_number);
  }
}
