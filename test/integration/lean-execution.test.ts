/**
 * The lean path of /graphql (src/server/lean-execution.ts) answers exactly as Apollo Server
 * does. Two gateways, one with the lean path (the default) and one with every request through
 * Apollo (GRAPHQL_LEAN_EXECUTION=false), get the same requests: plain operations, every kind of
 * request the lean path hands over, and every kind of error it formats itself. Status, the
 * headers a client reads and the body must match byte for byte, and so must the operation
 * metrics each counted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEYS, bearer, KEYS } from "../helpers/auth.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";

let lean: TestGateway;
let apollo: TestGateway;

beforeAll(async () => {
  lean = await startTestGateway({ API_KEYS });
  apollo = await startTestGateway({ API_KEYS, GRAPHQL_LEAN_EXECUTION: "false" });
}, 60_000);

afterAll(async () => {
  await Promise.all([lean?.close(), apollo?.close()]);
});

interface Sent {
  body: string;
  headers?: Record<string, string>;
}

const json = { "content-type": "application/json" };
const write = { ...json, ...bearer(KEYS.acmeWrite) };

/** What a client sees of one answer: status, every header but the date and the request id, the body as bytes. */
async function answer(
  url: string,
  s: Sent,
  base: Record<string, string> = write,
): Promise<{ status: number; headers: string[]; body: string }> {
  const res = await fetch(url, { method: "POST", headers: { ...base, ...s.headers }, body: s.body });
  const headers = [...res.headers].filter(([k]) => k !== "date" && k !== "x-request-id").map(([k, v]) => `${k}: ${v}`);
  return { status: res.status, headers, body: await res.text() };
}

const QUOTE =
  'mutation { voidQuote(input: { supplier: ATRIP, orderNo: "ATR-VOID-DEPOSIT" }) { isVoidable refundMethod fare { currency originalAmount estimatedRefund } } }';
const VAR_QUOTE = "mutation Q($input: VoidQuoteInput!) { voidQuote(input: $input) { isVoidable fare { originalAmount } } }";
const TWO_OPS = "query A { suppliers { supplier } } query B { suppliers { available } }";

