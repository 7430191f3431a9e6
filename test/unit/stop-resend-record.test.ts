/**
 * A stop sent again is recorded onto its record as read (TrackedStore.resent compares updatedAt):
 * a record written meanwhile is read again, and left as it is when it already accounts for this
 * send or a later one. A resend recorded late, after its claim had been taken over, used to
 * write over the newer record of an answered resend (black-box probe, thirty-third session).
 * Fakes of the tracker and claims with the store's compare-and-set; the resend logic is real.
 */
import { describe, expect, it } from "vitest";
import type { StopIssuancePort } from "../../datasources/ports.js";
import type { Logger } from "../../src/logger.js";
import type { TrackedRecord } from "../../src/store/tracked-model.js";
import type { Tracker } from "../../src/tracking/engine.js";
import type { StopReport } from "../../src/tracking/kinds/stop.js";
import type { OrderClaims } from "../../src/tracking/outcome.js";
import { resendStop } from "../../src/tracking/stop-resend.js";

const DELAY = 60_000;
const log = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Logger;

/** A lost stop, checked twice the delay after its request and shown at 1: it may be sent again. */
function lostStop(): TrackedRecord<StopReport> {
  const now = Date.now();
  return {
    kind: "stop",
    tenant: "t",
    supplier: "ATRIP",
    ref: "ORD-1",
    status: "PENDING",
    isFinal: false,
    notBefore: new Date(now - 3 * DELAY),
    lastCheckedAt: new Date(now - DELAY / 2),
    checkFailure: null,
    updatedAt: new Date(now - DELAY / 2),
    data: { status: "PENDING", message: null, supplierOrderStatus: "1", showsNoStop: true, outcomeUnknown: true },
  } as unknown as TrackedRecord<StopReport>;
}

function setup(duringSend: (store: { current: TrackedRecord<StopReport> }) => void) {
  const store = { current: lostStop(), writes: 0 };
  const stops = {
    get: async () => store.current,
    resent: async (seen: TrackedRecord<StopReport>, report: StopReport, notBeforeInMs: number) => {
      if (seen.updatedAt.getTime() !== store.current.updatedAt.getTime()) return null;
      store.writes += 1;
      const notBefore = new Date(Date.now() + notBeforeInMs);
      store.current = { ...store.current, data: report, notBefore, updatedAt: new Date(store.current.updatedAt.getTime() + 1) };
      return store.current;
    },
  } as unknown as Tracker<StopReport>;
  const ends: string[] = [];
  const claims = {
    claim: async () => ({
      earlier: null,
      settle: async () => void ends.push("settle"),
      giveBack: async () => void ends.push("giveBack"),
      keep: async () => (ends.push("keep"), true),
    }),
  } as unknown as OrderClaims;
  const port = {
    stop: async () => {
      duringSend(store);
      return { supplier: "ATRIP", orderNo: "ORD-1", message: "ok" };
    },
  } as unknown as StopIssuancePort;
  const run = () => resendStop({ stops, claims, checkDelayMs: () => DELAY, log }, port, store.current);
  return { store, ends, run };
}

describe("a stop sent again, recorded onto its record as read", () => {
  it("a check written while the stop was sent: read again, and the send recorded onto it", async () => {
    const s = setup((store) => {
      store.current = { ...store.current, lastCheckedAt: new Date(), updatedAt: new Date(store.current.updatedAt.getTime() + 5) };
    });
    const sentAt = Date.now();
    const done = await s.run();
    expect(s.store.writes).toBe(1);
    expect(done.data).toMatchObject({ message: "ok", outcomeUnknown: false });
    expect(done.notBefore!.getTime()).toBeGreaterThanOrEqual(sentAt + DELAY - 1000);
    expect(s.ends).toEqual(["settle"]);
  });

  it("a later send recorded first (its claim taken over meanwhile): left as it is", async () => {
    const later = new Date(Date.now() + 2 * DELAY);
    const s = setup((store) => {
      store.current = {
        ...store.current,
        notBefore: later,
        data: { ...store.current.data, message: "the later send's", outcomeUnknown: false },
        updatedAt: new Date(store.current.updatedAt.getTime() + 5),
      };
    });
    const done = await s.run();
    expect(s.store.writes).toBe(0);
    expect(done.data.message).toBe("the later send's");
    expect(s.store.current.notBefore).toEqual(later);
    expect(s.ends).toEqual(["settle"]);
  });

  it("a stop that ended meanwhile: left as it is", async () => {
    const s = setup((store) => {
      store.current = { ...store.current, status: "STOPPED", isFinal: true, updatedAt: new Date(store.current.updatedAt.getTime() + 5) };
    });
    const done = await s.run();
    expect(s.store.writes).toBe(0);
    expect(done.status).toBe("STOPPED");
  });
});
