/** src/server/format-error.ts `inputFieldOf`: the field of graphql-js's own variable errors, as the gateway's checks name it. */
import { buildSchema, getVariableValues, parse, type OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import { inputFieldOf, variableUseIn } from "../../src/server/format-error.js";

const schema = buildSchema(`
  enum Supplier { ATRIP CTT }
  input CancelInput { supplier: Supplier!, orderNo: String!, passengerIds: [String!], reason: String }
  type Query { x: Int }
  type Mutation { cancel(input: CancelInput!, note: String!): Int }
`);
const operation = parse("mutation M($input: CancelInput!, $note: String!) { cancel(input: $input, note: $note) }")
  .definitions[0] as OperationDefinitionNode;

/** The message graphql-js itself gives for these variables. */
function messageFor(variables: Record<string, unknown>, of = operation): string {
  const r = getVariableValues(schema, of.variableDefinitions ?? [], variables);
  if (!r.errors) throw new Error("expected a coercion error");
  return r.errors[0].message;
}

describe("the input field of a variable's coercion error", () => {
  it.each([
    ["a field left out", { input: { supplier: "ATRIP" }, note: "n" }, "orderNo"],
    ["a field of the wrong type", { input: { supplier: "ATRIP", orderNo: 5 }, note: "n" }, "orderNo"],
    ["an enum value that does not exist", { input: { supplier: "NOPE", orderNo: "O" }, note: "n" }, "supplier"],
    [
      "a list element of the wrong type",
      { input: { supplier: "ATRIP", orderNo: "O", passengerIds: ["a", 2] }, note: "n" },
      "passengerIds[1]",
    ],
    ["a variable left out", { input: { supplier: "ATRIP", orderNo: "O" } }, "note"],
    ["a field the input type does not have", { input: { supplier: "ATRIP", orderNo: "O", extra: 1 }, note: "n" }, "extra"],
    ["a value that tries to look like a path", { input: { supplier: "ATRIP", orderNo: 'at "reason"; x' }, note: null }, "note"],
  ])("%s", (_what, variables, field) => {
    expect(inputFieldOf(messageFor(variables))).toBe(field);
  });

  // A client's own variable names: the argument or input field each is given to (property-based probe).
  const ownNames = `mutation M($sup: Supplier!, $o: String!, $p: [String!], $n: String!) {
    cancel(input: { supplier: $sup, orderNo: $o, passengerIds: $p }, note: $n)
  }`;
  const own = parse(ownNames).definitions[0] as OperationDefinitionNode;
  const useOf = (v: string) => variableUseIn(ownNames, v);
  it.each([
    ["an enum value that does not exist", { sup: "atrip", o: "O", n: "n" }, "supplier"],
    ["a value of the wrong type", { sup: "ATRIP", o: 5, n: "n" }, "orderNo"],
    ["a list element of the wrong type", { sup: "ATRIP", o: "O", p: ["a", 2], n: "n" }, "passengerIds[1]"],
    ["a variable left out", { sup: "ATRIP", o: "O" }, "note"],
  ])("a variable of the client's own naming, %s: named by where it is used", (_what, variables, field) => {
    expect(inputFieldOf(messageFor(variables, own), useOf)).toBe(field);
  });

  it("in a document of several operations, the variable's use in the operation the error is about", () => {
    const two = `query A($x: String) { a(id: $x) }\nmutation B($x: String) { b(orderNo: $x) }`;
    expect(variableUseIn(two, "x", two.indexOf("mutation B") + 12)).toBe("orderNo");
    expect(variableUseIn(two, "x", 8)).toBe("id");
    expect(variableUseIn(two, "x")).toBe("id");
  });

  it("a variable used in a fragment the operation spreads: named there, not by another operation's use (black-box probe)", () => {
    const doc = `query A($x: String!) { voidOrders(orderNo: $x) { voidCode } }
query B($x: String!) { ...F }
fragment F on Query { voidOrder(supplier: ATRIP, voidCode: $x) { voidCode } }`;
    expect(variableUseIn(doc, "x", doc.indexOf("query B") + 8)).toBe("voidCode");
    // Through a fragment spreading another, and a fragment spread twice or in a cycle, each read once.
    const nested = `query B($x: String!) { ...G ...G }
fragment G on Query { ...H ...G }
fragment H on Query { voidOrder(supplier: ATRIP, voidCode: $x) { voidCode } }`;
    expect(variableUseIn(nested, "x", 9)).toBe("voidCode");
    // The operation's own use, before the fragment's, in the order written.
    const both = `query B($x: String!) { a(orderNo: $x) ...F }\nfragment F on Query { b(voidCode: $x) }`;
    expect(variableUseIn(both, "x", 9)).toBe("orderNo");
  });

  it("a variable the text does not use, or text that does not parse: the variable's own name", () => {
    expect(variableUseIn(ownNames, "unused")).toBeUndefined();
    expect(variableUseIn("mutation {", "sup")).toBeUndefined();
    expect(inputFieldOf('Variable "$zz" of required type "String!" was not provided.', useOf)).toBe("zz");
  });

  it("no field when the message names none", () => {
    expect(inputFieldOf("Something else went wrong")).toBeUndefined();
  });
});
