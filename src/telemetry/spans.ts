/**
 * The gateway's own spans, for the work no instrumentation can see: the supplier operation
 * (around the undici client span), webhook confirmation, a tracked record's transition,
 * delivery of an event to this instance's subscribers, and a scheduled poll run.
 *
 * Nothing here imports @opentelemetry/* at run time (types only): the API arrives through
 * `useOpenTelemetry` when src/telemetry/sdk.ts has started the SDK. With tracing off every
 * helper is one check of `otel` and calls straight through.
 *
 * Trace contexts that outlive a request (an inbox row confirmed later, maybe by another
 * instance; an event each instance delivers) are stored as W3C `traceparent` strings, written
 * and read here, independent of the configured propagators (OTEL_PROPAGATORS).
 *
 * Attributes: semantic-convention names where they exist (`error.type`), the gateway's own
 * under `gateway.*`. Never a header, a body, a credential or a token.
 */
import type * as Api from "@opentelemetry/api";

/** The gateway's attribute names. */
export const ATTR = {
  supplier: "gateway.supplier",
  operation: "gateway.supplier.operation",
  supplierCode: "gateway.supplier.code",
  errorCode: "gateway.error.code",
  tenant: "gateway.tenant",
  kind: "gateway.tracked.kind",
  ref: "gateway.tracked.ref",
  source: "gateway.tracked.source",
  from: "gateway.tracked.previous_status",
  to: "gateway.tracked.status",
  outcome: "gateway.tracked.outcome",
  eventId: "gateway.event.id",
  subscribers: "gateway.subscribers",
  webhooks: "gateway.webhooks",
  records: "gateway.tracked.records",
} as const;

interface Otel {
  api: typeof Api;
  tracer: Api.Tracer;
  /** Set in the context of a supplier call whose supplier must not receive trace headers. */
  quiet: symbol;
}

let otel: Otel | undefined;

/** Called once, by src/telemetry/sdk.ts, after the SDK has started. */
export function useOpenTelemetry(api: typeof Api, version: string): void {
  otel = {
    api,
    tracer: api.trace.getTracer("travel-postbooking-gateway", version),
    quiet: api.createContextKey("gateway.no-trace-propagation"),
  };
}

/** True when the SDK runs in this process. */
export function tracingOn(): boolean {
  return otel !== undefined;
}

/** An opaque parent for a span started later (a context when tracing is on, else undefined). */
export type SpanParent = unknown;

/** The active context, to start spans under later (undefined with tracing off). */
export function captureParent(): SpanParent {
  return otel?.api.context.active();
}

/** Runs `fn` in a parent captured earlier (as is, when there is none). */
export function runUnder<T>(parent: SpanParent, fn: () => T): T {
  return otel && parent ? otel.api.context.with(parent as Api.Context, fn) : fn();
}

/**
 * Runs `fn` outside any trace: timers and callbacks it schedules (a poller kicked by a request,
 * a delivery read woken by a commit) do not join the trace of whoever scheduled them.
 */
export function outsideTrace<T>(fn: () => T): T {
  return otel ? otel.api.context.with(otel.api.ROOT_CONTEXT, fn) : fn();
}

/** `setImmediate` outside any trace (see outsideTrace). */
export function untracedImmediate(fn: () => void): void {
  outsideTrace(() => setImmediate(fn));
}

