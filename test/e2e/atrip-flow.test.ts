/**
 * The built gateway as a child process with its embedded ATRIP simulator, driven by real
 * clients: Apollo Client over HTTP and graphql-ws over the websocket.
 */
import { gql, CombinedGraphQLErrors } from "@apollo/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apolloClient, wsClient, wsRequest } from "../helpers/clients.js";
import { simRequests, simStats, startGatewayProcess, type GatewayProcess } from "../helpers/process.js";
import { fresh } from "../helpers/atrip.js";

let gw: GatewayProcess;
beforeAll(async () => {
  gw = await startGatewayProcess();
});
afterAll(async () => {
  await gw?.stop();
});

const QUOTE = gql`
  mutation Quote($orderNo: String!) {
    voidQuote(input: { supplier: ATRIP, orderNo: $orderNo }) {
      supplier
      orderNo
      isVoidable
      voidOfferId
      refundMethod
      fastConfirmation
      quotedAt
      fare {
        currency
        originalAmount
        estimatedRefund
      }
      serviceFee {
        amount
        currency
      }
      tickets {
        firstName
        lastName
        ticketNo
      }
    }
  }
`;
const SUBMIT = gql`
  mutation Submit($orderNo: String!, $offer: String!) {
    submitVoid(input: { supplier: ATRIP, orderNo: $orderNo, voidOfferId: $offer }) {
      supplier
      voidCode
      orderNo
      status
      supplierStatus
      isFinal
      submittedAt
      updatedAt
    }
  }
`;
const VOID_ORDER = gql`
  query VoidOrder($code: String!) {
    voidOrder(supplier: ATRIP, voidCode: $code, refresh: true) {
      voidCode
      status
      isFinal
      actualRefund {
        amount
        currency
      }
    }
  }
`;

function codeOf(err: unknown): unknown {
  return CombinedGraphQLErrors.is(err) ? err.errors[0]?.extensions?.code : err;
}

