/**
 * Whether tracing is asked for, from the OpenTelemetry SDK's own variables alone. main.ts asks
 * this before it imports anything else: only then is the SDK loaded (src/telemetry/sdk.ts), so
 * that its instrumentations patch pg, ioredis, pino, graphql and http before they load. With
 * none of these set nothing from @opentelemetry/* is loaded at all.
 *
 * Tracing is on when an exporter is named or an OTLP endpoint is given — any of
 * OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_TRACES_EXPORTER (other
 * than "none") — and OTEL_SDK_DISABLED is not "true".
 */
type Env = Record<string, string | undefined>;

const set = (v: string | undefined) => v !== undefined && v.trim() !== "";

export function tracingRequested(env: Env = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== "");
  if (exporters.length && exporters.every((e) => e === "none")) return false;
  return exporters.length > 0 || set(env.OTEL_EXPORTER_OTLP_ENDPOINT) || set(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}
