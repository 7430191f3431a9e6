/** Supplier resilience: retries for reads only, circuit breaker, concurrency cap, Retry-After. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SupplierAdapter } from "../../datasources/ports.js";
import { DEFAULT_RESILIENCE, withResilience, type ResilienceSettings } from "../../datasources/resilience/index.js";
import { NO_FAULTS } from "../../src/sandbox/http-kit.js";
import { fresh, startAtrip } from "../helpers/atrip.js";
import { failure } from "../helpers/failure.js";

let env: Awaited<ReturnType<typeof startAtrip>>;
beforeAll(async () => {
  env = await startAtrip({}, 1000);
});
afterAll(async () => env.close());
afterEach(() => {
  env.sim.server.faults = { ...NO_FAULTS };
});

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

  it("opens the circuit after consecutive failures, fails fast, reports unavailable, and recovers through a probe", async () => {
    const a = guarded({ retry: { ...DEFAULT_RESILIENCE.retry, maxRetries: 0 } });
    env.sim.server.faults = { ...NO_FAULTS, http500Rate: 1 };
    for (let i = 0; i < 3; i++) expect((await failure(a.voids!.quote("ATR-VOID-DEPOSIT"))).supplierCode).toBe("HTTP 500");
    const before = env.sim.server.stats.total;
    const fast = await failure(a.voids!.quote("ATR-VOID-DEPOSIT"));
    expect(fast).toMatchObject({ code: "SUPPLIER_UNAVAILABLE", supplierCode: "CIRCUIT_OPEN", retryable: true });
    expect(env.sim.server.stats.total).toBe(before);
    expect(a.available()).toBe(false);
    env.sim.server.faults = { ...NO_FAULTS };
    await new Promise((r) => setTimeout(r, 350));
    expect((await a.voids!.quote(fresh("ATR-VOID-DEPOSIT"))).isVoidable).toBe(true);
    expect(a.available()).toBe(true);
  });

  it("caps concurrent calls per supplier", async () => {
    const a = guarded({ concurrency: 2, queue: 0 });
    env.sim.server.faults = { ...NO_FAULTS, latencyMs: 300 };
    const results = await Promise.allSettled([1, 2, 3].map(() => a.voids!.quote(fresh("ATR-VOID-DEPOSIT"))));
    const rejected = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    expect(rejected).toHaveLength(1);
    expect(rejected[0].reason).toMatchObject({ code: "SUPPLIER_UNAVAILABLE", supplierCode: "OVERLOADED" });
  });
});
