/**
 * The Alitrip TOP router simulator: form-encoded POSTs checked the way the platform does
 * (docs/suppliers/alitrip.md): method (21/22), app_key (28/29), session (26/27), timestamp and its 10-minute
 * skew (30/31), version (32/34), format (23), signature in all three sign methods (24/25),
 * business parameters (40/41 with isv.* sub codes); then the demo orders of ./orders.ts.
 * The protocol (signing, GMT+8 times) is the simulator's own reading, in ./top-protocol.ts.
 * Several apps (app key, secret and session) may call it; each sees only the orders it
 * booked (../bookings.ts), and every request is recorded with its app key.
 */
import { randomBytes } from "node:crypto";
import { Bookings } from "../bookings.js";
import { findTemplate } from "../demo-orders.js";
import { SimServer, type Faults, type SimReply, type SimRequest } from "../http-kit.js";
import { ALITRIP_ORDERS } from "./orders.js";
import { CANCEL_METHOD, expectedSign, formatGmt8, isSignMethod, parseGmt8, responseKeyOf } from "./top-protocol.js";

/** A TOP app and the session of the user who authorised it: one account. */
export interface AlitripSimAccount {
  appKey: string;
  appSecret: string;
  session: string;
  /** Its name in the request log. @default the app key */
  label?: string;
}

export interface AlitripSimulatorOptions extends AlitripSimAccount {
  /** More accounts (tenants' own), each seeing only the orders it booked. */
  accounts?: AlitripSimAccount[];
  faults?: Partial<Faults>;
}

const MAX_SKEW_MS = 10 * 60_000;

function topFailure(code: number, msg: string, sub_code?: string, sub_msg?: string): SimReply {
  return { body: { error_response: { code, msg, sub_code, sub_msg, request_id: randomBytes(6).toString("hex") } } };
}

export class AlitripSimulator {
  readonly server: SimServer;
  private readonly cancelled = new Set<string>();
  private readonly accounts: AlitripSimAccount[];
  private readonly bookings = new Bookings();

  private constructor(options: AlitripSimulatorOptions) {
    this.accounts = [options, ...(options.accounts ?? [])];
    this.server = new SimServer(
      () => "router/rest",
      (req) => this.handle(req),
      options.faults,
    );
  }

  static async start(options: AlitripSimulatorOptions, port = 0, host = "127.0.0.1"): Promise<AlitripSimulator> {
    const sim = new AlitripSimulator(options);
    await sim.server.listen(port, host);
    return sim;
  }

