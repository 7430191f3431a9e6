/**
 * Fuzzing every mutation's input (fast-check): whatever a client sends, the answer is data,
 * BAD_USER_INPUT, or a supplier's own error code — never INTERNAL_SERVER_ERROR, never a crash.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql } from "../helpers/graphql.js";

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ VOID_POLL_MIN_MS: "3600000", VOID_POLL_MAX_MS: "3600000" });
});
afterAll(async () => t?.close());

const ALLOWED = new Set([
  "BAD_USER_INPUT",
  "GRAPHQL_VALIDATION_FAILED",
  "UNSUPPORTED_OPERATION",
  "ORDER_NOT_FOUND",
  "NOT_VOIDABLE",
  "VOID_OFFER_EXPIRED",
  "VOID_DEADLINE_EXCEEDED",
  "VOID_ALREADY_SUBMITTED",
  "TICKET_ALREADY_USED",
  "WRONG_ORDER_NUMBER",
  "STOP_ISSUANCE_REJECTED",
  "CANCEL_REJECTED",
  "SUPPLIER_REJECTED_REQUEST",
  "SUPPLIER_UNAVAILABLE",
  "IDEMPOTENCY_KEY_REUSED",
]);

// Strings that stress validation and the suppliers: unicode, control characters, long, empty, demo-like.
const text = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.constantFrom(
    "",
    " ",
    "ATR-VOID-DEPOSIT",
    "ATR-TICKET-USED",
    "ALI-TICKETED",
    "CTT-WITHIN-30",
    "x".repeat(64),
    "x".repeat(65),
    "a\u0000b",
    "' OR 1=1 --",
    "../../etc",
  ),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
);
const supplier = fc.constantFrom("ATRIP", "ALITRIP", "CTT");

const MUTATIONS: Array<[string, string, fc.Arbitrary<Record<string, unknown>>]> = [
  ["voidQuote", `mutation M($input: VoidQuoteInput!) { voidQuote(input: $input) { orderNo } }`, fc.record({ supplier, orderNo: text })],
  [
    "submitVoid",
    `mutation M($input: SubmitVoidInput!) { submitVoid(input: $input) { voidCode } }`,
    fc.record({ supplier, orderNo: text, voidOfferId: text, idempotencyKey: fc.option(text, { nil: undefined }) }),
  ],
  [
    "stopTicketIssuance",
    `mutation M($input: StopTicketIssuanceInput!) { stopTicketIssuance(input: $input) { state } }`,
    fc.record({ supplier, orderNo: text, idempotencyKey: fc.option(text, { nil: undefined }) }),
  ],
  [
    "cancelOrder",
    `mutation M($input: CancelOrderInput!) { cancelOrder(input: $input) { orderNo } }`,
    fc.record({
      supplier,
      orderNo: text,
      subChannel: fc.option(text, { nil: undefined }),
      passengerIds: fc.option(fc.array(text, { maxLength: 60 }), { nil: undefined }),
      reason: fc.option(fc.string({ maxLength: 300 }), { nil: undefined }),
      idempotencyKey: fc.option(text, { nil: undefined }),
    }),
  ],
];

describe("fuzzing mutation inputs", () => {
  it.each(MUTATIONS)("%s: only BAD_USER_INPUT or supplier codes, never an internal error", async (_name, query, input) => {
    await fc.assert(
      fc.asyncProperty(input, async (value) => {
        const r = await gql(t.url, query, { input: value });
        if (r.errors) {
          for (const e of r.errors) {
            const code = String(e.extensions?.code);
            expect(ALLOWED.has(code), `${code}: ${e.message} for ${JSON.stringify(value)}`).toBe(true);
          }
        } else expect(r.data).toBeTruthy();
      }),
      { numRuns: 60 },
    );
    // Still alive and well.
    expect((await gql(t.url, "{ suppliers { supplier } }")).errors).toBeUndefined();
  });
});