const cases: Array<[string, Sent]> = [
  ["a query with no supplier call", { body: JSON.stringify({ query: "{ suppliers { supplier available } }" }) }],
  ["the same query again (the document is ready)", { body: JSON.stringify({ query: "{ suppliers { supplier available } }" }) }],
  ["a quote", { body: JSON.stringify({ query: QUOTE }) }],
  [
    "a quote with variables",
    { body: JSON.stringify({ query: VAR_QUOTE, variables: { input: { supplier: "ATRIP", orderNo: "ATR-VOID-VCC" } } }) },
  ],
  [
    "a supplier's refusal (ATRIP 801)",
    { body: JSON.stringify({ query: VAR_QUOTE, variables: { input: { supplier: "ATRIP", orderNo: "NO-SUCH-ORDER" } } }) },
  ],
  [
    "the gateway's own input check",
    { body: JSON.stringify({ query: VAR_QUOTE, variables: { input: { supplier: "ATRIP", orderNo: "   " } } }) },
  ],
  [
    "variables that do not coerce",
    { body: JSON.stringify({ query: VAR_QUOTE, variables: { input: { supplier: "NOBODY", orderNo: "X" } } }) },
  ],
  ["a missing required variable", { body: JSON.stringify({ query: VAR_QUOTE, variables: {} }) }],
  ["variables as a string", { body: JSON.stringify({ query: VAR_QUOTE, variables: "{}" }) }],
  [
    "variables and operationName null",
    { body: JSON.stringify({ query: "{ suppliers { supplier } }", variables: null, operationName: null }) },
  ],
  ["an operation chosen by name", { body: JSON.stringify({ query: TWO_OPS, operationName: "B" }) }],
  ["an unknown operation name", { body: JSON.stringify({ query: TWO_OPS, operationName: "C" }) }],
  ["two operations and no name", { body: JSON.stringify({ query: TWO_OPS }) }],
  ["operationName not a string", { body: JSON.stringify({ query: TWO_OPS, operationName: 7 }) }],
  ["a syntax error", { body: JSON.stringify({ query: "{ suppliers { supplier " }) }],
  ["an unknown field", { body: JSON.stringify({ query: "{ suppliers { nope } }" }) }],
  [
    "over the alias limit",
    { body: JSON.stringify({ query: `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: suppliers { supplier }`).join(" ")} }` }) },
  ],
  [
    "deep introspection (no depth limit there)",
    {
      body: JSON.stringify({
        query: "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } }",
      }),
    },
  ],
  ["introspection", { body: JSON.stringify({ query: "{ __schema { queryType { name } } __typename }" }) }],
  ["a subscription over plain POST", { body: JSON.stringify({ query: "subscription { voidStatusChanged { id } }" }) }],
  ["a mutation by a read-only key", { body: JSON.stringify({ query: QUOTE }), headers: bearer(KEYS.acmeRead) }],
  ["a record that is not there", { body: JSON.stringify({ query: '{ voidOrder(supplier: ATRIP, voidCode: "NOPE") { status } }' }) }],
  [
    "a client library's extensions",
    {
      body: JSON.stringify({
        query: "{ suppliers { supplier } }",
        extensions: { clientLibrary: { name: "@apollo/client", version: "4.0.0" } },
      }),
    },
  ],
  [
    "an APQ hash that does not match",
    { body: JSON.stringify({ query: "{ suppliers { supplier } }", extensions: { persistedQuery: { version: 1, sha256Hash: "00" } } }) },
  ],
  ["an APQ miss", { body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: "ab".repeat(32) } } }) }],
  ["an empty body", { body: "{}" }],
  ["a batch", { body: JSON.stringify([{ query: "{ suppliers { supplier } }" }]) }],
  ["Accept: application/json", { body: JSON.stringify({ query: QUOTE }), headers: { accept: "application/json" } }],
  ["Accept: graphql-response+json", { body: JSON.stringify({ query: QUOTE }), headers: { accept: "application/graphql-response+json" } }],
  [
    "Apollo Client's Accept",
    { body: JSON.stringify({ query: QUOTE }), headers: { accept: "application/graphql-response+json,application/json;q=0.9" } },
  ],
  ["Accept: */*", { body: JSON.stringify({ query: "{ suppliers { supplier } }" }), headers: { accept: "*/*" } }],
  ["Accept: text/html", { body: JSON.stringify({ query: "{ suppliers { supplier } }" }), headers: { accept: "text/html" } }],
  ["Accept: application/xml", { body: JSON.stringify({ query: "{ suppliers { supplier } }" }), headers: { accept: "application/xml" } }],
  [
    "an error's answer in graphql-response+json",
    {
      body: JSON.stringify({ query: VAR_QUOTE, variables: { input: { supplier: "ATRIP", orderNo: "NO-SUCH-ORDER" } } }),
      headers: { accept: "application/graphql-response+json" },
    },
  ],
  [
    "a variables error in graphql-response+json",
    { body: JSON.stringify({ query: VAR_QUOTE, variables: {} }), headers: { accept: "application/graphql-response+json" } },
  ],
  ["no credential", { body: JSON.stringify({ query: "{ suppliers { supplier } }" }), headers: { authorization: "" } }],
  [
    "a form content type that smuggles +json (Apollo's CSRF prevention)",
    {
      body: JSON.stringify({ query: "{ suppliers { supplier } }" }),
      headers: { "content-type": "application/x-www-form-urlencoded;a=+json" },
    },
  ],
  [
    "the same with a preflight header",
    {
      body: JSON.stringify({ query: "{ suppliers { supplier } }" }),
      headers: { "content-type": "application/x-www-form-urlencoded;a=+json", "apollo-require-preflight": "1" },
    },
  ],
  ["text/json", { body: JSON.stringify({ query: "{ suppliers { supplier } }" }), headers: { "content-type": "text/json" } }],
  [
    "a +json content type",
    {
      body: JSON.stringify({ query: "{ suppliers { supplier } }" }),
      headers: { "content-type": "application/vnd.gateway+json; charset=utf-8" },
    },
  ],
  ["operationName empty", { body: JSON.stringify({ query: "{ suppliers { supplier } }", operationName: "" }) }],
  ["a document over the kept size", { body: JSON.stringify({ query: `{ suppliers { supplier } }\n#${"x".repeat(40_000)}` }) }],
  [
    "a federation trace request",
    { body: JSON.stringify({ query: "{ suppliers { supplier } }" }), headers: { "apollo-federation-include-trace": "ftv1" } },
  ],
];

/** The operation series of a gateway's /metrics, durations left out. */
async function operationSeries(t: TestGateway): Promise<string[]> {
  const text = await (await fetch(t.url.replace(/\/graphql$/, "/metrics"))).text();
  return text
    .split("\n")
    .filter((l) => /^gateway_graphql_operations_total\{/.test(l) || /^gateway_graphql_operation_duration_seconds_count\{/.test(l))
    .sort();
}

describe("the lean path answers as Apollo does", () => {
  for (const [name, sent] of cases)
    it(name, async () => {
      const [a, b] = [await answer(apollo.url, sent), await answer(lean.url, sent)];
      expect(b).toEqual(a);
    });

  it("counts every operation as Apollo's plugin does", async () => {
    const [a, b] = await Promise.all([operationSeries(apollo), operationSeries(lean)]);
    expect(a.length).toBeGreaterThan(5);
    expect(b).toEqual(a);
  });
});

describe("on the anonymous demo (no API keys: the context authenticates)", () => {
  let leanDemo: TestGateway;
  let apolloDemo: TestGateway;
  beforeAll(async () => {
    leanDemo = await startTestGateway();
    apolloDemo = await startTestGateway({ GRAPHQL_LEAN_EXECUTION: "false" });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([leanDemo?.close(), apolloDemo?.close()]);
  });

  const demo: Array<[string, Sent, Record<string, string>]> = [
    ["a query", { body: JSON.stringify({ query: "{ suppliers { supplier available } }" }) }, json],
    ["a mutation", { body: JSON.stringify({ query: QUOTE }) }, json],
    [
      "a credential that is not one",
      { body: JSON.stringify({ query: "{ suppliers { supplier } }" }) },
      { ...json, authorization: "Bearer nope" },
    ],
  ];
  for (const [name, sent, base] of demo)
    it(name, async () => {
      expect(await answer(leanDemo.url, sent, base)).toEqual(await answer(apolloDemo.url, sent, base));
    });
});
