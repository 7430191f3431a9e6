/**
 * A submission after one that lost its reply. One deadline per client call (issue 13, B.12):
 * the check (VoidPort.findSubmitted) and void.do share the supplier's timeout, and void.do is
 * not sent with less than half of it left. And what the check decides: nothing is sent on an
 * inconclusive answer, nor before the supplier's time to show an accepted void has passed.
 * Fakes of the store, registry and tracker; the deadline is the real one (datasources/deadline.ts).
 */
import { describe, expect, it } from "vitest";
import type { CallScope } from "../../datasources/deadline.js";
import type { SupplierRegistry } from "../../datasources/registry.js";
import type { VoidOrderData } from "../../datasources/model.js";
import type { SubmittedCheck } from "../../datasources/ports.js";
import type { Logger } from "../../src/logger.js";
import type { Store } from "../../src/store/index.js";
import type { Tracker } from "../../src/tracking/engine.js";
import { VoidSubmission } from "../../src/tracking/void-submission.js";
import { GatewayError, SupplierError } from "../../src/vocabulary/errors.js";

const TIMEOUT_MS = 200;

function setup(
  checkMs: number,
  check: SubmittedCheck = { submitted: false, offerReplaced: false },
  opts: { visibleMs?: number; since?: Date; inFlightUntil?: Date; submitError?: Error } = {},
) {
  const calls: string[] = [];
  const scopes: Array<CallScope | undefined> = [];
  let leftAtSubmit: number | undefined;
  const unsettled = new Set(["ORD-1"]);
  /** Orders this request claimed before sending. */
  const claims: string[] = [];
  const port = {
    async findSubmitted(_orderNo: string, scope?: CallScope) {
      calls.push("findSubmitted");
      scopes.push(scope);
      await new Promise((r) => setTimeout(r, checkMs));
      return check;
    },
    async submit(orderNo: string, _offer: string, scope?: CallScope) {
      calls.push("submit");
      scopes.push(scope);
      leftAtSubmit = scope?.deadline?.remainingMs();
      if (opts.submitError) throw opts.submitError;
      return { supplier: "ATRIP", orderNo, voidCode: "V-1", status: "SUPPLIER_PROCESSING", isFinal: false } as unknown as VoidOrderData;
    },
  };
  const store = {
    unsettled: {
      // A lost submission's mark on ORD-1; a claim on any other order is this request's own.
      claim: async (tenant: string, supplier: string, operation: string, orderNo: string) => {
        if (unsettled.has(orderNo))
          return { tenant, supplier, operation, orderNo, since: opts.since ?? new Date(0), inFlightUntil: opts.inFlightUntil ?? null };
        unsettled.add(orderNo);
        claims.push(orderNo);
        return null;
      },
      settle: async (_t: string, _s: string, _op: string, orderNo: string) => void unsettled.delete(orderNo),
      mark: async () => undefined,
    },
  } as unknown as Store;
  const registry = { voids: () => port, get: () => ({ timeoutMs: TIMEOUT_MS }) } as unknown as SupplierRegistry;
  const voids = {
    byOrder: async () => [],
    start: async (tenant: string, supplier: string, ref: string, orderNo: string, data: VoidOrderData) => ({
      tenant,
      supplier,
      ref,
      orderNo,
      data,
    }),
  } as unknown as Tracker<VoidOrderData>;
  const log = { error: () => undefined } as unknown as Logger;
  return {
    submission: new VoidSubmission(store, registry, voids, log, () => opts.visibleMs ?? 0),
    calls,
    scopes,
    unsettled,
    claims,
    leftAtSubmit: () => leftAtSubmit,
  };
}

describe("a submission after a lost one: one deadline", () => {
  it("a quick check leaves void.do the rest of the same deadline, not a new one", async () => {
    const s = setup(20);
    const record = await s.submission.submit("t", "ATRIP", "ORD-1", "offer-1", { requestId: "req-7" });
    expect(record).toMatchObject({ ref: "V-1" });
    expect(s.calls).toEqual(["findSubmitted", "submit"]);
    // Both calls carry the client's request and the one deadline.
    expect(s.scopes.map((c) => c?.requestId)).toEqual(["req-7", "req-7"]);
    expect(s.scopes[1]?.deadline).toBe(s.scopes[0]?.deadline);
    expect(s.leftAtSubmit()).toBeLessThanOrEqual(TIMEOUT_MS - 15);
    expect(s.leftAtSubmit()).toBeGreaterThan(TIMEOUT_MS / 2);
  });

  it("a check that took more than half of it: void.do is not sent, SUPPLIER_TIMEOUT (retryable), and the next submission goes straight", async () => {
    const s = setup(130);
    await expect(s.submission.submit("t", "ATRIP", "ORD-1", "offer-1")).rejects.toMatchObject({
      code: "SUPPLIER_TIMEOUT",
      extra: { retryable: true },
    });
    expect(s.calls).toEqual(["findSubmitted"]);
    expect(s.unsettled.has("ORD-1")).toBe(false);

    await s.submission.submit("t", "ATRIP", "ORD-1", "offer-1");
    expect(s.calls).toEqual(["findSubmitted", "submit"]);
  });
});

