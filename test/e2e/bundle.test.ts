/**
 * The built gateway starts from the bundle the build makes (scripts/bundle.mjs, issue 22's ready
 * time), and the bundle serves: the committed schema (type-graphql names types after classes,
 * and a bundler renames clashing classes), a supplier call through undici, the embedded store.
 * The rest of test/e2e runs through it too; with tracing on, the built modules run instead
 * (test/e2e/tracing.test.ts).
 */
import { readFileSync } from "node:fs";
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  lexicographicSortSchema,
  printSchema,
  type IntrospectionQuery,
} from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fresh } from "../helpers/atrip.js";
import { gql } from "../helpers/graphql.js";
import { startedLogLine, startGatewayProcess, type GatewayProcess } from "../helpers/process.js";

let gw: GatewayProcess;
beforeAll(async () => {
  gw = await startGatewayProcess({ LOG_LEVEL: "info" });
});
afterAll(async () => {
  await gw?.stop();
});

const post = (query: string, variables: Record<string, unknown> = {}) => gql(gw.url, query, variables);

describe("the bundled gateway", () => {
  it("is what dist/src/main.js runs when tracing is off", async () => {
    expect(await startedLogLine(gw)).toMatchObject({ bundled: true });
  });

  it("serves exactly the committed schema (schema/schema.graphql)", async () => {
    const r = await post(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, inputValueDeprecation: true, oneOf: true }));
    expect(r.errors).toBeUndefined();
    const served = printSchema(lexicographicSortSchema(buildClientSchema(r.data as unknown as IntrospectionQuery)));
    const committed = printSchema(
      lexicographicSortSchema(buildSchema(readFileSync(new URL("../../schema/schema.graphql", import.meta.url), "utf8"))),
    );
    expect(served).toBe(committed);
  });

  it("quotes and submits a void against the ATRIP simulator, and reads the void back from its store", async () => {
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const quote = await post(
      `mutation($o: String!) { voidQuote(input: { supplier: ATRIP, orderNo: $o }) { isVoidable voidOfferId fare { currency } } }`,
      { o: orderNo },
    );
    expect(quote.errors).toBeUndefined();
    const q = quote.data!.voidQuote as { isVoidable: boolean; voidOfferId: string };
    expect(q.isVoidable).toBe(true);
    const submitted = await post(
      `mutation($o: String!, $v: String!) { submitVoid(input: { supplier: ATRIP, orderNo: $o, voidOfferId: $v }) { voidCode status } }`,
      { o: orderNo, v: q.voidOfferId },
    );
    expect(submitted.errors).toBeUndefined();
    const voidCode = (submitted.data!.submitVoid as { voidCode: string }).voidCode;
    const read = await post(`query($c: String!) { voidOrder(supplier: ATRIP, voidCode: $c) { voidCode orderNo } }`, { c: voidCode });
    expect(read.errors).toBeUndefined();
    expect(read.data!.voidOrder).toEqual({ voidCode, orderNo });
  });
});
