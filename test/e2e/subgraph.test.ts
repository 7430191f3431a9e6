/**
 * FEDERATION_SUBGRAPH=true: the gateway serves its schema as a Federation 2 subgraph —
 * `_service` gives the committed SDL, `_entities` resolves the gateway's records for the
 * caller's tenant only — and without it the schema has neither.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEYS, bearer, KEYS } from "../helpers/auth.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql, quoteAndSubmit } from "../helpers/graphql.js";

const ENTITIES = `query E($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on VoidOrder { voidCode orderNo status }
    ... on TicketIssuanceStop { orderNo state }
    ... on Order { orderNo voids { voidCode } ticketIssuanceStop { state } }
  }
}`;

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ FEDERATION_SUBGRAPH: "true", API_KEYS });
});
afterAll(async () => t?.close());

describe("the gateway as a subgraph", () => {
  it("serves the committed subgraph SDL in _service", async () => {
    const r = await gql<{ _service: { sdl: string } }>(t.url, "{ _service { sdl } }", {}, bearer(KEYS.acmeRead));
    expect(`${r.data?._service.sdl}\n`).toBe(readFileSync(new URL("../../schema/subgraph.graphql", import.meta.url), "utf8"));
  });

  it("resolves entities for the caller's tenant only", async () => {
    const orderNo = `ATR-VOID-DEPOSIT-sg${Date.now()}`;
    const voidCode = await quoteAndSubmit(t.url, orderNo, bearer(KEYS.acmeWrite));
    const representations = [
      { __typename: "VoidOrder", supplier: "ATRIP", voidCode },
      { __typename: "Order", supplier: "ATRIP", orderNo },
      { __typename: "TicketIssuanceStop", supplier: "ATRIP", orderNo },
    ];
    const acme = await gql<{ _entities: unknown[] }>(t.url, ENTITIES, { representations }, bearer(KEYS.acmeRead));
    expect(acme.errors).toBeUndefined();
    expect(acme.data?._entities).toEqual([
      { __typename: "VoidOrder", voidCode, orderNo, status: expect.any(String) },
      { __typename: "Order", orderNo, voids: [{ voidCode }], ticketIssuanceStop: null },
      null,
    ]);
    const globex = await gql<{ _entities: unknown[] }>(t.url, ENTITIES, { representations }, bearer(KEYS.globexWrite));
    expect(globex.errors).toBeUndefined();
    expect(globex.data?._entities).toEqual([null, { __typename: "Order", orderNo, voids: [], ticketIssuanceStop: null }, null]);
  });

  it("refuses entities without the read scope; a representation with a missing or malformed key fails as BAD_USER_INPUT", async () => {
    const anonymous = await gql(t.url, ENTITIES, { representations: [{ __typename: "Order", supplier: "ATRIP", orderNo: "ATR-1" }] });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const keys = await gql<{ _entities: unknown[] }>(
      t.url,
      ENTITIES,
      {
        representations: [
          { __typename: "VoidOrder", supplier: "NOPE", voidCode: "x" },
          { __typename: "VoidOrder" },
          { __typename: "VoidOrder", supplier: "ATRIP" },
          { __typename: "TicketIssuanceStop", supplier: "ATRIP", orderNo: null },
          { __typename: "Order", orderNo: "ATR-1" },
        ],
      },
      bearer(KEYS.acmeRead),
    );
    expect(keys.data?._entities).toEqual([null, null, null, null, null]);
    expect(keys.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.field])).toEqual([
      [["_entities", 0], "BAD_USER_INPUT", "supplier"],
      [["_entities", 1], "BAD_USER_INPUT", "supplier"],
      [["_entities", 2], "BAD_USER_INPUT", "voidCode"],
      [["_entities", 3], "BAD_USER_INPUT", "orderNo"],
      [["_entities", 4], "BAD_USER_INPUT", "supplier"],
    ]);
    expect(keys.errors?.[0]?.message).toBe("supplier: must be one of ATRIP, ALITRIP, CTT");
    const bad = await gql(
      t.url,
      ENTITIES,
      { representations: [{ __typename: "VoidOrder", supplier: "ATRIP", voidCode: "a b" }] },
      bearer(KEYS.acmeRead),
    );
    expect(bad.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    // A bad key fails its own reference only, whatever its type (@apollo/subgraph maps them all at once).
    const mixed = await gql<{ _entities: unknown[] }>(
      t.url,
      ENTITIES,
      {
        representations: [
          { __typename: "Order", supplier: "ATRIP", orderNo: "ATR-1" },
          { __typename: "Order", supplier: "ATRIP", orderNo: "bad order!" },
          { __typename: "VoidOrder", supplier: "ATRIP", voidCode: 12345 },
        ],
      },
      bearer(KEYS.acmeRead),
    );
    expect(mixed.data?._entities).toEqual([{ __typename: "Order", orderNo: "ATR-1", voids: [], ticketIssuanceStop: null }, null, null]);
    expect(mixed.errors?.map((e) => [e.path, e.extensions?.code, e.message])).toEqual([
      [["_entities", 1], "BAD_USER_INPUT", "orderNo: may contain only letters, digits, '-' and '_'"],
      [["_entities", 2], "BAD_USER_INPUT", "voidCode: must be a string, not number"],
    ]);
    // A representation that names no entity of this subgraph is the client's mistake, not an internal error.
    for (const representation of [
      { __typename: "Nope", supplier: "ATRIP", voidCode: "x" },
      { supplier: "ATRIP", voidCode: "x" },
      { __typename: "SupplierInfo", supplier: "ATRIP" },
    ]) {
      const odd = await gql(t.url, ENTITIES, { representations: [representation] }, bearer(KEYS.acmeRead));
      expect(odd.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "representations" });
    }
    // …and fails on its own too: the others still resolve.
    const someOdd = await gql<{ _entities: unknown[] }>(
      t.url,
      ENTITIES,
      { representations: [{ __typename: "Nope", id: "1" }, { __typename: "Order", supplier: "ATRIP", orderNo: "ATR-1" }, "x", 7] },
      bearer(KEYS.acmeRead),
    );
    expect(someOdd.data?._entities).toEqual([
      null,
      { __typename: "Order", orderNo: "ATR-1", voids: [], ticketIssuanceStop: null },
      null,
      null,
    ]);
    expect(someOdd.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.field])).toEqual([
      [["_entities", 0], "BAD_USER_INPUT", "representations"],
      [["_entities", 2], "BAD_USER_INPUT", "representations"],
      [["_entities", 3], "BAD_USER_INPUT", "representations"],
    ]);
    const oddAnonymous = await gql(t.url, ENTITIES, { representations: [{ __typename: "Nope" }] });
    expect(oddAnonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("the default schema", () => {
  let plain: TestGateway;
  beforeAll(async () => {
    plain = await startTestGateway({ API_KEYS });
  });
  afterAll(async () => plain?.close());

  it("has no federation fields", async () => {
    const r = await gql(plain.url, "{ _service { sdl } }", {}, bearer(KEYS.acmeRead));
    expect(r.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });
});