describe("a submission after a lost one: what the check decides", () => {
  it("an inconclusive answer: SUPPLIER_OUTCOME_UNKNOWN, nothing sent, the order stays unsettled", async () => {
    const s = setup(0, { submitted: false, offerReplaced: true, inconclusive: "the quote calls the order not voidable" });
    await expect(s.submission.submit("t", "ATRIP", "ORD-1", "offer-1")).rejects.toMatchObject({
      code: "SUPPLIER_OUTCOME_UNKNOWN",
      extra: { retryable: false },
    });
    expect(s.calls).toEqual(["findSubmitted"]);
    expect(s.unsettled.has("ORD-1")).toBe(true);
  });

  it("no void yet, but the supplier may still be showing one: nothing sent until its time has passed since the loss", async () => {
    const s = setup(0, { submitted: false, offerReplaced: false }, { visibleMs: 300_000, since: new Date(Date.now() - 60_000) });
    const err = await s.submission.submit("t", "ATRIP", "ORD-1", "offer-1").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN", extra: { retryable: true } });
    expect((err as { extra: { retryAfterSeconds: number } }).extra.retryAfterSeconds).toBeGreaterThanOrEqual(239);
    expect((err as { extra: { retryAfterSeconds: number } }).extra.retryAfterSeconds).toBeLessThanOrEqual(240);
    expect(s.calls).toEqual(["findSubmitted"]);
    expect(s.unsettled.has("ORD-1")).toBe(true);
  });

  it("no void, and the supplier's time to show one has passed: the submission goes ahead", async () => {
    const s = setup(0, { submitted: false, offerReplaced: false }, { visibleMs: 300_000, since: new Date(Date.now() - 300_001) });
    expect(await s.submission.submit("t", "ATRIP", "ORD-1", "offer-1")).toMatchObject({ ref: "V-1" });
    expect(s.calls).toEqual(["findSubmitted", "submit"]);
    expect(s.unsettled.has("ORD-1")).toBe(false);
  });
});

describe("the mark written before void.do", () => {
  it("is cleared when the void is recorded", async () => {
    const s = setup(0);
    expect(await s.submission.submit("t", "ATRIP", "ORD-2", "offer-1")).toMatchObject({ ref: "V-1" });
    expect(s.claims).toEqual(["ORD-2"]);
    expect(s.unsettled.has("ORD-2")).toBe(false);
  });

  it("is cleared when the supplier refuses the void, and stays when the outcome is unknown", async () => {
    const refused = setup(0, undefined, { submitError: new GatewayError("VOID_OFFER_EXPIRED", "805") });
    await expect(refused.submission.submit("t", "ATRIP", "ORD-2", "offer-1")).rejects.toMatchObject({ code: "VOID_OFFER_EXPIRED" });
    expect(refused.unsettled.has("ORD-2")).toBe(false);
    const lost = setup(0, undefined, {
      submitError: new SupplierError("SUPPLIER_OUTCOME_UNKNOWN", "lost", { supplier: "ATRIP", retryable: false }),
    });
    await expect(lost.submission.submit("t", "ATRIP", "ORD-2", "offer-1")).rejects.toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN" });
    expect(lost.unsettled.has("ORD-2")).toBe(true);
  });

  it("while another request's void.do is in flight: REQUEST_IN_PROGRESS with retryAfterSeconds, nothing asked or sent", async () => {
    const s = setup(0, undefined, { since: new Date(), inFlightUntil: new Date(Date.now() + 20_000) });
    const err = await s.submission.submit("t", "ATRIP", "ORD-1", "offer-1").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "REQUEST_IN_PROGRESS", extra: { retryable: true } });
    expect((err as { extra: { retryAfterSeconds: number } }).extra.retryAfterSeconds).toBeGreaterThanOrEqual(19);
    expect((err as { extra: { retryAfterSeconds: number } }).extra.retryAfterSeconds).toBeLessThanOrEqual(20);
    expect(s.calls).toEqual([]);
    expect(s.unsettled.has("ORD-1")).toBe(true);
  });

  it("left by a sender that stopped mid-call: the supplier is asked first, its time to show the void counted from the call's end", async () => {
    const inFlightUntil = new Date(Date.now() - 1_000);
    const s = setup(
      0,
      { submitted: false, offerReplaced: false },
      { visibleMs: 300_000, since: new Date(Date.now() - 400_000), inFlightUntil },
    );
    const err = await s.submission.submit("t", "ATRIP", "ORD-1", "offer-1").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN", extra: { retryable: true } });
    expect((err as { extra: { retryAfterSeconds: number } }).extra.retryAfterSeconds).toBeGreaterThanOrEqual(298);
    expect(s.calls).toEqual(["findSubmitted"]);
  });
});
