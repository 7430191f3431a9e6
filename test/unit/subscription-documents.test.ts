/**
 * What a subscription keeps of its document (issue 24): the prepared document lets go of the
 * lexer's tokens and keeps what error locations need; the shared execution keys operations by
 * their text. Real graphql-js parsing, validation and execution on a small schema.
 */
import {
  GraphQLError,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  visit,
  type ASTNode,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
} from "graphql";
import { describe, expect, it } from "vitest";
import { OperationLabels } from "../../src/server/operation-label.js";
import { operationPreparer, type PreparedOperation } from "../../src/server/prepare-operation.js";
import { subscribeShared } from "../../src/server/shared-execution.js";

/** One event object handed to every subscriber, as the gateway's feed does; `executions` counts resolver runs. */
function fixture() {
  const counts = { executions: 0 };
  const subscribers: Array<(event: { word: string }) => void> = [];
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: "Query", fields: { hello: { type: GraphQLString, resolve: () => "hi" } } }),
    subscription: new GraphQLObjectType({
      name: "Subscription",
      fields: {
        said: {
          type: GraphQLString,
          args: { prefix: { type: GraphQLString } },
          subscribe: () => {
            const queue: Array<{ word: string }> = [];
            let wake: (() => void) | undefined;
            subscribers.push((e) => {
              queue.push(e);
              wake?.();
            });
            return {
              async next() {
                while (!queue.length) await new Promise<void>((r) => (wake = r));
                return { value: queue.shift()!, done: false };
              },
              async return() {
                return { value: undefined, done: true };
              },
              [Symbol.asyncIterator]() {
                return this;
              },
            };
          },
          resolve: (event: { word: string }, args: { prefix?: string }) => {
            counts.executions += 1;
            return `${args.prefix ?? ""}${event.word}`;
          },
        },
      },
    }),
  });
  const prepare = operationPreparer({ schema, rules: [], labels: new OperationLabels(schema) });
  const publish = (event: { word: string }) => subscribers.forEach((s) => s(event));
  return { schema, prepare, publish, counts };
}

function prepared(op: ReturnType<ReturnType<typeof fixture>["prepare"]>): PreparedOperation {
  if ("refused" in op) throw new Error(`refused: ${op.refused.code}`);
  return op;
}

function locations(document: DocumentNode): Array<{ node: ASTNode; loc: Record<string, unknown> }> {
  const found: Array<{ node: ASTNode; loc: Record<string, unknown> }> = [];
  visit(document, {
    enter(node) {
      if (node.loc) found.push({ node, loc: node.loc as unknown as Record<string, unknown> });
    },
  });
  return found;
}

describe("a subscription's document", () => {
  it("keeps no lexer tokens, and an error on one of its fields still says where the field is", () => {
    const { prepare } = fixture();
    const op = prepared(prepare('subscription Words {\n  said(prefix: "> ")\n}'));
    expect(op.subscription).toBe(true);
    const locs = locations(op.document);
    expect(locs.length).toBeGreaterThan(4);
    for (const { loc } of locs) {
      expect(loc.startToken).toBeUndefined();
      expect(loc.endToken).toBeUndefined();
      expect(typeof loc.start).toBe("number");
    }
    const field = locs.find(({ node }) => node.kind === "Field")!.node as FieldNode;
    expect(new GraphQLError("no", { nodes: [field] }).toJSON().locations).toEqual([{ line: 2, column: 3 }]);
  });

  it("is the only kind walked: a query's document keeps its tokens (it is dropped after one run)", () => {
    const { prepare } = fixture();
    const op = prepared(prepare("{ hello }"));
    expect(op.subscription).toBe(false);
    expect(locations(op.document).every(({ loc }) => loc.startToken !== undefined)).toBe(true);
  });

  it("is executed once per event for every subscriber sending the same text and variables, and separately for other texts", async () => {
    const { schema, prepare, publish, counts } = fixture();
    const subscribe = async (query: string, prefix: string) => {
      const op = prepared(prepare(query));
      return (await subscribeShared({
        schema,
        document: op.document,
        variableValues: { prefix },
      })) as AsyncIterableIterator<ExecutionResult>;
    };
    const text = "subscription ($prefix: String) { said(prefix: $prefix) }";
    const same = [await subscribe(text, "> "), await subscribe(text, "> ")];
    const otherVariables = await subscribe(text, "< ");
    const otherText = await subscribe("subscription ($prefix: String) {\n  said(prefix: $prefix)\n}", "> ");
    const next = [...same, otherVariables, otherText].map((s) => s.next());
    publish({ word: "hello" });
    const results = (await Promise.all(next)).map((r) => r.value as ExecutionResult);
    expect(results.map((r) => r.data)).toEqual([{ said: "> hello" }, { said: "> hello" }, { said: "< hello" }, { said: "> hello" }]);
    expect(counts.executions).toBe(3);
  });
});
