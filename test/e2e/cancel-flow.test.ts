/** cancelOrder for ALITRIP and CTT through the gateway process, with Apollo Client over HTTP. */
import { CombinedGraphQLErrors, gql } from "@apollo/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fresh } from "../helpers/atrip.js";
import { apolloClient } from "../helpers/clients.js";
import { simStats, startGatewayProcess, type GatewayProcess } from "../helpers/process.js";

let gw: GatewayProcess;
beforeAll(async () => {
  gw = await startGatewayProcess({ ALITRIP_SIGN_METHOD: "hmac-sha256" });
});
afterAll(async () => {
  await gw?.stop();
});

const CANCEL = gql`
  mutation Cancel($input: CancelOrderInput!) {
    cancelOrder(input: $input) {
      supplier
      orderNo
      cancelledAt
      supplierOrderStatus
      message
    }
  }
`;

async function errorOf(p: Promise<unknown>): Promise<{ message: string; extensions?: Record<string, unknown> }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!CombinedGraphQLErrors.is(err)) throw new Error(`expected a GraphQL error, got ${String(err)}`);
  return err.errors[0] as { message: string; extensions?: Record<string, unknown> };
}

describe("gateway process, cancelOrder", () => {
  it("lists ALITRIP and CTT with CANCEL_ORDER", async () => {
    const { data } = await apolloClient(gw.url).query<{ suppliers: Array<{ supplier: string; operations: string[] }> }>({
      query: gql`
        {
          suppliers {
            supplier
            operations
          }
        }
      `,
    });
    expect(data?.suppliers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ supplier: "ALITRIP", operations: ["CANCEL_ORDER"] }),
        expect.objectContaining({ supplier: "CTT", operations: ["CANCEL_ORDER"] }),
      ]),
    );
  });

  it("cancels at ALITRIP", async () => {
    const orderNo = fresh("ALI-CANCEL-OK");
    const { data } = await apolloClient(gw.url).mutate<{ cancelOrder: Record<string, unknown> }>({
      mutation: CANCEL,
      variables: { input: { supplier: "ALITRIP", orderNo, subChannel: "corp001" } },
    });
    expect(data?.cancelOrder).toMatchObject({ supplier: "ALITRIP", orderNo, supplierOrderStatus: "CANCELLED" });
    expect(String(data?.cancelOrder.cancelledAt)).toMatch(/Z$/);
  });

  it("a ticketed ALITRIP order is CANCEL_REJECTED with the supplier's reason", async () => {
    const e = await errorOf(
      apolloClient(gw.url).mutate({
        mutation: CANCEL,
        variables: { input: { supplier: "ALITRIP", orderNo: "ALI-TICKETED", subChannel: "corp001" } },
      }),
    );
    expect(e.extensions).toMatchObject({
      code: "CANCEL_REJECTED",
      supplier: "ALITRIP",
      supplierCode: "1001",
      supplierMessage: "已出票不可取消",
      retryable: false,
    });
  });

  it("cancels at CTT, and refuses one within 30 days", async () => {
    const client = apolloClient(gw.url);
    const orderNo = fresh("CTT-CANCEL-OK");
    const { data } = await client.mutate<{ cancelOrder: Record<string, unknown> }>({
      mutation: CANCEL,
      variables: { input: { supplier: "CTT", orderNo, passengerIds: ["1001", "1002"], reason: "plans changed" } },
    });
    expect(data?.cancelOrder).toMatchObject({ supplier: "CTT", orderNo });
    const e = await errorOf(client.mutate({ mutation: CANCEL, variables: { input: { supplier: "CTT", orderNo: "CTT-WITHIN-30" } } }));
    expect(e.extensions).toMatchObject({ code: "CANCEL_REJECTED", supplier: "CTT" });
  });

  it("ALITRIP without subChannel (and no default) → BAD_USER_INPUT before any call", async () => {
    const before = await simStats(gw.sims.ALITRIP);
    const e = await errorOf(
      apolloClient(gw.url).mutate({ mutation: CANCEL, variables: { input: { supplier: "ALITRIP", orderNo: "ALI-CANCEL-OK-z" } } }),
    );
    expect(e.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "subChannel" });
    expect((await simStats(gw.sims.ALITRIP)).total).toBe(before.total);
  });

  it("ATRIP → UNSUPPORTED_OPERATION naming ALITRIP and CTT", async () => {
    const before = await simStats(gw.sims.ATRIP);
    const e = await errorOf(
      apolloClient(gw.url).mutate({ mutation: CANCEL, variables: { input: { supplier: "ATRIP", orderNo: "ATR-VOID-DEPOSIT" } } }),
    );
    expect(e.extensions).toMatchObject({ code: "UNSUPPORTED_OPERATION", supportedBy: ["ALITRIP", "CTT"] });
    expect(e.message).toMatch(/ALITRIP or CTT/);
    // Nothing for this order reached ATRIP (background polling of other voids may go on).
    expect((await simStats(gw.sims.ATRIP)).byOperation).toEqual(before.byOperation);
  });

  it("bad passenger ids → BAD_USER_INPUT naming passengerIds", async () => {
    const e = await errorOf(
      apolloClient(gw.url).mutate({
        mutation: CANCEL,
        variables: { input: { supplier: "CTT", orderNo: "CTT-CANCEL-OK-q", passengerIds: ["ok", "not ok"] } },
      }),
    );
    expect(e.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "passengerIds" });
  });
});
