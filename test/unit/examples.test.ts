/** schema/examples.graphql must stay valid against the schema the code builds. */
import { readFileSync } from "node:fs";
import { parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { buildGatewaySchema } from "../../src/schema.js";

describe("schema/examples.graphql", () => {
  it("every operation validates against the schema", async () => {
    const schema = await buildGatewaySchema();
    const doc = parse(readFileSync(new URL("../../schema/examples.graphql", import.meta.url), "utf8"));
    expect(doc.definitions.length).toBeGreaterThan(5);
    expect(validate(schema, doc).map((e) => e.message)).toEqual([]);
  });
});
