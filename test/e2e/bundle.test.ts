/**
 * The built gateway starts from the bundle the build makes (scripts/bundle.mjs, issue 22's ready
 * time), and the bundle serves: the committed schema (type-graphql names types after classes,
 * and a bundler renames clashing classes), a supplier call through undici, the embedded store.
 * The rest of test/e2e runs through it too; with tracing on, the built modules run instead
 * (test/e2e/tracing.test.ts). Apollo's hashing uses Node's crypto in the bundle too
 * (scripts/lib/createhash.mjs), and graphql's type guards skip the second-copy check that one copy
 * of graphql makes moot.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
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
import { BUNDLE_DIR, bundleInputs } from "../helpers/bundle.js";
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

  it("holds one copy of graphql, whose instanceOf skips the check for a second copy", () => {
    const copies = bundleInputs().filter((i) => /node_modules\/graphql\/jsutils\/instanceOf\.m?js$/.test(i));
    expect(copies).toEqual(["node_modules/graphql/jsutils/instanceOf.js"]);
    const chunks = readdirSync(BUNDLE_DIR).map((f) => readFileSync(join(BUNDLE_DIR, f), "utf8"));
    const module = chunks
      .map((c) => /\/\/ node_modules\/graphql\/jsutils\/instanceOf\.js\n([\s\S]*?)\n\/\/ node_modules\//.exec(c)?.[1])
      .filter(Boolean);
    expect(module).toHaveLength(1);
    expect(module[0]).toMatch(/var isProduction = true;/);
  });

  it("hashes documents with Node's crypto, as outside a bundle, and to the same digests", async () => {
    const inputs = bundleInputs();
    expect(inputs).toContain("scripts/lib/createhash.mjs");
    expect(inputs.filter((i) => /node_modules\/(sha\.js|@apollo\/utils\.createhash)\//.test(i))).toEqual([]);
    // Automatic persisted queries: Apollo checks the client's SHA-256 of the document against its own.
    const query = `{ suppliers { supplier bundleProbe: available } }`;
    const send = (body: unknown) =>
      fetch(gw.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then(
        (r) => r.json() as Promise<{ data?: unknown; errors?: Array<{ message: string }> }>,
      );
    const sha256Hash = createHash("sha256").update(query).digest("hex");
    const registered = await send({ query, extensions: { persistedQuery: { version: 1, sha256Hash } } });
    expect(registered.errors).toBeUndefined();
    const byHash = await send({ extensions: { persistedQuery: { version: 1, sha256Hash } } });
    expect(byHash).toEqual(registered);
    const wrong = await send({
      query,
      extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hash.replace(/^./, (c) => (c === "0" ? "1" : "0")) } },
    });
    expect(wrong.errors?.[0]?.message).toMatch(/provided sha does not match query/);
  });
});
