/**
 * What the three supplier simulators share: a real node:http server, body reading with a cap,
 * JSON (optionally gzip) replies, request counting, and fault injection for tests. Admin
 * routes under /__sandbox/ let a test change faults and read counters of a simulator running
 * in another process:
 *   GET  /__sandbox/stats   → { total, byOperation, events }
 *   GET  /__sandbox/requests → the latest requests: operation, time, body, account (who called) and traceparent
 *   POST /__sandbox/faults  ← Partial<Faults> (replaces the current faults)
 *   POST /__sandbox/reset   → counters to zero, faults off
 * Nothing here knows a supplier: a simulator that needs knobs of its own (lost
 * webhooks) extends Faults in its own folder.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { stringify } from "lossless-json";
import { releasePort, untracedPort } from "../telemetry/untraced.js";

/** Fault knobs. Rates are probabilities 0..1 per request. */
export interface Faults {
  /** Added delay before every reply, in real ms. */
  latencyMs: number;
  /** When set, only this share of requests gets the added delay (intermittent slowness). */
  slowRate?: number;
  /**
   * Added delay after a request was handled and before its reply, in real ms: the supplier has
   * acted (and may have sent its webhooks), its reply is slow.
   */
  replyDelayMs?: number;
  /** Share of requests answered with HTTP 500. */
  http500Rate: number;
  /** Share of requests answered with a body that is not JSON. */
  malformedRate: number;
  /** Share of requests whose connection is reset after the request was read. */
  resetRate: number;
  /** Share of replies sent with Content-Encoding: gzip but a corrupt body. */
  brokenGzipRate: number;
  /** When non-empty, faults apply only to these operations (e.g. ["void.do"]). */
  operations: string[];
  /**
   * In every matching reply's JSON text, `from` replaced by `to` (e.g. a string holding the
   * escape `\u0000`, which a real supplier may send and no store can keep).
   */
  rewrite?: { from: string; to: string };
  /** The next `count` matching requests get this HTTP status (e.g. 500, or 429 with Retry-After). */
  failNext?: { status: number; count: number; retryAfter?: string; body?: string; contentType?: string };
}

export const NO_FAULTS: Faults = {
  latencyMs: 0,
  http500Rate: 0,
  malformedRate: 0,
  resetRate: 0,
  brokenGzipRate: 0,
  operations: [],
};

/** What a simulator's route handler returns: an HTTP status and a JSON-able body. */
export interface SimReply {
  status?: number;
  body: unknown;
}

/** A route handler: the operation name (for counting and faults) and the request. */
export interface SimRequest {
  operation: string;
  method: string;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  url: URL;
  /** Set by the handler: which of the simulator's accounts the request was made as (never a secret). */
  account?: string;
}

/** One request as the simulator recorded it. */
export interface SeenRequest {
  operation: string;
  at: number;
  body: string;
  /** The account it was made as, when the simulator recognised one. */
  account?: string;
  /** The W3C trace context it carried, if any. */
  traceparent?: string;
}

export type Handler = (req: SimRequest) => SimReply | Promise<SimReply>;

const MAX_BODY = 1024 * 1024;

/**
 * A running simulator: its base URL, counters, fault knobs and a close(). F is Faults plus the
 * simulator's own knobs, which must be optional (absent = off): resets fill in NO_FAULTS only.
 */
export class SimServer<F extends Faults = Faults> {
  readonly stats = {
    total: 0,
    byOperation: {} as Record<string, number>,
    /** Other things a simulator counts (webhooks sent, dropped…). */
    events: {} as Record<string, number>,
  };
  faults: F;
  /**
   * The latest requests (at most 2000), for tests that check who asked what and when; with the
   * W3C `traceparent` header when one came (no other header: they carry credentials).
   */
  readonly recent: SeenRequest[] = [];
  /** Called for every supplier request (not admin routes), for benches that time who asked what. */
  onRequest?: (r: SeenRequest) => void;
  /** The last request's operation and headers, for tests that check what a client sent. */
  lastRequest?: { operation: string; headers: http.IncomingHttpHeaders; body: string };
  private server?: http.Server;
  private readonly sockets = new Set<import("node:net").Socket>();
  private port?: number;
  url = "";

  constructor(
    private readonly operationOf: (url: URL) => string,
    private readonly handler: Handler,
    faults: Partial<F> = {},
  ) {
    this.faults = { ...NO_FAULTS, ...faults } as F;
  }

  /**
   * How long an idle keep-alive connection stays open. Benches set 65 s, as a production front
   * end would (issue 14); set before listen().
   */
  keepAliveTimeoutMs = 5000;

  /** Starts listening on host:port (0 = any free port) and resolves with the base URL. */
  async listen(port = 0, host = "127.0.0.1"): Promise<string> {
    const server = http.createServer((req, res) => void this.serve(req, res));
    server.keepAliveTimeout = this.keepAliveTimeoutMs;
    server.headersTimeout = Math.max(server.headersTimeout, this.keepAliveTimeoutMs + 1000);
    server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
    const addr = server.address() as AddressInfo;
    // A simulator is a supplier stand-in: what it receives is not the gateway's work to trace.
    untracedPort(addr.port);
    this.port = addr.port;
    this.url = `http://${host}:${addr.port}`;
    return this.url;
  }

