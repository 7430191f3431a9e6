/**
 * Supplier resilience: retries for reads only, circuit breaker (transport failures only),
 * concurrency cap, Retry-After, and one deadline per call (issue B.12).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { withinDeadline } from "../../datasources/deadline.js";
import type { SupplierAdapter } from "../../datasources/ports.js";
import { DEFAULT_RESILIENCE, withResilience, type ResilienceSettings } from "../../datasources/resilience/index.js";
import { NO_FAULTS } from "../../src/sandbox/http-kit.js";
import { fresh, startAtrip } from "../helpers/atrip.js";
import { failure } from "../helpers/failure.js";
import type { SupplierError } from "../../src/vocabulary/errors.js";

let env: Awaited<ReturnType<typeof startAtrip>>;
beforeAll(async () => {
  env = await startAtrip({}, 3000);
});
afterAll(async () => env.close());
afterEach(() => {
  env.sim.server.faults = { ...NO_FAULTS };
});

const FAST_RETRIES: ResilienceSettings = {
  ...DEFAULT_RESILIENCE,
  retry: { ...DEFAULT_RESILIENCE.retry, initialDelayMs: 20, maxDelayMs: 50 },
  breaker: { threshold: 3, halfOpenAfterMs: 300 },
};

function guarded(over: Partial<ResilienceSettings> = {}): SupplierAdapter {
  return withResilience(env.adapter, {
    ...DEFAULT_RESILIENCE,
    retry: { ...DEFAULT_RESILIENCE.retry, initialDelayMs: 20, maxDelayMs: 50 },
    breaker: { threshold: 3, halfOpenAfterMs: 300 },
    ...over,
  });
}

const count = (op: string) => env.sim.server.stats.byOperation[op] ?? 0;

describe("resilience", () => {
  it("retries a read-only call on a retryable failure", async () => {
    const a = guarded();
    env.sim.server.faults = { ...NO_FAULTS, operations: ["voidQuotation.do"], failNext: { status: 500, count: 2 } };
    const before = count("voidQuotation.do");
    const q = await a.voids!.quote(fresh("ATR-VOID-DEPOSIT"));
    expect(q.isVoidable).toBe(true);
    expect(count("voidQuotation.do") - before).toBe(3);
  });

  it("never retries void.do", async () => {
    const a = guarded();
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const q = await a.voids!.quote(orderNo);
    env.sim.server.faults = { ...NO_FAULTS, operations: ["void.do"], failNext: { status: 500, count: 1 } };
    const before = count("void.do");
    expect((await failure(a.voids!.submit(orderNo, q.voidOfferId!))).code).toBe("SUPPLIER_UNAVAILABLE");
    expect(count("void.do") - before).toBe(1);
  });

  it("does not retry business refusals", async () => {
    const a = guarded();
    const before = count("voidQuotation.do");
    expect((await failure(a.voids!.quote("ATR-TICKET-USED"))).code).toBe("TICKET_ALREADY_USED");
    expect(count("voidQuotation.do") - before).toBe(1);
  });

  it("honours Retry-After on 429, and gives up at once when it asks for too long", async () => {
    const a = guarded();
    env.sim.server.faults = { ...NO_FAULTS, operations: ["voidQuotation.do"], failNext: { status: 429, count: 1, retryAfter: "1" } };
    const started = Date.now();
    await a.voids!.quote(fresh("ATR-VOID-DEPOSIT"));
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    env.sim.server.faults = { ...NO_FAULTS, operations: ["voidQuotation.do"], failNext: { status: 429, count: 1, retryAfter: "60" } };
    const before = count("voidQuotation.do");
    const err = await failure(a.voids!.quote(fresh("ATR-VOID-DEPOSIT")));
    expect(err).toMatchObject({ code: "SUPPLIER_RATE_LIMITED", retryable: true });
    expect(count("voidQuotation.do") - before).toBe(1);
  });

  it("a rate limit without Retry-After is not repeated within the call (ATRIP 110: 'back off'; HTTP 429): one request, a retryable SUPPLIER_RATE_LIMITED", async () => {
    const a = guarded();
    const json = { contentType: "application/json", body: JSON.stringify({ status: 110, msg: "QPS limit exceeded" }) };
    for (const failNext of [
      { status: 200, count: 3, ...json },
      { status: 429, count: 3 },
    ]) {
      env.sim.server.faults = { ...NO_FAULTS, operations: ["voidQuotation.do"], failNext };
      const before = count("voidQuotation.do");
      expect(await failure(a.voids!.quote(fresh("ATR-VOID-DEPOSIT")))).toMatchObject({ code: "SUPPLIER_RATE_LIMITED", retryable: true });
      expect(count("voidQuotation.do") - before).toBe(1);
    }
  });

  it("ATRIP -1 and 9999 ('may retry once'): a read is sent twice at most; a redirect once", async () => {
    const a = guarded();
    for (const status of [-1, 9999]) {
      const body = JSON.stringify({ status, msg: "failure" });
      env.sim.server.faults = {
        ...NO_FAULTS,
        operations: ["voidQuotation.do"],
        failNext: { status: 200, count: 3, contentType: "application/json", body },
      };
      const before = count("voidQuotation.do");
      expect(await failure(a.voids!.quote(fresh("ATR-VOID-DEPOSIT")))).toMatchObject({
        code: "SUPPLIER_UNAVAILABLE",
        supplierCode: String(status),
      });
      expect(count("voidQuotation.do") - before).toBe(2);
    }
    env.sim.server.faults = { ...NO_FAULTS, operations: ["voidQuotation.do"], failNext: { status: 302, count: 3 } };
    const before = count("voidQuotation.do");
    expect((await failure(a.voids!.quote(fresh("ATR-VOID-DEPOSIT")))).code).toBe("SUPPLIER_UNAVAILABLE");
    expect(count("voidQuotation.do") - before).toBe(1);
    env.sim.server.faults = { ...NO_FAULTS };
    expect(a.available()).toBe(true);
  });

  it("opens the circuit after consecutive failures, fails fast, reports unavailable, and recovers through a probe", async () => {
    const a = guarded({ retry: { ...DEFAULT_RESILIENCE.retry, maxRetries: 0 } });
    env.sim.server.faults = { ...NO_FAULTS, http500Rate: 1 };
    for (let i = 0; i < 3; i++) expect((await failure(a.voids!.quote("ATR-VOID-DEPOSIT"))).supplierCode).toBe("HTTP 500");
    const before = env.sim.server.stats.total;
    const fast = await failure(a.voids!.quote("ATR-VOID-DEPOSIT"));
    expect(fast.extensions()).toMatchObject({
      code: "SUPPLIER_UNAVAILABLE",
      supplierCode: null,
      gatewayCode: "CIRCUIT_OPEN",
      retryable: true,
    });
    expect(env.sim.server.stats.total).toBe(before);
    expect(a.available()).toBe(false);
    env.sim.server.faults = { ...NO_FAULTS };
    await new Promise((r) => setTimeout(r, 350));
    expect((await a.voids!.quote(fresh("ATR-VOID-DEPOSIT"))).isVoidable).toBe(true);
    expect(a.available()).toBe(true);
  });

  it("an answered refusal ends a run of transport failures: they open the circuit only when consecutive", async () => {
    const a = guarded({ retry: { ...DEFAULT_RESILIENCE.retry, maxRetries: 0 } });
    const unavailable = () => (env.sim.server.faults = { ...NO_FAULTS, http500Rate: 1, operations: ["voidQuotation.do"] });
    unavailable();
    for (let i = 0; i < 2; i++) expect((await failure(a.voids!.quote("ATR-VOID-DEPOSIT"))).supplierCode).toBe("HTTP 500");
    env.sim.server.faults = { ...NO_FAULTS };
    for (let i = 0; i < 3; i++) expect((await failure(a.voids!.quote("ATR-TICKET-USED"))).code).toBe("TICKET_ALREADY_USED");
    unavailable();
    for (let i = 0; i < 2; i++) expect((await failure(a.voids!.quote("ATR-VOID-DEPOSIT"))).supplierCode).toBe("HTTP 500");
    expect(a.available()).toBe(true);
    expect((await failure(a.voids!.quote("ATR-VOID-DEPOSIT"))).supplierCode).toBe("HTTP 500");
    expect(a.available()).toBe(false);
  });

  it("caps concurrent calls per supplier", async () => {
    const a = guarded({ concurrency: 2, queue: 0 });
    env.sim.server.faults = { ...NO_FAULTS, latencyMs: 300 };
    const results = await Promise.allSettled([1, 2, 3].map(() => a.voids!.quote(fresh("ATR-VOID-DEPOSIT"))));
    const rejected = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    expect(rejected).toHaveLength(1);
    expect((rejected[0].reason as SupplierError).extensions()).toMatchObject({
      code: "SUPPLIER_UNAVAILABLE",
      supplierCode: null,
      gatewayCode: "OVERLOADED",
    });
  });

  it("a queued call is not sent once less than one attempt's least time (100 ms) of its deadline is left", async () => {
    const a = guarded({ concurrency: 1, queue: 8 });
    env.sim.server.faults = { ...NO_FAULTS, latencyMs: 1500, operations: ["voidQuotation.do"] };
    const before = count("voidQuotation.do");
    // The second call's client allows it 1 s; the first holds the only slot for 1.5 s.
    const first = a.voids!.quote(fresh("ATR-VOID-DEPOSIT"));
    const started = Date.now();
    const second = await failure(a.voids!.quote(fresh("ATR-VOID-DEPOSIT"), withinDeadline(undefined, 1000)));
    expect(second.extensions()).toMatchObject({ code: "SUPPLIER_TIMEOUT", gatewayCode: "OVERLOADED", retryable: true });
    // It gave up one attempt's least time before its deadline, not at it.
    expect(Date.now() - started).toBeLessThan(990);
    expect((await first).isVoidable).toBe(true);
    expect(count("voidQuotation.do") - before).toBe(1);
  });

  it("a call never sent counts neither way in the circuit: two failures, one unsent, one failure open it", async () => {
    const a = guarded({ retry: { ...DEFAULT_RESILIENCE.retry, maxRetries: 0 } });
    env.sim.server.faults = { ...NO_FAULTS, http500Rate: 1, operations: ["voidQuotation.do", "void.do"] };
    for (let i = 0; i < 2; i++) expect((await failure(a.voids!.quote("ATR-VOID-DEPOSIT"))).supplierCode).toBe("HTTP 500");
    // A void.do with less than half its time left is not sent (datasources/http.ts).
    const unsent = await failure(a.voids!.submit("ATR-VOID-DEPOSIT", "v_x", withinDeadline(undefined, 100)));
    expect(unsent).toMatchObject({ code: "SUPPLIER_TIMEOUT", notSent: true });
    expect(a.available()).toBe(true);
    expect((await failure(a.voids!.quote("ATR-VOID-DEPOSIT"))).supplierCode).toBe("HTTP 500");
    expect(a.available()).toBe(false);
  });

  it("does not open the circuit for replies it cannot read, undocumented codes or odd optional fields", async () => {
    const a = guarded({ retry: { ...DEFAULT_RESILIENCE.retry, maxRetries: 0 } });
    env.sim.server.faults = { ...NO_FAULTS, malformedRate: 1, operations: ["voidQuotation.do"] };
    for (let i = 0; i < 4; i++) expect((await failure(a.voids!.quote("ATR-VOID-DEPOSIT"))).code).toBe("SUPPLIER_BAD_RESPONSE");
    env.sim.server.faults = { ...NO_FAULTS };
    for (let i = 0; i < 4; i++) {
      const orderNo = fresh("ATR-VOID-ODD");
      const q = await a.voids!.quote(orderNo);
      expect((await failure(a.voids!.submit(orderNo, q.voidOfferId!))).code).toBe("SUPPLIER_OUTCOME_UNKNOWN");
      expect((await failure(a.stopIssuance!.stop(fresh("ATR-STOP-ODD")))).code).toBe("SUPPLIER_OUTCOME_UNKNOWN");
      expect((await failure(a.stopIssuance!.outcome(fresh("ATR-DETAILS-701")))).code).toBe("SUPPLIER_REJECTED_REQUEST");
    }
    expect(a.available()).toBe(true);
    const before = env.sim.server.stats.total;
    expect((await a.voids!.quote(fresh("ATR-VOID-DEPOSIT"))).isVoidable).toBe(true);
    expect(env.sim.server.stats.total).toBe(before + 1);
  });

  it("retries queryOrderDetails.do 705 (ATRIP timed out) like any retryable read", async () => {
    const a = guarded();
    const before = count("queryOrderDetails.do");
    expect((await a.stopIssuance!.outcome(fresh("ATR-DETAILS-705"))).state).toBe("PENDING");
    expect(count("queryOrderDetails.do") - before).toBe(2);
  });
});

describe("one deadline per call (issue B.12)", () => {
  let slow: Awaited<ReturnType<typeof startAtrip>> | undefined;
  afterEach(async () => {
    await slow?.close();
    slow = undefined;
  });
  const calls = (op: string) => slow!.sim.server.stats.byOperation[op] ?? 0;

  it("SUPPLIER_TIMEOUT_MS=1500 and a supplier that never answers: the client waits ~1.5 s, one attempt, not three", async () => {
    slow = await startAtrip({ faults: { latencyMs: 10_000, operations: ["voidQuotation.do"] } }, 1500);
    const a = withResilience(slow.adapter, FAST_RETRIES);
    const started = performance.now();
    const err = await failure(a.voids!.quote("ATR-VOID-DEPOSIT"));
    const waited = performance.now() - started;
    expect(err).toMatchObject({ code: "SUPPLIER_TIMEOUT", retryable: true });
    expect(waited).toBeGreaterThanOrEqual(1450);
    expect(waited).toBeLessThan(1900);
    expect(calls("voidQuotation.do")).toBe(1);
  });

  it("retries fast failures only while the budget allows, then reports the real failure within the budget", async () => {
    slow = await startAtrip({ faults: { latencyMs: 250, http500Rate: 1, operations: ["voidQuotation.do"] } }, 600);
    const a = withResilience(slow.adapter, { ...FAST_RETRIES, retry: { ...FAST_RETRIES.retry, maxRetries: 5 } });
    const started = performance.now();
    const err = await failure(a.voids!.quote("ATR-VOID-DEPOSIT"));
    const waited = performance.now() - started;
    expect(err).toMatchObject({ code: "SUPPLIER_UNAVAILABLE", supplierCode: "HTTP 500" });
    expect(waited).toBeLessThan(600 + 150);
    // Five retries were allowed; at 250 ms an attempt, the 600 ms budget holds two.
    expect(calls("voidQuotation.do")).toBeGreaterThanOrEqual(2);
    expect(calls("voidQuotation.do")).toBeLessThanOrEqual(3);
  });

  it("a Retry-After longer than the rest of the budget is not waited for", async () => {
    slow = await startAtrip({ faults: { operations: ["voidQuotation.do"], failNext: { status: 429, count: 1, retryAfter: "2" } } }, 1000);
    const a = withResilience(slow.adapter, FAST_RETRIES);
    const started = performance.now();
    expect(await failure(a.voids!.quote("ATR-VOID-DEPOSIT"))).toMatchObject({ code: "SUPPLIER_RATE_LIMITED" });
    expect(performance.now() - started).toBeLessThan(500);
    expect(calls("voidQuotation.do")).toBe(1);
  });

  it("a call still waiting for a free slot at its deadline gives up without being sent", async () => {
    slow = await startAtrip({ faults: { latencyMs: 10_000 } }, 500);
    const a = withResilience(slow.adapter, { ...FAST_RETRIES, concurrency: 1, queue: 4 });
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const first = a.voids!.quote(orderNo);
    // Inside a caller with 200 ms left, the submit's deadline is the caller's, not its own 500 ms.
    const started = performance.now();
    const second = await failure(a.voids!.submit(orderNo, "v_x", withinDeadline(undefined, 200)));
    expect(performance.now() - started).toBeLessThan(400);
    expect(second.extensions()).toMatchObject({ code: "SUPPLIER_TIMEOUT", supplierCode: null, gatewayCode: "OVERLOADED", retryable: true });
    expect((await failure(first)).code).toBe("SUPPLIER_TIMEOUT");
    expect(calls("void.do")).toBe(0);
  });
});