  /** The router URL to configure as ALITRIP_URL. */
  get url(): string {
    return `${this.server.url}/router/rest`;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private handle(req: SimRequest): SimReply {
    if (req.method !== "POST") return topFailure(9, "Http Action Not Allowed");
    // The router reads a form body only (docs/suppliers/alitrip.md "Transport"): any other body
    // has no parameters it can see, so it is missing its method, as the real router answers.
    const form = /^application\/x-www-form-urlencoded\b/i.test(String(req.headers["content-type"] ?? ""));
    const p = form ? Object.fromEntries(new URLSearchParams(req.rawBody)) : {};
    if (!p.method) return topFailure(21, "Missing Method");
    if (!p.app_key) return topFailure(28, "Missing App Key");
    const app = this.accounts.filter((a) => a.appKey === p.app_key);
    if (!app.length) return topFailure(29, "Invalid App Key");
    if (!p.session) return topFailure(26, "Missing Session");
    const account = app.find((a) => a.session === p.session);
    if (!account) return topFailure(27, "Invalid Session");
    req.account = account.label ?? account.appKey;
    if (!p.timestamp) return topFailure(30, "Missing Timestamp");
    const ts = parseGmt8(p.timestamp);
    if (ts === null || Math.abs(ts - Date.now()) > MAX_SKEW_MS) {
      return topFailure(31, "Invalid Timestamp", "isv.invalid-timestamp", `server time ${formatGmt8(Date.now())} (GMT+8)`);
    }
    if (!p.v) return topFailure(32, "Missing Version");
    if (p.v !== "2.0") return topFailure(34, "Unsupported Version");
    if (p.format !== "json") return topFailure(23, "Invalid Format");
    if (!p.sign) return topFailure(24, "Missing Signature");
    const method = p.sign_method || "md5";
    if (!isSignMethod(method) || expectedSign(p, account.appSecret, method) !== p.sign) {
      return topFailure(25, "Invalid Signature");
    }
    if (p.method !== CANCEL_METHOD) return topFailure(22, "Invalid Method");
    return this.cancel(account, p.param_btrip_flight_order_operate_common_rq);
  }

  private cancel(account: AlitripSimAccount, raw: string | undefined): SimReply {
    if (!raw) return topFailure(40, "Missing Required Arguments", "isv.missing-parameter", "param_btrip_flight_order_operate_common_rq");
    let rq: { sub_channel?: unknown; dis_order_id?: unknown };
    try {
      rq = JSON.parse(raw) as typeof rq;
    } catch {
      return topFailure(41, "Invalid Arguments", "isv.invalid-parameter", "param_btrip_flight_order_operate_common_rq is not JSON");
    }
    if (typeof rq.sub_channel !== "string" || !rq.sub_channel)
      return topFailure(40, "Missing Required Arguments", "isv.missing-parameter", "sub_channel");
    if (typeof rq.dis_order_id !== "string" || !rq.dis_order_id)
      return topFailure(40, "Missing Required Arguments", "isv.missing-parameter", "dis_order_id");
    const found = findTemplate(ALITRIP_ORDERS, rq.dis_order_id);
    const order = found && this.bookings.book(`${account.appKey}\u0000${account.session}`, rq.dis_order_id) ? found : undefined;
    if (!order) return topFailure(50, "Remote service error", "isv.order-not-exist", "订单不存在");
    if (order.outcome === "REMOTE_ERROR")
      return topFailure(15, "Remote service error", "isp.remote-service-error", "服务暂不可用，请稍后重试");
    const reply = (result: Record<string, unknown>): SimReply => ({
      body: { [responseKeyOf(CANCEL_METHOD)]: { result, request_id: randomBytes(6).toString("hex") } },
    });
    if (order.outcome === "TICKETED") {
      // The seed's own sample reply (seed 003, docs/suppliers/alitrip.md "Sources"), verbatim apart from the time.
      return reply({
        module: { cancel_time: formatGmt8(Date.now()), fail_code: "1001", fail_reason: "已出票不可取消", order_status: "5" },
        result_code: 1001,
        result_msg: "取消失败",
        success: true,
      });
    }
    if (order.outcome === "REFUSED") return reply({ result_code: 1003, result_msg: "订单状态不允许取消", success: false });
    // The seed's failure sample without its fail fields: result_code and result_msg alone say so.
    if (order.outcome === "FAILED_BARE")
      return reply({ module: { order_status: "5" }, result_code: 1001, result_msg: "取消失败", success: true });
    if (this.cancelled.has(rq.dis_order_id)) {
      return reply({
        module: { fail_code: "1002", fail_reason: "订单已取消", order_status: "CANCELLED" },
        result_code: 1002,
        result_msg: "取消失败",
        success: true,
      });
    }
    this.cancelled.add(rq.dis_order_id);
    // order_status "CANCELLED" is the simulator's; the platform's cancelled value is unpublished.
    const module = { cancel_time: formatGmt8(Date.now()), order_status: "CANCELLED" };
    switch (order.outcome) {
      case "CANCELLED_BARE":
        return reply({ module, success: true });
      case "NO_SUCCESS":
        // The order is cancelled, but the reply does not say so: the gateway cannot tell.
        return reply({ module, result_msg: "处理中" });
      case "ODD_ERROR":
        return topFailure(77, "Unlisted platform error");
      default:
        return reply({ module, result_code: 200, result_msg: "取消成功", success: true });
    }
  }
}
