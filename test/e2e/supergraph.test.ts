/**
 * The gateway as a subgraph of a real supergraph: schema/subgraph.graphql composed with a
 * bookings subgraph (The Guild's composition library), served by Hive Gateway's CLI. Through
 * the router: a query that joins both subgraphs, a voidQuote, and a voidStatusChanged
 * subscription (Hive Gateway → gateway over graphql-ws) that reaches the client. The client's
 * credential travels to the gateway, whose tenant rules hold behind the router.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { composeServices } from "@theguild/federation-composition";
import { parse } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEYS, bearer, KEYS } from "../helpers/auth.js";
import { BOOKINGS_SDL, startBookingsSubgraph } from "../helpers/bookings-subgraph.js";
import { wsClient } from "../helpers/clients.js";
import { gql } from "../helpers/graphql.js";
import { startHiveGateway, type HiveGateway } from "../helpers/hive-gateway.js";
import { startGatewayProcess, type GatewayProcess } from "../helpers/process.js";
import { collect } from "../helpers/subscribe.js";

const orderNo = `ATR-VOID-DEPOSIT-fed${Date.now()}`;
let gateway: GatewayProcess;
let bookings: Awaited<ReturnType<typeof startBookingsSubgraph>>;
let hive: HiveGateway;

beforeAll(async () => {
  gateway = await startGatewayProcess({ FEDERATION_SUBGRAPH: "true", API_KEYS, VOID_POLL_MIN_MS: "200", SANDBOX_TIME_SCALE: "60" });
  bookings = await startBookingsSubgraph([{ id: "B1", traveller: "Ada Lovelace", supplier: "ATRIP", orderNo }]);
  const composed = composeServices([
    {
      name: "postbooking",
      typeDefs: parse(readFileSync(new URL("../../schema/subgraph.graphql", import.meta.url), "utf8")),
      url: gateway.url,
    },
    { name: "bookings", typeDefs: parse(BOOKINGS_SDL), url: bookings.url },
  ]);
  if (!composed.supergraphSdl) throw new Error(`composition failed: ${composed.errors?.map((e) => e.message).join("; ")}`);
  const file = join(mkdtempSync(join(tmpdir(), "supergraph-")), "supergraph.graphql");
  writeFileSync(file, composed.supergraphSdl);
  hive = await startHiveGateway(file);
}, 90_000);

afterAll(async () => {
  await hive?.stop();
  await bookings?.stop();
  await gateway?.stop();
});

const QUOTE = `mutation Q($orderNo: String!) { voidQuote(input: { supplier: ATRIP, orderNo: $orderNo }) { voidOfferId fare { currency estimatedRefund } } }`;
const SUBMIT = `mutation S($orderNo: String!, $offer: String!) { submitVoid(input: { supplier: ATRIP, orderNo: $orderNo, voidOfferId: $offer }) { voidCode status } }`;
const FOLLOW = `subscription F($orderNo: String) { voidStatusChanged(orderNo: $orderNo) { id voidCode status isFinal voidOrder { orderNo } } }`;
const BOOKING = `query B { booking(id: "B1") { traveller order { supplier orderNo voids { voidCode status } ticketIssuanceStop { state } } } }`;

type Event = { id: string; voidCode: string; status: string; isFinal: boolean };

describe("through Hive Gateway", () => {
  let voidCode: string;

  it("voidQuote and submitVoid, with a voidStatusChanged subscription reaching the client over the router's websocket", async () => {
    const acmeWs = wsClient(hive.wsUrl, bearer(KEYS.acmeRead));
    const globexWs = wsClient(hive.wsUrl, bearer(KEYS.globexWrite));
    const pick = (d: Record<string, unknown>) => d.voidStatusChanged as Event;
    const acme = collect(acmeWs, FOLLOW, { orderNo }, pick);
    const globex = collect(globexWs, FOLLOW, { orderNo }, pick);
    try {
      // graphql-ws gives no "subscribed" signal; give both subscriptions time to reach the gateway.
      await new Promise((r) => setTimeout(r, 1500));
      const q = await gql<{ voidQuote: { voidOfferId: string; fare: { currency: string; estimatedRefund: string } } }>(
        hive.url,
        QUOTE,
        { orderNo },
        bearer(KEYS.acmeWrite),
      );
      expect(q.errors).toBeUndefined();
      expect(q.data?.voidQuote.fare).toEqual({ currency: "CNY", estimatedRefund: "1180.50" });
      const s = await gql<{ submitVoid: { voidCode: string; status: string } }>(
        hive.url,
        SUBMIT,
        { orderNo, offer: q.data!.voidQuote.voidOfferId },
        bearer(KEYS.acmeWrite),
      );
      expect(s.errors).toBeUndefined();
      voidCode = s.data!.submitVoid.voidCode;
      const final = await acme.waitUntil((e) => e.isFinal, 30_000);
      expect(final).toMatchObject({ voidCode, status: "REFUNDED" });
      expect(acme.items.map((e) => e.status)).toEqual(["SUPPLIER_PROCESSING", "AIRLINE_PROCESSING", "REFUNDED"]);
      expect(acme.errors).toEqual([]);
      // Another tenant following the same order number through the router sees nothing of it.
      expect(globex.items).toEqual([]);
    } finally {
      acme.stop();
      globex.stop();
      await acmeWs.dispose();
      await globexWs.dispose();
    }
  }, 60_000);

  it("joins a booking from the bookings subgraph with the gateway's records of its order, per tenant", async () => {
    const acme = await gql<{
      booking: {
        traveller: string;
        order: { orderNo: string; voids: Array<{ voidCode: string; status: string }>; ticketIssuanceStop: null };
      };
    }>(hive.url, BOOKING, {}, bearer(KEYS.acmeRead));
    expect(acme.errors).toBeUndefined();
    expect(acme.data?.booking).toEqual({
      traveller: "Ada Lovelace",
      order: { supplier: "ATRIP", orderNo, voids: [{ voidCode, status: "REFUNDED" }], ticketIssuanceStop: null },
    });

    const globex = await gql<{ booking: { order: { voids: unknown[] } } }>(hive.url, BOOKING, {}, bearer(KEYS.globexWrite));
    expect(globex.errors).toBeUndefined();
    expect(globex.data?.booking.order.voids).toEqual([]);
    const other = await gql<{ voidOrder: unknown }>(
      hive.url,
      `query V($c: String!) { voidOrder(supplier: ATRIP, voidCode: $c) { voidCode } }`,
      { c: voidCode },
      bearer(KEYS.globexWrite),
    );
    expect(other.data).toEqual({ voidOrder: null });
  });

  it("without a credential the gateway refuses, behind the router too", async () => {
    const r = await gql(hive.url, `query V($c: String!) { voidOrder(supplier: ATRIP, voidCode: $c) { voidCode } }`, { c: voidCode });
    expect(r.data?.voidOrder ?? null).toBeNull();
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED", serviceName: "postbooking" });
  });
});
