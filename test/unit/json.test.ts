import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeZodError, jsonDecimal, jsonInt, jsonIntegerText, JsonNumber, parseJson, toPlainDecimal } from "../../datasources/json.js";

describe("lossless JSON numbers", () => {
  it.each([
    ["1280.50", "1280.50"],
    ["0", "0"],
    ["-0", "0"],
    ["100", "100"],
    ["1.2805e3", "1280.5"],
    ["12805E-1", "1280.5"],
    ["5e-3", "0.005"],
    ["-1.5e2", "-150"],
    ["12345678901234567890.12", "12345678901234567890.12"],
    ["0.1", "0.1"],
  ])("%s → %s", (text, plain) => {
    expect(toPlainDecimal(text)).toBe(plain);
  });

  it("keeps the supplier's digits where a float would drift", () => {
    const v = parseJson('{"a": 1280.50, "b": 9007199254740993}') as Record<string, JsonNumber>;
    expect(v.a).toBeInstanceOf(JsonNumber);
    expect(v.a.text).toBe("1280.50");
    expect(v.b.text).toBe("9007199254740993");
    expect(String(JSON.parse("9007199254740993"))).not.toBe("9007199254740993");
  });

  it("writes out an exponent of up to 64 added digits, and refuses a larger one rather than a string of a billion zeros", () => {
    expect(toPlainDecimal("1e64")).toBe(`1${"0".repeat(64)}`);
    expect(toPlainDecimal("1e-64")).toBe(`0.${"0".repeat(63)}1`);
    for (const text of ["1e65", "1e-65", "1e999999999", "-2.5E-999999999"]) expect(() => toPlainDecimal(text)).toThrow(RangeError);
    // An amount of the kind is a field the reply does not have, not a crash of the request.
    const read = jsonDecimal.safeParse(new JsonNumber("1e999999999"));
    expect(read.success).toBe(false);
    expect(JSON.stringify(read.error?.issues)).toMatch(/too large an exponent/);
    expect(jsonDecimal.parse(new JsonNumber("1.5E-7"))).toBe("0.00000015");
  });

  it("never rounds an integer: one past 2^53 is refused as a number and kept whole as a code", () => {
    expect(jsonInt.parse(new JsonNumber("9007199254740991"))).toBe(9007199254740991);
    expect(jsonInt.safeParse(new JsonNumber("90071992547409931")).success).toBe(false);
    expect(jsonInt.safeParse("-9007199254740993").success).toBe(false);
    expect(jsonIntegerText.parse(new JsonNumber("90071992547409931"))).toBe("90071992547409931");
    expect(jsonIntegerText.parse("0042")).toBe("0042");
    expect(jsonIntegerText.safeParse(new JsonNumber("1.5")).success).toBe(false);
  });

  it("rejects text that is not JSON", () => {
    expect(() => parseJson('{"status": 0, "msg": "trunc')).toThrow();
  });
});

describe("a reply's shape problem in plain words (it reaches clients in an error's message)", () => {
  it.each([
    [z.object({ success: z.boolean() }), {}, "success: missing, a boolean was expected"],
    [z.object({ success: z.boolean() }), { success: "yes" }, "success: a string, a boolean was expected"],
    [z.object({ a: z.object({ b: z.array(z.string()) }) }), { a: { b: 3 } }, "a.b: a number, an array was expected"],
    [z.object({ n: z.number() }), { n: null }, "n: null, a number was expected"],
    [z.enum(["A", "B"]), "C", '(root): not one of "A"|"B"'],
  ])("%#", (schema: z.ZodType, input, said) => {
    const parsed = schema.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(describeZodError(parsed.error!)).toBe(said);
  });
});
