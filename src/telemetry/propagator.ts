/**
 * The propagator the SDK is started with: W3C trace context, and baggage when named
 * (OTEL_PROPAGATORS: `tracecontext`, `baggage` or `none`; default `tracecontext` alone, not the
 * SDK's both: a client's `baggage` header would otherwise be sent on to every supplier), except that nothing is
 * injected into a supplier request whose supplier's switch (`<SUPPLIER>_TRACE_PROPAGATION=false`)
 * is off — its undici client span is still recorded. Extraction (a client's `traceparent`) is
 * the inner propagator's, unchanged.
 */
import { diag, type Context, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from "@opentelemetry/api";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { propagationOff } from "./spans.js";

const KNOWN: Record<string, () => TextMapPropagator> = {
  tracecontext: () => new W3CTraceContextPropagator(),
  baggage: () => new W3CBaggagePropagator(),
};

/** The propagators OTEL_PROPAGATORS names (of those this gateway supports). */
export function propagatorFromEnv(value: string | undefined): TextMapPropagator[] {
  const names = [
    ...new Set(
      (value ?? "")
        .split(",")
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
  if (!names.length) return [KNOWN.tracecontext()];
  if (names.includes("none")) return [];
  return names.flatMap((n) => {
    const make = KNOWN[n];
    if (!make) diag.warn(`OTEL_PROPAGATORS: "${n}" is not supported by this gateway (tracecontext, baggage, none)`);
    return make ? [make()] : [];
  });
}

export class SupplierAwarePropagator implements TextMapPropagator {
  private readonly inner: TextMapPropagator;

  constructor(propagators: TextMapPropagator[]) {
    this.inner = new CompositePropagator({ propagators });
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    if (propagationOff(context)) return;
    this.inner.inject(context, carrier, setter);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    return this.inner.extract(context, carrier, getter);
  }

  fields(): string[] {
    return this.inner.fields();
  }
}
