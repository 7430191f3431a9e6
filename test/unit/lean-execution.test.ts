/**
 * What the lean path keeps (src/server/lean-execution.ts): each document parsed and validated
 * once, within a bound on the text kept, never a document larger than its per-document bound,
 * and no entry for an operation name the document does not have. Real graphql-js on a small
 * schema; `prepared` counts parse-and-validate runs.
 */
import type { IncomingMessage } from "node:http";
import { GraphQLObjectType, GraphQLSchema, GraphQLString } from "graphql";
import { describe, expect, it } from "vitest";
import type { GatewayContext } from "../../resolvers/context.js";
import { LeanExecution } from "../../src/server/lean-execution.js";
import { OperationLabels } from "../../src/server/operation-label.js";
import { operationPreparer } from "../../src/server/prepare-operation.js";

function fixture() {
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: "Query", fields: { hello: { type: GraphQLString, resolve: () => "hi" } } }),
  });
  const labels = new OperationLabels(schema);
  const prepare = operationPreparer({ schema, rules: [], labels });
  const counts = { prepared: 0 };
  const lean = new LeanExecution({
    schema,
    labels,
    metrics: { operation: () => undefined },
    formatError: (formatted) => formatted,
    prepare: (query, name) => {
      counts.prepared++;
      return prepare(query, name);
    },
  });
  const req = { method: "POST", headers: { "content-type": "application/json" } } as unknown as IncomingMessage;
  const run = (body: Record<string, unknown>) => lean.run(req, body, async () => ({}) as GatewayContext);
  return { run, counts };
}

/** A valid document of about `chars` characters (a comment pads it). */
const doc = (i: number, chars: number) => `query Q${i} { hello }\n#${"x".repeat(Math.max(0, chars - 24))}`;

describe("the lean path's ready documents", () => {
  it("prepares a document once, and answers it as Apollo would", async () => {
    const { run, counts } = fixture();
    for (let i = 0; i < 3; i++) expect((await run({ query: "{ hello }" }))?.body).toBe('{"data":{"hello":"hi"}}\n');
    expect(counts.prepared).toBe(1);
  });

  it("keeps no more than its bound of text: past it the oldest documents are prepared again", async () => {
    const { run, counts } = fixture();
    for (let i = 0; i < 200; i++) await run({ query: doc(i, 10_000) }); // 2 MB of text, twice the bound
    expect(counts.prepared).toBe(200);
    await run({ query: doc(199, 10_000) }); // the newest is still kept
    expect(counts.prepared).toBe(200);
    await run({ query: doc(0, 10_000) }); // the oldest went
    expect(counts.prepared).toBe(201);
  });

  it("never keeps a document over its per-document bound", async () => {
    const { run, counts } = fixture();
    const big = doc(1, 40_000);
    expect((await run({ query: big }))?.body).toBe('{"data":{"hello":"hi"}}\n');
    await run({ query: big });
    expect(counts.prepared).toBe(2);
  });

  it("hands over an operation name the document does not have, and keeps nothing for it", async () => {
    const { run, counts } = fixture();
    const query = "query A { hello } query B { hello }";
    expect(await run({ query, operationName: "A" })).toBeDefined();
    for (let i = 0; i < 50; i++) expect(await run({ query, operationName: `Z${i}` })).toBeUndefined();
    expect(await run({ query, operationName: "B" })).toBeDefined();
    expect(counts.prepared).toBe(1);
  });
});
