/**
 * Prometheus metrics (prom-client) served at /metrics: GraphQL operations, supplier calls,
 * circuits, tracked work, poll lag, webhooks, websockets, subscriptions, event delivery and the
 * Node process. One registry per gateway (not prom-client's global), so tests can run several.
 * Every label value comes from a closed set, whatever a caller sends (hardening issue, item 1):
 * operations are labelled by root field (src/server/operation-label.ts), outcomes by the edge's
 * error codes (src/vocabulary/errors.ts, anything else is "OTHER"), suppliers by the registry.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { SupplierName } from "./vocabulary/suppliers.js";
import type { CallRecord } from "../datasources/http.js";
import { outcomeLabel } from "./vocabulary/errors.js";

/** What became of a webhook request. */
/** The HTTP transports of subscriptions (src/server/streams/). */
export type HttpStreamTransport = "multipart" | "sse";

/** Why a subscription stream over HTTP ended. */
export type HttpStreamEnd = "completed" | "failed" | "client_gone" | "slow_reader" | "token_expired" | "shutdown";

export type WebhookOutcome = "stored" | "not_found" | "too_large" | "bad_request" | "rate_limited" | "store_failed";

export interface MetricSources {
  /** Supplier name → circuit open? */
  circuits(): Array<{ supplier: string; open: boolean }>;
  /** Each tracked kind's gauge of records not yet final (the tracked-kinds list's `openGauge`) and its count. */
  openRecords: ReadonlyArray<{ gauge: { name: string; help: string }; count(): Promise<number> }>;
  /** Seconds the most overdue open void has been waiting for its poll (0 when none is due). */
  pollLagSeconds(): Promise<number>;
  /** The same for every tracked kind (a stop past its check time, a void past its poll). */
  checkLag: ReadonlyArray<{ kind: string; seconds(): Promise<number> }>;
  /** Webhooks taken and not yet processed, and the oldest one's age. */
  inboxBacklog(): Promise<{ count: number; oldestSeconds: number }>;
  /** Orders whose state-changing call lost its reply and is not settled yet, by operation (every operation named, 0 included). */
  unsettled(): Promise<Array<{ operation: string; count: number }>>;
  /** True when the store answers (a ping per scrape). */
  storeUp(): Promise<boolean>;
  activeSubscriptions(): number;
  /** The most subscriptions one tenant has open on this instance, and the cap (MAX_SUBSCRIPTIONS_PER_TENANT). */
  tenantSubscriptions(): { max: number; limit: number };
}