  /** True when a fault of this kind should hit this operation now. */
  roll(rate: number, operation: string): boolean {
    if (rate <= 0) return false;
    if (this.faults.operations.length && !this.faults.operations.includes(operation)) return false;
    return Math.random() < rate;
  }

  /** Adds one to a named event counter. */
  count(event: string): void {
    this.stats.events[event] = (this.stats.events[event] ?? 0) + 1;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    if (this.port !== undefined) releasePort(this.port);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sandbox");
    let rawBody: string;
    try {
      rawBody = await readBody(req);
    } catch {
      res.writeHead(413).end();
      return;
    }
    if (url.pathname.startsWith("/__sandbox/")) {
      this.admin(url, rawBody, res);
      return;
    }
    const operation = this.operationOf(url);
    this.lastRequest = { operation, headers: req.headers, body: rawBody };
    const traceparent = req.headers.traceparent;
    const seen: SeenRequest = { operation, at: Date.now(), body: rawBody, ...(typeof traceparent === "string" ? { traceparent } : {}) };
    this.recent.push(seen);
    this.onRequest?.(seen);
    if (this.recent.length > 2000) this.recent.splice(0, this.recent.length - 2000);
    this.stats.total += 1;
    this.stats.byOperation[operation] = (this.stats.byOperation[operation] ?? 0) + 1;
    const f = this.faults;
    const slow = f.slowRate === undefined || Math.random() < f.slowRate;
    if (f.latencyMs > 0 && slow && (!f.operations.length || f.operations.includes(operation))) {
      await new Promise((r) => setTimeout(r, f.latencyMs));
    }
    if (this.roll(f.resetRate, operation)) {
      req.socket.destroy();
      return;
    }
    const next = f.failNext;
    if (next && next.count > 0 && (!f.operations.length || f.operations.includes(operation))) {
      next.count -= 1;
      res
        .writeHead(next.status, {
          ...(next.retryAfter ? { "Retry-After": next.retryAfter } : {}),
          ...(next.contentType ? { "Content-Type": next.contentType } : {}),
        })
        .end(next.body ?? `HTTP ${next.status}`);
      return;
    }
    if (this.roll(f.http500Rate, operation)) {
      res.writeHead(500, { "Content-Type": "text/plain" }).end("Internal Server Error");
      return;
    }
    if (this.roll(f.malformedRate, operation)) {
      res.writeHead(200, { "Content-Type": "application/json" }).end('{"truncated": "repl');
      return;
    }
    let reply: SimReply;
    const simReq: SimRequest = { operation, method: req.method ?? "GET", headers: req.headers, rawBody, url };
    try {
      reply = await this.handler(simReq);
      if (simReq.account !== undefined) seen.account = simReq.account;
    } catch (err) {
      res.writeHead(500, { "Content-Type": "text/plain" }).end(String(err));
      return;
    }
    if (f.replyDelayMs && (!f.operations.length || f.operations.includes(operation))) {
      await new Promise((r) => setTimeout(r, f.replyDelayMs));
    }
    // lossless-json writes LosslessNumber("1280.50") as 1280.50, as a real supplier would.
    const written = stringify(reply.body) ?? "null";
    const matches = !f.operations.length || f.operations.includes(operation);
    const text = f.rewrite && matches ? written.replaceAll(f.rewrite.from, f.rewrite.to) : written;
    const gzip = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
    if (this.roll(f.brokenGzipRate, operation)) {
      res.writeHead(reply.status ?? 200, { "Content-Type": "application/json", "Content-Encoding": "gzip" });
      res.end(Buffer.from("this is not gzip at all"));
      return;
    }
    if (gzip) {
      this.count("reply.gzip");
      res.writeHead(reply.status ?? 200, { "Content-Type": "application/json;charset=utf-8", "Content-Encoding": "gzip" });
      res.end(gzipSync(text));
    } else {
      res.writeHead(reply.status ?? 200, { "Content-Type": "application/json;charset=utf-8" });
      res.end(text);
    }
  }

  private admin(url: URL, rawBody: string, res: http.ServerResponse): void {
    const send = (body: unknown): void => {
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(body));
    };
    switch (url.pathname) {
      case "/__sandbox/stats":
        return send(this.stats);
      case "/__sandbox/requests":
        return send(this.recent);
      case "/__sandbox/faults":
        try {
          this.faults = { ...NO_FAULTS, ...(JSON.parse(rawBody || "{}") as Partial<F>) } as F;
        } catch {
          res.writeHead(400).end();
          return;
        }
        return send(this.faults);
      case "/__sandbox/reset":
        this.stats.total = 0;
        this.stats.byOperation = {};
        this.stats.events = {};
        this.recent.length = 0;
        this.faults = { ...NO_FAULTS } as F;
        return send(this.stats);
      default:
        res.writeHead(404).end();
        return;
    }
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error("too large"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