/** Adds an attribute to the active span (the HTTP server span of a request, for one). */
export function annotate(key: string, value: string): void {
  otel?.api.trace.getActiveSpan()?.setAttribute(key, value);
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

function traceparentOf(span: Api.Span | undefined): string | null {
  const sc = span?.spanContext();
  if (!otel || !sc || !otel.api.isSpanContextValid(sc)) return null;
  return `00-${sc.traceId}-${sc.spanId}-${sc.traceFlags & 1 ? "01" : "00"}`;
}

/** The W3C traceparent of the active span, to store with work done later; null with tracing off. */
export function activeTraceparent(): string | null {
  return otel ? traceparentOf(otel.api.trace.getActiveSpan()) : null;
}

/** The span context a stored traceparent names, if it is readable. */
function spanContextOf(o: Otel, traceparent: string | null | undefined): Api.SpanContext | undefined {
  const m = traceparent ? TRACEPARENT.exec(traceparent) : null;
  if (!m) return undefined;
  const sc = { traceId: m[1], spanId: m[2], traceFlags: parseInt(m[3], 16) & 1, isRemote: true };
  return o.api.isSpanContextValid(sc) ? sc : undefined;
}

/** A context whose parent is a stored traceparent (the active context when there is none). */
function contextOf(o: Otel, traceparent: string | null | undefined): Api.Context {
  const sc = spanContextOf(o, traceparent);
  return sc ? o.api.trace.setSpanContext(o.api.ROOT_CONTEXT, sc) : o.api.context.active();
}

function linksOf(o: Otel, traceparents: Array<string | null | undefined>): Api.Link[] {
  return traceparents.flatMap((tp) => {
    const sc = spanContextOf(o, tp);
    return sc ? [{ context: sc }] : [];
  });
}

/** Marks a span failed with the gateway's code (and the supplier's, when it has one); no stack, no body. */
function fail(o: Otel, span: Api.Span, err: unknown): void {
  const e = err as { code?: unknown; supplierCode?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === "string" ? e.code : "INTERNAL_SERVER_ERROR";
  span.setAttribute(ATTR.errorCode, code);
  span.setAttribute("error.type", code);
  if (typeof e?.supplierCode === "string") span.setAttribute(ATTR.supplierCode, e.supplierCode);
  span.setStatus({ code: o.api.SpanStatusCode.ERROR, message: typeof e?.message === "string" ? e.message : code });
}

/** Runs `fn` as the span's work: a failure is recorded on it, and the span ends either way. */
async function within<T>(o: Otel, span: Api.Span, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    fail(o, span, err);
    throw err;
  } finally {
    span.end();
  }
}

/**
 * One supplier operation (`supplier <name> <operation>`): the request, the reply read and
 * mapped, the supplier's code on failure. Each attempt of a retried read is its own span; the
 * undici client span of the HTTP exchange is its child.
 */
export function supplierCall<T>(supplier: string, operation: string, fn: () => Promise<T>): Promise<T> {
  const o = otel;
  if (!o) return fn();
  const attributes = { [ATTR.supplier]: supplier, [ATTR.operation]: operation };
  return o.tracer.startActiveSpan(`supplier ${supplier} ${operation}`, { attributes }, (span) => within(o, span, fn));
}

/** Runs `fn` (a supplier request) so that no trace header is injected into it (the supplier's switch is off). */
export function withoutPropagation<T>(fn: () => T): T {
  const o = otel;
  return o ? o.api.context.with(o.api.context.active().setValue(o.quiet, true), fn) : fn();
}

/** True in the context of a supplier request that must carry no trace header (src/telemetry/propagator.ts). */
export function propagationOff(ctx: Api.Context): boolean {
  return otel !== undefined && ctx.getValue(otel.quiet) === true;
}

/** A span started now and ended by its owner. */
export interface OwnSpan {
  /** The context to run its children in. */
  readonly parent: SpanParent;
  fail(err: unknown): void;
  end(): void;
}

/**
 * `webhook.confirm`: asking the supplier whether what a webhook said is true, and recording it.
 * Its parent is the intake that stored the (first) webhook — the HTTP server span of
 * `POST /webhooks/…`, possibly on another instance — and it links to the intakes of any
 * further webhooks about the same record.
 */
export function confirmSpan(
  kind: string,
  supplier: string,
  ref: string,
  tenants: string[],
  traceparents: Array<string | null>,
): OwnSpan | undefined {
  const o = otel;
  if (!o) return undefined;
  const attributes: Api.Attributes = {
    [ATTR.supplier]: supplier,
    [ATTR.kind]: kind,
    [ATTR.ref]: ref,
    [ATTR.webhooks]: traceparents.length,
  };
  if (new Set(tenants).size === 1) attributes[ATTR.tenant] = tenants[0];
  const [first, ...more] = traceparents;
  const span = o.tracer.startSpan("webhook.confirm", { attributes, links: linksOf(o, more) }, contextOf(o, first));
  return {
    parent: o.api.trace.setSpan(o.api.context.active(), span),
    fail: (err) => fail(o, span, err),
    end: () => span.end(),
  };
}

/** What a transition is, for its span. */
export interface TransitionFacts {
  /** Where the transition was decided (a confirmation, say); the active context when undefined. */
  parent?: SpanParent;
  kind: string;
  tenant: string;
  supplier: string;
  ref: string;
  from: string | null;
  to: string;
  source: string;
}

/** The spans of one transition statement (a batch of records): one per record. */
export interface TransitionSpans {
  /** The traceparent to store with record i's event, so its delivery can follow it. */
  traceparent(i: number): string | null;
  /**
   * The context of the first record's span: the statement (one for the whole batch) and the
   * wake-up it publishes run in it, so the store's and the pub/sub's spans join that trace.
   */
  readonly parent: SpanParent;
  /** Ends them; `moved[i]` false where someone else changed the record first. */
  end(moved: boolean[]): void;
}

/** `tracked.transition` per record of one compare-and-set statement; undefined with tracing off. */
export function transitionSpans(items: TransitionFacts[]): TransitionSpans | undefined {
  const o = otel;
  if (!o || !items.length) return undefined;
  const spans = items.map((t) =>
    o.tracer.startSpan(
      "tracked.transition",
      {
        attributes: {
          [ATTR.kind]: t.kind,
          [ATTR.tenant]: t.tenant,
          [ATTR.supplier]: t.supplier,
          [ATTR.ref]: t.ref,
          [ATTR.to]: t.to,
          [ATTR.source]: t.source,
          ...(t.from === null ? {} : { [ATTR.from]: t.from }),
        },
      },
      (t.parent as Api.Context | undefined) ?? o.api.context.active(),
    ),
  );
  return {
    traceparent: (i) => traceparentOf(spans[i]),
    parent: o.api.trace.setSpan(o.api.context.active(), spans[0]),
    end: (moved) =>
      spans.forEach((s, i) => {
        s.setAttribute(ATTR.outcome, moved[i] ? "moved" : "lost");
        s.end();
      }),
  };
}

/**
 * `tracked.poll`: one scheduled run that leased `records` due records; the supplier questions
 * and transitions of the run are its children. Started at `startedAt` (before the lease).
 */
export function pollSpan<T>(kind: string, records: number, startedAt: number, fn: () => Promise<T>): Promise<T> {
  const o = otel;
  if (!o || records === 0) return fn();
  return o.tracer.startActiveSpan(
    "tracked.poll",
    { root: true, startTime: startedAt, attributes: { [ATTR.kind]: kind, [ATTR.records]: records } },
    (span) => within(o, span, fn),
  );
}

/** What was delivered, for the delivery span. */
export interface DeliveryFacts {
  id: string;
  kind: string;
  tenant: string;
  traceContext?: string | null;
}

/**
 * `events.deliver`: this instance handed an event to `subscribers` of its subscribers, between
 * `startedAt` and now. A child of the event's transition (stored with the event), so a change
 * can be followed to every instance that delivered it.
 */
export function deliverySpan(e: DeliveryFacts, subscribers: number, startedAt: number): void {
  const o = otel;
  if (!o || !e.traceContext) return;
  o.tracer
    .startSpan(
      "events.deliver",
      {
        kind: o.api.SpanKind.CONSUMER,
        startTime: startedAt,
        attributes: { [ATTR.eventId]: e.id, [ATTR.kind]: e.kind, [ATTR.tenant]: e.tenant, [ATTR.subscribers]: subscribers },
      },
      contextOf(o, e.traceContext),
    )
    .end();
}
