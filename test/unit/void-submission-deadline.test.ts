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
  /** The orders' marks, as src/store/unsettled-store.ts keeps them: ORD-1 has a lost submission's. */
  const marks = new Map<string, { since: number; claimId: string | null; inFlightUntil: number | null }>([
    ["ORD-1", { since: (opts.since ?? new Date(0)).getTime(), claimId: null, inFlightUntil: opts.inFlightUntil?.getTime() ?? null }],
  ]);
  /** Orders this request claimed fresh before sending. */
  const claims: string[] = [];
  let ids = 0;
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
  const view = (orderNo: string) => {
    const m = marks.get(orderNo)!;
    const inFlightMs = Math.max(0, (m.inFlightUntil ?? 0) - Date.now());
    return { tenant: "t", supplier: "ATRIP", operation: "VOID", orderNo, since: new Date(m.since), claimId: m.claimId, inFlightMs };
  };
  /** Runs `then` on the order's mark when `claimId` still holds it (the store's compare on the claim id). */
  const mine = (
    orderNo: string,
    claimId: string,
    then: (m: { since: number; claimId: string | null; inFlightUntil: number | null }) => void,
  ) => {
    const m = marks.get(orderNo);
    if (m && m.claimId === claimId) then(m);
  };
  // A fake of the store's compare-and-set semantics, each operation as one statement would do it.
  const store = {
    // Every order's latest quote gave the offer these tests submit.
    quotes: {
      latest: async () => ({ offerId: "offer-1", voidable: true, quotedAt: new Date() }),
      forget: async () => undefined,
    },
    unsettled: {
      claim: async (_t: string, _s: string, _op: string, orderNo: string, ms: number) => {
        if (marks.has(orderNo)) return { earlier: view(orderNo) };
        const claimId = `c${++ids}`;
        marks.set(orderNo, { since: Date.now(), claimId, inFlightUntil: Date.now() + ms });
        claims.push(orderNo);
        return { claimId };
      },
      takeOver: async (mark: { orderNo: string; claimId: string | null }, ms: number) => {
        const m = marks.get(mark.orderNo);
        if (!m || m.claimId !== mark.claimId || (m.inFlightUntil ?? 0) > Date.now()) return null;
        Object.assign(m, { since: Math.max(m.since, m.inFlightUntil ?? m.since), claimId: `c${++ids}`, inFlightUntil: Date.now() + ms });
        return view(mark.orderNo);
      },
      mark: async (_t: string, _s: string, _op: string, orderNo: string, _detail: string, claimId: string) => {
        if (!marks.has(orderNo)) marks.set(orderNo, { since: Date.now(), claimId: null, inFlightUntil: null });
        else mine(orderNo, claimId, (m) => Object.assign(m, { since: Date.now(), claimId: null, inFlightUntil: null }));
      },
      resent: async () => undefined,
      restore: async (_t: string, _s: string, _op: string, orderNo: string, claimId: string) =>
        mine(orderNo, claimId, (m) => Object.assign(m, { claimId: null, inFlightUntil: null })),
      settle: async (_t: string, _s: string, _op: string, orderNo: string, claimId: string) =>
        mine(orderNo, claimId, () => marks.delete(orderNo)),
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
    store,
    registry,
    voids,
    log,
    calls,
    scopes,
    marks,
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
    expect(s.marks.has("ORD-1")).toBe(false);

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
    expect(s.marks.has("ORD-1")).toBe(true);
  });

  it("no void yet, but the supplier may still be showing one: nothing sent until its time has passed since the loss", async () => {
    const s = setup(0, { submitted: false, offerReplaced: false }, { visibleMs: 300_000, since: new Date(Date.now() - 60_000) });
    const err = await s.submission.submit("t", "ATRIP", "ORD-1", "offer-1").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN", extra: { retryable: true } });
    expect((err as { extra: { retryAfterSeconds: number } }).extra.retryAfterSeconds).toBeGreaterThanOrEqual(239);
    expect((err as { extra: { retryAfterSeconds: number } }).extra.retryAfterSeconds).toBeLessThanOrEqual(240);
    expect(s.calls).toEqual(["findSubmitted"]);
    expect(s.marks.has("ORD-1")).toBe(true);
  });

  it("no void, and the supplier's time to show one has passed: the submission goes ahead", async () => {
    const s = setup(0, { submitted: false, offerReplaced: false }, { visibleMs: 300_000, since: new Date(Date.now() - 300_001) });
    expect(await s.submission.submit("t", "ATRIP", "ORD-1", "offer-1")).toMatchObject({ ref: "V-1" });
    expect(s.calls).toEqual(["findSubmitted", "submit"]);
    expect(s.marks.has("ORD-1")).toBe(false);
  });
});