describe("gateway process, ATRIP slice", () => {
  it("lists its suppliers", async () => {
    const client = apolloClient(gw.url);
    const { data } = await client.query<{ suppliers: Array<{ supplier: string; operations: string[]; sandbox: boolean }> }>({
      query: gql`
        {
          suppliers {
            supplier
            operations
            sandbox
            available
          }
        }
      `,
    });
    expect(data?.suppliers.find((s) => s.supplier === "ATRIP")).toMatchObject({
      operations: ["STOP_TICKET_ISSUANCE", "VOID"],
      sandbox: true,
    });
  });

  it("quote → void → voidOrder with Apollo Client over HTTP", async () => {
    const client = apolloClient(gw.url);
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const { data: q } = await client.mutate<{ voidQuote: { voidOfferId: string; fare: { originalAmount: string } } }>({
      mutation: QUOTE,
      variables: { orderNo },
    });
    expect(q?.voidQuote.fare.originalAmount).toBe("1280.50");
    const { data: v } = await client.mutate<{ submitVoid: { voidCode: string; status: string; submittedAt: string } }>({
      mutation: SUBMIT,
      variables: { orderNo, offer: q!.voidQuote.voidOfferId },
    });
    expect(v?.submitVoid).toMatchObject({ status: "SUPPLIER_PROCESSING" });
    expect(new Date(v!.submitVoid.submittedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const { data: o } = await client.query<{ voidOrder: { voidCode: string } }>({
      query: VOID_ORDER,
      variables: { code: v!.submitVoid.voidCode },
    });
    expect(o?.voidOrder.voidCode).toBe(v!.submitVoid.voidCode);
  });

  it("quote → void over graphql-ws (mutations on the websocket)", async () => {
    const client = wsClient(gw.wsUrl);
    try {
      const orderNo = fresh("ATR-VOID-VCC");
      const q = await wsRequest<{ voidQuote: { voidOfferId: string } }>(client, QUOTE.loc!.source.body, { orderNo });
      expect(q.errors).toBeUndefined();
      const v = await wsRequest<{ submitVoid: { status: string; voidCode: string } }>(client, SUBMIT.loc!.source.body, {
        orderNo,
        offer: q.data!.voidQuote.voidOfferId,
      });
      expect(v.data?.submitVoid.status).toBe("SUPPLIER_PROCESSING");
      const calls = (await simStats(gw.sims.ATRIP)).byOperation["void.do"];
      const again = await wsRequest(client, SUBMIT.loc!.source.body, { orderNo, offer: q.data!.voidQuote.voidOfferId });
      // The gateway holds the void: it answers by itself and sends no second void.do.
      expect(again.errors?.[0]?.extensions).toMatchObject({
        code: "VOID_ALREADY_SUBMITTED",
        supplier: "ATRIP",
        voidCode: v.data!.submitVoid.voidCode,
      });
      expect((await simStats(gw.sims.ATRIP)).byOperation["void.do"]).toBe(calls);
    } finally {
      await client.dispose();
    }
  });

  it("stop request over HTTP and over the websocket", async () => {
    const mutation = `mutation Stop($orderNo: String!) {
      stopTicketIssuance(input: { supplier: ATRIP, orderNo: $orderNo }) { supplier orderNo state message requestedAt checkAfter resolvedAt }
    }`;
    const client = apolloClient(gw.url);
    const { data } = await client.mutate<{ stopTicketIssuance: { state: string; requestedAt: string; checkAfter: string } }>({
      mutation: gql(mutation),
      variables: { orderNo: fresh("ATR-STOP-OK") },
    });
    expect(data?.stopTicketIssuance.state).toBe("PENDING");
    expect(Date.parse(data!.stopTicketIssuance.checkAfter)).toBeGreaterThan(Date.parse(data!.stopTicketIssuance.requestedAt));
    const ws = wsClient(gw.wsUrl);
    try {
      const r = await wsRequest(ws, mutation, { orderNo: "ATR-STOP-REFUSED" });
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: "SUPPLIER_UNAVAILABLE", supplierCode: "2", retryable: true });
    } finally {
      await ws.dispose();
    }
  });

  it("BAD_USER_INPUT names the field, and no supplier call happens", async () => {
    const before = await simStats(gw.sims.ATRIP);
    const client = apolloClient(gw.url);
    const cases: Array<[string, Record<string, unknown>, string]> = [
      [QUOTE.loc!.source.body, { orderNo: "" }, "orderNo"],
      [QUOTE.loc!.source.body, { orderNo: "x".repeat(65) }, "orderNo"],
      [QUOTE.loc!.source.body, { orderNo: "ATR VOID; DROP" }, "orderNo"],
      // A voidOfferId is the supplier's token: any visible ASCII, but no space and at most 256 characters.
      [SUBMIT.loc!.source.body, { orderNo: "ATR-VOID-DEPOSIT", offer: "v x" }, "voidOfferId"],
      [SUBMIT.loc!.source.body, { orderNo: "ATR-VOID-DEPOSIT", offer: "v".repeat(257) }, "voidOfferId"],
    ];
    for (const [query, variables, field] of cases) {
      const err = await client.mutate({ mutation: gql(query), variables }).catch((e: unknown) => e);
      expect(CombinedGraphQLErrors.is(err)).toBe(true);
      const first = (err as CombinedGraphQLErrors).errors[0];
      expect(first.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
      expect(first.message).toContain(field);
    }
    const bad = await client.query({ query: VOID_ORDER, variables: { code: "" } }).catch((e: unknown) => e);
    expect(codeOf(bad)).toBe("BAD_USER_INPUT");
    // Background tracking of earlier voids keeps polling; count only what these requests would send.
    const after = await simStats(gw.sims.ATRIP);
    for (const op of ["voidQuotation.do", "void.do"]) expect(after.byOperation[op] ?? 0).toBe(before.byOperation[op] ?? 0);
    expect((await simRequests(gw.sims.ATRIP)).filter((r) => r.body.includes('"voidCode":""'))).toEqual([]);
  });

  it("UNSUPPORTED_OPERATION names the suppliers that have it, and no supplier call happens", async () => {
    const before = await simStats(gw.sims.ATRIP);
    const client = apolloClient(gw.url);
    const err = await client
      .mutate({
        mutation: gql`
          mutation {
            voidQuote(input: { supplier: CTT, orderNo: "ATR-VOID-DEPOSIT" }) {
              orderNo
            }
          }
        `,
      })
      .catch((e: unknown) => e);
    expect(CombinedGraphQLErrors.is(err)).toBe(true);
    const first = (err as CombinedGraphQLErrors).errors[0];
    expect(first.extensions).toMatchObject({ code: "UNSUPPORTED_OPERATION", supportedBy: ["ATRIP"] });
    expect(first.message).toMatch(/ATRIP/);
    expect((await simStats(gw.sims.ATRIP)).byOperation["voidQuotation.do"]).toBe(before.byOperation["voidQuotation.do"]);
  });

  it("serves Apollo Sandbox as the landing page", async () => {
    const res = await fetch(gw.url, { headers: { accept: "text/html" } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/sandbox/i);
  });

  it("SIGTERM drains, closes the websockets and exits 0", async () => {
    const ws = wsClient(gw.wsUrl);
    // An open subscription keeps the socket up, so the close comes from the server.
    ws.subscribe(
      { query: "subscription { voidStatusChanged { id } }" },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );
    await wsRequest(ws, "{ suppliers { supplier } }");
    const closed = new Promise<number>((resolve) => ws.on("closed", (e) => resolve((e as { code: number }).code)));
    const started = Date.now();
    expect(await gw.stop("SIGTERM")).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await closed).toBe(1001); // Going Away
  });
});
