/**
 * The fault matrix through the gateway: each supplier fault gives the client its documented
 * code; a state-changing call is never sent twice; and tracking under intermittent faults
 * still records every change exactly once — nothing lost, invented or duplicated.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AtripFaults } from "../../src/sandbox/atrip/server.js";
import { NO_FAULTS } from "../../src/sandbox/http-kit.js";
import { DEFAULT_TIMING } from "../../src/sandbox/atrip/state.js";
import { eventually, fresh } from "../helpers/atrip.js";
import { wsClient } from "../helpers/clients.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql, QUOTE, quoteAndSubmit, VOID_EVENTS, type EventOut } from "../helpers/graphql.js";
import { collect } from "../helpers/subscribe.js";

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    ATRIP_TIMEOUT_MS: "300",
    CIRCUIT_THRESHOLD: "100000",
    SUPPLIER_READ_RETRIES: "0",
    // Simulated time runs at real speed, so a void steps (every 60 s) only when a test moves the clock.
    SANDBOX_TIME_SCALE: "1",
    VOID_POLL_MIN_MS: "150",
    VOID_POLL_MAX_MS: "300",
    VOID_POLL_WATCHED_MS: "150",
  });
});
afterAll(async () => t?.close());

const faults = (f: Partial<AtripFaults>) => {
  t.sandbox.atrip!.server.faults = { ...NO_FAULTS, ...f };
};
const STEP_MS = DEFAULT_TIMING.voidStepMs;
const codeOf = (r: Awaited<ReturnType<typeof gql>>) => r.errors?.[0]?.extensions?.code;

const KINDS: Array<[string, Partial<AtripFaults>, string, string]> = [
  // name, fault, code for a read (voidQuote), code for void.do
  ["timeout", { latencyMs: 600 }, "SUPPLIER_TIMEOUT", "SUPPLIER_OUTCOME_UNKNOWN"],
  ["HTTP 500", { http500Rate: 1 }, "SUPPLIER_UNAVAILABLE", "SUPPLIER_UNAVAILABLE"],
  ["connection reset", { resetRate: 1 }, "SUPPLIER_UNAVAILABLE", "SUPPLIER_OUTCOME_UNKNOWN"],
  ["malformed JSON", { malformedRate: 1 }, "SUPPLIER_BAD_RESPONSE", "SUPPLIER_OUTCOME_UNKNOWN"],
  ["broken gzip", { brokenGzipRate: 1 }, "SUPPLIER_BAD_RESPONSE", "SUPPLIER_OUTCOME_UNKNOWN"],
];

describe("fault matrix", () => {
  it.each(KINDS)("%s: the client's code for a read and for void.do, and void.do sent once", async (_name, fault, readCode, writeCode) => {
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const offer = (await gql<{ voidQuote: { voidOfferId: string } }>(t.url, QUOTE, { orderNo })).data!.voidQuote.voidOfferId;
    faults({ ...fault, operations: ["voidQuotation.do", "void.do"] });
    try {
      const read = (await gql(t.url, QUOTE, { orderNo })).errors?.[0]?.extensions;
      expect(read?.code).toBe(readCode);
      // API.md: supplier errors carry supplierCode and supplierMessage, null when the supplier said nothing.
      expect(read).toMatchObject({ supplier: "ATRIP" });
      expect(Object.keys(read ?? {})).toEqual(expect.arrayContaining(["supplierCode", "supplierMessage"]));
      if (_name === "timeout" || _name === "connection reset") expect(read).toMatchObject({ supplierCode: null, supplierMessage: null });
      const before = t.sandbox.atrip!.server.stats.byOperation["void.do"] ?? 0;
      const submit = `mutation { submitVoid(input: { supplier: ATRIP, orderNo: "${orderNo}", voidOfferId: "${offer}" }) { voidCode } }`;
      expect(codeOf(await gql(t.url, submit))).toBe(writeCode);
      faults({});
      await new Promise((r) => setTimeout(r, 400)); // a slow supplier may still be handling it
      const second = await gql(t.url, submit);
      expect(second.data).toBeFalsy();
      expect((t.sandbox.atrip!.server.stats.byOperation["void.do"] ?? 0) - before).toBe(1);
    } finally {
      faults({});
    }
  });

  it.each(KINDS)("tracking under intermittent %s on polls (webhooks all dropped): every change exactly once", async (_name, fault) => {
    const sim = t.sandbox.atrip!;
    const client = wsClient(t.wsUrl);
    const orderNo = fresh("ATR-VOID-VCC");
    const sub = collect<EventOut>(client, VOID_EVENTS, { orderNo }, (d) => d.voidStatusChanged as EventOut);
    await new Promise((r) => setTimeout(r, 100));
    const voidCode = await quoteAndSubmit(t.url, orderNo);
    await sub.waitUntil((e) => e.status === "SUPPLIER_PROCESSING");
    const polls = () => sim.server.recent.filter((r) => r.operation === "queryVoidOrders.do" && r.body.includes(voidCode)).length;
    /** Lets at least `n` more polls of this void reach the simulator (and fail, while faults are on). */
    const pollsPass = async (n: number) => {
      const target = polls() + n;
      await eventually(async () => (polls() >= target ? true : undefined), 10_000);
    };
    /** Every poll fails (or, for "timeout", is slowed beyond the timeout) until `n` have come. */
    const failingPolls = async (n: number) => {
      faults({ ...fault, operations: ["queryVoidOrders.do"], webhookDropRate: 1 });
      await pollsPass(n);
      faults({ webhookDropRate: 1 });
    };
    try {
      // The simulator's clock moves only here, so each status lasts until polling has seen it;
      // around each step, polls fail before and after the change and succeed in between.
      await failingPolls(2); // no change yet: failures must not invent one
      sim.clock.advance(STEP_MS); // now AIRLINE_PROCESSING, and the supplier tells no one
      await failingPolls(2);
      await sub.waitUntil((e) => e.status === "AIRLINE_PROCESSING", 10_000);
      await failingPolls(2); // the same status again, through failures: no duplicate
      await pollsPass(2); // ... and through successes
      sim.clock.advance(STEP_MS); // now COMPLETED
      await failingPolls(2);
      await sub.waitUntil((e) => e.isFinal, 10_000);
    } finally {
      faults({});
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(sub.items.map((e) => [e.status, e.source])).toEqual([
      ["SUPPLIER_PROCESSING", "SUBMIT"],
      ["AIRLINE_PROCESSING", "POLL"],
      ["COMPLETED", "POLL"],
    ]);
    const h = await gql<{ voidOrder: { history: EventOut[] } }>(
      t.url,
      `{ voidOrder(supplier: ATRIP, voidCode: "${voidCode}") { history { id } } }`,
    );
    expect(h.data!.voidOrder.history.map((e) => e.id)).toEqual(sub.items.map((e) => e.id));
    sub.stop();
    await client.dispose();
  });
});