describe("the mark written before void.do", () => {
  it("is cleared when the void is recorded", async () => {
    const s = setup(0);
    expect(await s.submission.submit("t", "ATRIP", "ORD-2", "offer-1")).toMatchObject({ ref: "V-1" });
    expect(s.claims).toEqual(["ORD-2"]);
    expect(s.marks.has("ORD-2")).toBe(false);
  });

  it("is cleared when the supplier refuses the void, and stays when the outcome is unknown", async () => {
    const refused = setup(0, undefined, { submitError: new GatewayError("VOID_OFFER_EXPIRED", "805") });
    await expect(refused.submission.submit("t", "ATRIP", "ORD-2", "offer-1")).rejects.toMatchObject({ code: "VOID_OFFER_EXPIRED" });
    expect(refused.marks.has("ORD-2")).toBe(false);
    const lost = setup(0, undefined, {
      submitError: new SupplierError("SUPPLIER_OUTCOME_UNKNOWN", "lost", { supplier: "ATRIP", retryable: false }),
    });
    await expect(lost.submission.submit("t", "ATRIP", "ORD-2", "offer-1")).rejects.toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN" });
    // The claim became a lost reply's mark: nobody holds it, nothing in flight.
    expect(lost.marks.get("ORD-2")).toMatchObject({ claimId: null, inFlightUntil: null });
  });

  it("while another request's void.do is in flight: REQUEST_IN_PROGRESS with retryAfterSeconds, nothing asked or sent", async () => {
    const s = setup(0, undefined, { since: new Date(), inFlightUntil: new Date(Date.now() + 20_000) });
    const err = await s.submission.submit("t", "ATRIP", "ORD-1", "offer-1").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "REQUEST_IN_PROGRESS", extra: { retryable: true } });
    expect((err as { extra: { retryAfterSeconds: number } }).extra.retryAfterSeconds).toBeGreaterThanOrEqual(19);
    expect((err as { extra: { retryAfterSeconds: number } }).extra.retryAfterSeconds).toBeLessThanOrEqual(20);
    expect(s.calls).toEqual([]);
    expect(s.marks.has("ORD-1")).toBe(true);
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
    // The mark is given back, nobody holding it, its time now the stopped call's end.
    expect(s.marks.get("ORD-1")).toMatchObject({ claimId: null, inFlightUntil: null, since: inFlightUntil.getTime() });
  });

  it("two requests finding one mark: the second, while the first checks, is REQUEST_IN_PROGRESS and asks nothing", async () => {
    const s = setup(50, { submitted: false, offerReplaced: false });
    const first = s.submission.submit("t", "ATRIP", "ORD-1", "offer-1");
    // Another instance's request (this instance's lock serialises its own): the same store, no lock shared.
    await new Promise((r) => setTimeout(r, 10));
    const other = new VoidSubmission(s.store, s.registry, s.voids, s.log, () => 0);
    await expect(other.submit("t", "ATRIP", "ORD-1", "offer-1")).rejects.toMatchObject({ code: "REQUEST_IN_PROGRESS" });
    expect(await first).toMatchObject({ ref: "V-1" });
    expect(s.calls).toEqual(["findSubmitted", "submit"]);
    expect(s.marks.has("ORD-1")).toBe(false);
  });
});

describe("a submission for an order the gateway holds a void for", () => {
  it("is refused, nothing sent, and a mark left beside that void (its claim could not clear it) goes", async () => {
    const s = setup(0);
    const held = { tenant: "t", supplier: "ATRIP", ref: "V-0", orderNo: "ORD-1", status: "SUPPLIER_PROCESSING", isFinal: false, data: {} };
    (s.voids as unknown as { byOrder: () => Promise<unknown[]> }).byOrder = async () => [held];
    await expect(s.submission.submit("t", "ATRIP", "ORD-1", "offer-1")).rejects.toMatchObject({ code: "VOID_ALREADY_SUBMITTED" });
    expect(s.calls).toEqual([]);
    expect(s.marks.has("ORD-1")).toBe(false);
    // An order with no mark: its fresh claim goes back, nothing else is left.
    await expect(s.submission.submit("t", "ATRIP", "ORD-2", "offer-1")).rejects.toMatchObject({ code: "VOID_ALREADY_SUBMITTED" });
    expect(s.marks.has("ORD-2")).toBe(false);
    expect(s.calls).toEqual([]);
  });
});
