/**
 * The supplier's own tokens (a quote's voidOfferId, a void's voidCode) are taken back as the
 * supplier wrote them: any visible ASCII up to 256 characters. Seed 002 gives both as plain
 * strings; before, a base64 offer the gateway had itself handed out ("v_b8/cf+99==") was
 * BAD_USER_INPUT at submitVoid, and nothing could be done with it (black-box probe, thirty-first
 * session). The gateway hands out no offer it would refuse: a quote with such an offer is
 * SUPPLIER_BAD_RESPONSE. A real gateway against the ATRIP simulator, which knows none of these tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql, QUOTE, SUBMIT } from "../helpers/graphql.js";
import { fresh } from "../helpers/atrip.js";
import { NO_FAULTS } from "../../src/sandbox/http-kit.js";
import { wsClient, wsRequest } from "../helpers/clients.js";
import { VOID_EVENTS } from "../helpers/graphql.js";

const BASE64ISH = "v_b893711f/cfae4e9d949e+9965576bfd3a==";
const VOID = `query V($code: String!) { voidOrder(supplier: ATRIP, voidCode: $code) { status } }`;

describe("supplier tokens in client input", () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("a voidOfferId of base64 characters, handed out by a quote, reaches the supplier (which answers for itself: an offer it did not make is 805)", async () => {
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    t.sandbox.atrip!.server.faults = {
      ...NO_FAULTS,
      operations: ["voidQuotation.do"],
      rewrite: { from: '"voidOfferId":"v_', to: `"voidOfferId":"${BASE64ISH}` },
    };
    let offer: string;
    try {
      const q = await gql<{ voidQuote: { voidOfferId: string } }>(t.url, QUOTE, { orderNo });
      offer = q.data!.voidQuote.voidOfferId;
    } finally {
      t.sandbox.atrip!.server.faults = NO_FAULTS;
    }
    expect(offer.startsWith(BASE64ISH)).toBe(true);
    const before = t.sandbox.atrip!.server.stats.byOperation["void.do"] ?? 0;
    const r = await gql(t.url, SUBMIT, { orderNo, offer });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: "VOID_OFFER_EXPIRED", supplierCode: "805" });
    expect((t.sandbox.atrip!.server.stats.byOperation["void.do"] ?? 0) - before).toBe(1);
  });

  it.each([
    ["a space", "v x"],
    ["a control character", "v\u0001x"],
    ["non-ASCII", "v_é"],
    ["257 characters", "v".repeat(257)],
  ])("a voidOfferId with %s is BAD_USER_INPUT, and nothing is sent", async (_what, offer) => {
    const before = t.sandbox.atrip!.server.stats.byOperation["void.do"] ?? 0;
    const r = await gql(t.url, SUBMIT, { orderNo: "ATR-VOID-DEPOSIT", offer });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "voidOfferId" });
    expect(t.sandbox.atrip!.server.stats.byOperation["void.do"] ?? 0).toBe(before);
  });

  it("a quote whose voidOfferId submitVoid would refuse is SUPPLIER_BAD_RESPONSE, not an offer that cannot be used", async () => {
    t.sandbox.atrip!.server.faults = {
      ...NO_FAULTS,
      operations: ["voidQuotation.do"],
      rewrite: { from: '"voidOfferId":"', to: '"voidOfferId":"v ' },
    };
    try {
      const r = await gql(t.url, QUOTE, { orderNo: fresh("ATR-VOID-DEPOSIT") });
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: "SUPPLIER_BAD_RESPONSE" });
      expect(r.errors?.[0]?.message).toContain("voidOfferId");
    } finally {
      t.sandbox.atrip!.server.faults = NO_FAULTS;
    }
  });

  it.each([
    ["a space", '"voidCode":"x '],
    ["257 characters", `"voidCode":"${"W".repeat(251)}`],
  ])(
    "a void.do answer whose voidCode has %s (one the gateway could not take back) is an unknown outcome: nothing recorded, nothing sent again",
    async (_what, to) => {
      const orderNo = fresh("ATR-VOID-DEPOSIT");
      const offer = (await gql<{ voidQuote: { voidOfferId: string } }>(t.url, QUOTE, { orderNo })).data!.voidQuote.voidOfferId;
      t.sandbox.atrip!.server.faults = { ...NO_FAULTS, operations: ["void.do"], rewrite: { from: '"voidCode":"', to } };
      try {
        const r = await gql(t.url, SUBMIT, { orderNo, offer });
        expect(r.errors?.[0]?.extensions).toMatchObject({ code: "SUPPLIER_OUTCOME_UNKNOWN" });
        expect(r.errors?.[0]?.extensions).not.toHaveProperty("voidCode");
      } finally {
        t.sandbox.atrip!.server.faults = NO_FAULTS;
      }
      const list = await gql<{ voidOrders: unknown[] }>(t.url, `query L($o: String!) { voidOrders(orderNo: $o) { voidCode } }`, {
        o: orderNo,
      });
      expect(list.data?.voidOrders).toEqual([]);
      const before = t.sandbox.atrip!.server.stats.byOperation["void.do"] ?? 0;
      const again = await gql(t.url, SUBMIT, { orderNo, offer });
      expect(again.errors?.[0]?.extensions?.code).not.toBeUndefined();
      expect(t.sandbox.atrip!.server.stats.byOperation["void.do"] ?? 0).toBe(before);
    },
  );

  it("a voidCode of visible ASCII can be asked for (null: no such void), one with a space cannot", async () => {
    const odd = await gql<{ voidOrder: unknown }>(t.url, VOID, { code: "2025/05+0003==" });
    expect(odd.errors).toBeUndefined();
    expect(odd.data?.voidOrder).toBeNull();
    const spaced = await gql(t.url, VOID, { code: "2025 05" });
    expect(spaced.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "voidCode" });
  });

  it("voidStatusChanged takes such a voidCode as its filter, and refuses one with a space", async () => {
    const ws = wsClient(t.url.replace(/^http/, "ws"));
    try {
      const errors: unknown[] = [];
      const stop = ws.subscribe(
        { query: VOID_EVENTS, variables: { voidCode: "2025/05+0003==" } },
        {
          next: (r) => void (r.errors && errors.push(...r.errors)),
          error: (e) => void errors.push(e),
          complete: () => undefined,
        },
      );
      const spaced = await wsRequest(ws, VOID_EVENTS, { voidCode: "2025 05" });
      expect(spaced.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "voidCode" });
      expect(errors).toEqual([]);
      stop();
    } finally {
      await ws.dispose();
    }
  });
});
