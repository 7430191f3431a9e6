import { describe, expect, it } from "vitest";
import { JsonNumber, parseJson, toPlainDecimal } from "../../datasources/json.js";

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

  it("rejects text that is not JSON", () => {
    expect(() => parseJson('{"status": 0, "msg": "trunc')).toThrow();
  });
});
