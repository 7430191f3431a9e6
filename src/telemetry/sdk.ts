/**
 * Starts OpenTelemetry tracing, configured by the SDK's own OTEL_* variables
 * (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER, …). main.ts imports
 * this only when src/telemetry/switch.ts says tracing is asked for, and before anything else,
 * so the instrumentations patch modules before the gateway loads them:
 *
 * 1. registers import-in-the-middle's ESM loader hook, intercepting only the modules the
 *    instrumentations hook (graphql, pg, ioredis, pino and http are CommonJS or built in;
 *    imported from our ESM code they reach the instrumentations through this hook);
 * 2. starts the NodeSDK with the http, undici, graphql, pg, ioredis and pino instrumentations,
 *    traces only (no OTel metrics or logs: /metrics and pino stay the gateway's);
 * 3. hands the API to the gateway's own spans (src/telemetry/spans.ts).
 */
import { readFileSync } from "node:fs";
import { register } from "node:module";
import * as api from "@opentelemetry/api";
import { GraphQLInstrumentation } from "@opentelemetry/instrumentation-graphql";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { IORedisInstrumentation } from "@opentelemetry/instrumentation-ioredis";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { PinoInstrumentation } from "@opentelemetry/instrumentation-pino";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { createAddHookMessageChannel } from "import-in-the-middle";
import { httpInstrumentationConfig } from "./http-hooks.js";
import { propagatorFromEnv, SupplierAwarePropagator } from "./propagator.js";
import { ATTR, useOpenTelemetry } from "./spans.js";

/** The service name when neither OTEL_SERVICE_NAME nor OTEL_RESOURCE_ATTRIBUTES names one. */
export const DEFAULT_SERVICE_NAME = "travel-postbooking-gateway";

export interface Tracing {
  /** Exports what is buffered and stops the SDK; gives up after SHUTDOWN_MS (shutdown must end within 15 s). */
  shutdown(): Promise<void>;
}

/** The most the last export may take at shutdown. */
const SHUTDOWN_MS = 5000;

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version?: string }).version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/** The gateway code of a GraphQL result's first error, as the edge will report it. */
function errorCodeOf(
  errors: ReadonlyArray<{ extensions?: Record<string, unknown>; originalError?: unknown }> | undefined,
): string | undefined {
  const first = errors?.[0];
  if (!first) return undefined;
  const code = first.extensions?.code ?? (first.originalError as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : "INTERNAL_SERVER_ERROR";
}

export async function startTracing(env: Record<string, string | undefined> = process.env): Promise<Tracing> {
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register("import-in-the-middle/hook.mjs", import.meta.url, registerOptions);

  const named = Boolean(env.OTEL_SERVICE_NAME?.trim()) || /(^|,)\s*service\.name\s*=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? "");
  const v = version();
  const sdk = new NodeSDK({
    serviceName: named ? undefined : DEFAULT_SERVICE_NAME,
    textMapPropagator: new SupplierAwarePropagator(propagatorFromEnv(env.OTEL_PROPAGATORS)),
    // Traces only: the gateway's metrics are Prometheus (/metrics), its logs pino lines.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation(httpInstrumentationConfig()),
      new UndiciInstrumentation(),
      new GraphQLInstrumentation({
        // Literal values in graphql.source are masked (allowValues stays false).
        ignoreTrivialResolveSpans: true,
        // Root fields only: type-graphql gives every field a resolver, so deeper "field"
        // spans would be one per property read (three for a voidQuote) and cost CPU at 100 %.
        depth: 1,
        mergeItems: true,
        responseHook: (span, result) => {
          const code = errorCodeOf(result.errors as never);
          if (code) span.setAttribute(ATTR.errorCode, code);
        },
      }),
      // Store and pub/sub spans inside traced work only, not for every poll tick.
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
      // trace_id and span_id on every log line written inside a span; nothing sent as OTel logs.
      new PinoInstrumentation({ disableLogSending: true }),
    ],
  });
  sdk.start();
  await waitForAllMessagesAcknowledged();
  useOpenTelemetry(api, v);
  return {
    shutdown: () =>
      Promise.race([
        sdk.shutdown(),
        new Promise<void>((_, reject) =>
          setTimeout(() => reject(new Error(`the exporter did not finish within ${SHUTDOWN_MS} ms`)), SHUTDOWN_MS).unref(),
        ),
      ]),
  };
}
