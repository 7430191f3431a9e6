/** The pieces of tracing that need no SDK: when it is on, what a URL may record, and the helpers with tracing off. */
import { describe, expect, it } from "vitest";
import { recordedPath, recordedQuery } from "../../src/telemetry/http-hooks.js";
import { propagatorFromEnv } from "../../src/telemetry/propagator.js";
import {
  activeTraceparent,
  captureParent,
  confirmSpan,
  pollSpan,
  supplierCall,
  tracingOn,
  transitionSpans,
  withoutPropagation,
} from "../../src/telemetry/spans.js";
import { tracingRequested } from "../../src/telemetry/switch.js";

describe("tracingRequested", () => {
  it("is on when an OTLP endpoint or an exporter is named, unless disabled", () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_SERVICE_NAME: "gw", OTEL_TRACES_SAMPLER: "always_on" })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces" })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: "console" })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: " " })).toBe(false);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "true" })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "false" })).toBe(true);
  });
});

describe("what the HTTP server span may record", () => {
  it("never the webhook token, a path segment", () => {
    expect(recordedPath("/webhooks/atrip/webhook-token-Kk2jD4abcdef")).toEqual({
      route: "/webhooks/:supplier/:token",
      path: "/webhooks/atrip/[redacted]",
    });
    // A segment as long as a token is never kept, wherever it stands.
    expect(recordedPath("/webhooks/webhook-token-Kk2jD4abcdef")).toEqual({
      route: "/webhooks/:supplier/:token",
      path: "/webhooks/[redacted]/[redacted]",
    });
    expect(recordedPath("/webhooks/atrip/token/extra").path).toBe("/webhooks/atrip/[redacted]");
    // The intake takes the path in any case, so the token is never kept in any case either.
    expect(recordedPath("/Webhooks/atrip/webhook-token-Kk2jD4abcdef").path).toBe("/webhooks/atrip/[redacted]");
    expect(recordedPath("/WEBHOOKS/atrip/webhook-token-Kk2jD4abcdef/").path).toBe("/webhooks/atrip/[redacted]");
    expect(recordedPath("/graphql")).toEqual({ route: "/graphql", path: "/graphql" });
    expect(recordedPath("/other")).toEqual({ path: "/other" });
  });

  it("query parameter names only", () => {
    expect(recordedQuery("query=%7B%20x%20%7D&variables=%7B%22a%22%3A1%7D")).toBe("query=REDACTED&variables=REDACTED");
    expect(recordedQuery("")).toBe("");
  });
});

describe("own spans with tracing off", () => {
  it("call straight through and record nothing", async () => {
    expect(tracingOn()).toBe(false);
    expect(await supplierCall("ATRIP", "voidQuotation.do", async () => 42)).toBe(42);
    await expect(supplierCall("ATRIP", "void.do", () => Promise.reject(new Error("no")))).rejects.toThrow("no");
    expect(withoutPropagation(() => "sent")).toBe("sent");
    expect(await pollSpan("void", 3, Date.now(), async () => "polled")).toBe("polled");
    expect(activeTraceparent()).toBeNull();
    expect(captureParent()).toBeUndefined();
    expect(confirmSpan("void", "ATRIP", "V1", ["acme"], [])).toBeUndefined();
    expect(
      transitionSpans([{ kind: "void", tenant: "acme", supplier: "ATRIP", ref: "V1", from: null, to: "REFUNDED", source: "POLL" }]),
    ).toBeUndefined();
  });
});

describe("what goes out to a supplier", () => {
  it("trace context by default; a client's baggage only when OTEL_PROPAGATORS names it", () => {
    const fields = (value: string | undefined) => propagatorFromEnv(value).flatMap((p) => p.fields());
    expect(fields(undefined)).toEqual(["traceparent", "tracestate"]);
    expect(fields("")).toEqual(["traceparent", "tracestate"]);
    expect(fields("tracecontext,baggage")).toEqual(["traceparent", "tracestate", "baggage"]);
    expect(fields("none")).toEqual([]);
  });
});