/** The operations whose calls leave a mark when their reply is lost (src/store/unsettled-store.ts). */
export const UNSETTLED_OPERATIONS = ["VOID", "STOP", "CANCEL"] as const;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class Metrics {
  readonly registry = new Registry();
  private readonly operations = new Counter({
    name: "gateway_graphql_operations_total",
    help: "GraphQL operations by root field (or multiple, introspection, unknown) and outcome (OK, the first error code, or OTHER)",
    labelNames: ["operation", "outcome"],
    registers: [this.registry],
  });
  private readonly operationSeconds = new Histogram({
    name: "gateway_graphql_operation_duration_seconds",
    help: "GraphQL operation duration",
    labelNames: ["operation", "outcome"],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly supplierCalls = new Counter({
    name: "gateway_supplier_calls_total",
    help: "Supplier calls by supplier, operation and outcome (OK or the gateway error code)",
    labelNames: ["supplier", "operation", "outcome"],
    registers: [this.registry],
  });
  private readonly supplierSeconds = new Histogram({
    name: "gateway_supplier_call_duration_seconds",
    help: "Supplier call latency",
    labelNames: ["supplier", "operation"],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly webhooks = new Counter({
    name: "gateway_webhooks_received_total",
    help: "Webhooks received by supplier and outcome (stored, not_found, too_large, bad_request, rate_limited, store_failed)",
    labelNames: ["supplier", "outcome"],
    registers: [this.registry],
  });
  private readonly published = new Counter({
    name: "gateway_events_published_total",
    help: "Tracking events recorded in the event log by this instance, by tracked kind",
    labelNames: ["kind"],
    registers: [this.registry],
  });
  private readonly logReads = new Histogram({
    name: "gateway_event_log_read_seconds",
    help: "Reads of the event log for delivery to this instance's subscribers",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
    registers: [this.registry],
  });
  private readonly logEvents = new Counter({
    name: "gateway_event_log_events_read_total",
    help: "Events read from the event log for delivery to this instance's subscribers",
    registers: [this.registry],
  });
  private readonly delivery = new Histogram({
    name: "gateway_event_delivery_seconds",
    help: "From recording an event to handing it to a subscriber",
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [this.registry],
  });
  private readonly sockets = new Gauge({
    name: "gateway_websocket_connections",
    help: "Open graphql-ws connections",
    registers: [this.registry],
  });

  private readonly httpStreams = new Gauge({
    name: "gateway_http_subscription_streams",
    help: "Open subscription streams over HTTP, by transport (multipart, sse)",
    labelNames: ["transport"],
    registers: [this.registry],
  });
  private readonly httpStreamEnds = new Counter({
    name: "gateway_http_subscription_streams_ended_total",
    help: "Subscription streams over HTTP that ended, by transport and reason (completed, failed, client_gone, slow_reader, token_expired, shutdown)",
    labelNames: ["transport", "reason"],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Adds the gauges read at scrape time from the parts of a running gateway (its registry, store
   * and tracking), once they exist; the counters above are fed as things happen.
   */
  watch(sources: MetricSources): void {
    new Gauge({
      name: "gateway_supplier_circuit_open",
      help: "1 while the gateway has stopped calling the supplier",
      labelNames: ["supplier"],
      registers: [this.registry],
      collect() {
        for (const c of sources.circuits()) this.set({ supplier: c.supplier }, c.open ? 1 : 0);
      },
    });
    for (const open of sources.openRecords) this.storeGauge(open.gauge.name, open.gauge.help, open.count);
    this.storeGauge(
      "gateway_poll_lag_seconds",
      "How long the most overdue open void has waited past its poll time",
      sources.pollLagSeconds,
    );
    new Gauge({
      name: "gateway_check_lag_seconds",
      help: "How long the most overdue open record of each tracked kind has waited past its check time (a stop past its check, a void past its poll)",
      labelNames: ["kind"],
      registers: [this.registry],
      async collect() {
        for (const k of sources.checkLag) {
          await k.seconds().then(
            (v) => this.set({ kind: k.kind }, v),
            () => this.set({ kind: k.kind }, Number.NaN),
          );
        }
      },
    });
    // One statement for both inbox gauges: a scrape collects them together, so they share the read in flight.
    let inbox: ReturnType<MetricSources["inboxBacklog"]> | undefined;
    const backlog = () => (inbox ??= sources.inboxBacklog().finally(() => (inbox = undefined)));
    this.storeGauge("gateway_webhook_inbox_backlog", "Webhooks taken and not yet processed", async () => (await backlog()).count);
    this.storeGauge(
      "gateway_webhook_inbox_oldest_seconds",
      "Age of the oldest webhook not yet processed (0 when none waits)",
      async () => (await backlog()).oldestSeconds,
    );
    new Gauge({
      name: "gateway_unsettled_orders",
      help: "Orders whose state-changing call (VOID, STOP, CANCEL) lost its reply, or was answered in a way that does not prove nothing happened, and that nothing has settled yet",
      labelNames: ["operation"],
      registers: [this.registry],
      async collect() {
        await sources.unsettled().then(
          (counts) => {
            for (const c of counts) this.set({ operation: c.operation }, c.count);
          },
          () => {
            for (const operation of UNSETTLED_OPERATIONS) this.set({ operation }, Number.NaN);
          },
        );
      },
    });
    this.readGauge("gateway_store_up", "1 while the gateway's store answers (checked at each scrape), 0 when it does not", async () =>
      (await sources.storeUp()) ? 1 : 0,
    );
    this.readGauge(
      "gateway_subscriptions_tenant_max",
      "The most subscriptions one tenant has open on this instance (compare gateway_subscriptions_tenant_limit)",
      () => sources.tenantSubscriptions().max,
    );
    this.readGauge(
      "gateway_subscriptions_tenant_limit",
      "Subscriptions one tenant may have open on one instance (MAX_SUBSCRIPTIONS_PER_TENANT)",
      () => sources.tenantSubscriptions().limit,
    );
    this.readGauge("gateway_active_subscriptions", "Open GraphQL subscriptions on this instance", sources.activeSubscriptions);
  }

  /** A gauge whose value is read at each scrape. */
  private readGauge(name: string, help: string, read: () => number | Promise<number>): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        this.set(await read());
      },
    });
  }

  /**
   * A gauge read from the store at each scrape. A failed read sets it to NaN — unknown, which
   * no threshold matches; `gateway_store_up` 0 says why — instead of failing the whole scrape,
   * so the alerts on the other metrics keep working while the store is away.
   */
  private storeGauge(name: string, help: string, read: () => Promise<number>): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        await read().then(
          (v) => this.set(v),
          () => this.set(Number.NaN),
        );
      },
    });
  }

  /**
   * Label children, looked up once per label set: prom-client hashes the labels on every call
   * otherwise (issue 14). The label sets are closed, so this map stays small.
   */
  private readonly children = new Map<string, unknown>();

  private child<T>(key: string, make: () => T): T {
    let c = this.children.get(key) as T | undefined;
    if (c === undefined) this.children.set(key, (c = make()));
    return c;
  }

  /** `label` from OperationLabels (a closed set); the outcome is closed here. */
  operation(label: string, outcome: string, seconds: number): void {
    const closed = outcomeLabel(outcome);
    const c = this.child(`op\u0000${label}\u0000${closed}`, () => ({
      count: this.operations.labels(label, closed),
      time: this.operationSeconds.labels(label, closed),
    }));
    c.count.inc();
    c.time.observe(seconds);
  }

  supplierCall(call: CallRecord): void {
    const outcome = outcomeLabel(call.outcome);
    this.child(`calls\u0000${call.supplier}\u0000${call.operation}\u0000${outcome}`, () =>
      this.supplierCalls.labels(call.supplier, call.operation, outcome),
    ).inc();
    this.child(`latency\u0000${call.supplier}\u0000${call.operation}`, () =>
      this.supplierSeconds.labels(call.supplier, call.operation),
    ).observe(call.durationMs / 1000);
  }

  /** `supplier` is a configured supplier's name or "unknown", never the path segment a caller sent. */
  webhook(supplier: SupplierName | "unknown", outcome: WebhookOutcome): void {
    this.webhooks.inc({ supplier, outcome });
  }

  eventPublished(kind: "void" | "stop"): void {
    this.published.inc({ kind });
  }

  logRead(events: number, seconds: number): void {
    this.logReads.observe(seconds);
    this.logEvents.inc(events);
  }

  eventDelivered(occurredAt: Date | string): void {
    this.delivery.observe(Math.max(0, (Date.now() - new Date(occurredAt).getTime()) / 1000));
  }

  httpStreamOpened(transport: HttpStreamTransport): void {
    this.httpStreams.inc({ transport });
  }

  httpStreamEnded(transport: HttpStreamTransport, reason: HttpStreamEnd): void {
    this.httpStreams.dec({ transport });
    this.httpStreamEnds.inc({ transport, reason });
  }

  socketOpened(): void {
    this.sockets.inc();
  }

  socketClosed(): void {
    this.sockets.dec();
  }
}
