/**
 * The supplier replies' parser (datasources/exact-json.ts) against lossless-json, which it
 * replaced: on generated documents and on every one of their one-character corruptions, both
 * give the same value (numbers as their text) or both refuse. The one intended difference: a
 * `\u0000` escape or a lone surrogate escape is U+FFFD here (unstorable in PostgreSQL).
 */
import { parse as parseLossless } from "lossless-json";
import { describe, expect, it } from "vitest";
import { parseExactJson } from "../../datasources/exact-json.js";
import { JsonNumber, parseJson } from "../../datasources/json.js";

class Num {
  constructor(readonly text: string) {}
}
const asNum = (text: string) => new Num(text);

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
function outcome(parse: () => unknown): Outcome {
  try {
    return { ok: true, value: parse() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** lossless-json's value as ours should be: U+0000 and lone surrogates, in strings and keys, as U+FFFD. */
function storableOf(v: unknown): unknown {
  const fix = (s: string) => s.replaceAll("\u0000", "\uFFFD").toWellFormed();
  if (typeof v === "string") return fix(v);
  if (Array.isArray(v)) return v.map(storableOf);
  if (v === null || typeof v !== "object" || v instanceof Num) return v;
  const out: Record<string, unknown> = {};
  for (const [k, inner] of Object.entries(v))
    Object.defineProperty(out, fix(k), { value: storableOf(inner), enumerable: true, writable: true, configurable: true });
  return out;
}

/** Both parsers on one text: the same value, or a SyntaxError from each. */
function expectSame(text: string): void {
  const ours = outcome(() => parseExactJson(text, asNum));
  const lossless = outcome(() => parseLossless(text, null, asNum));
  const theirs = lossless.ok ? { ok: true, value: storableOf(lossless.value) } : lossless;
  if (theirs.ok) {
    expect(ours, text).toEqual(theirs);
  } else {
    expect(ours.ok, text).toBe(false);
    if (!ours.ok) expect(ours.error, text).toBeInstanceOf(SyntaxError);
  }
}

/** A small seeded generator (mulberry32), so a failure repeats. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NUMBERS = ["0", "-0", "1280.50", "12345678901234567890", "1.2805e3", "1E-7", "-0.000", "7e+2", "42"];
const STRINGS = [
  "",
  "plain",
  "ATR-VOID-DEPOSIT",
  'a\\"b',
  "tab\\tnew\\nline",
  "\\u00e9t\\u00E9",
  "\\ud83d\\ude00",
  "nul\\u0000here",
  "lone\\ud800",
  "\\udc00low",
  "中文",
  "slash\\/",
  "\\\\",
];
const WHITESPACE = ["", " ", "\n", "\t", "\r\n  "];

function generate(next: () => number, depth: number): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)];
  const ws = () => pick(WHITESPACE);
  const r = next();
  if (depth > 3 || r < 0.35) {
    const k = next();
    if (k < 0.4) return pick(NUMBERS);
    if (k < 0.8) return `"${pick(STRINGS)}"`;
    return pick(["true", "false", "null"]);
  }
  const n = Math.floor(next() * 4);
  const items = Array.from({ length: n }, (_, idx) =>
    r < 0.65
      ? `${ws()}${generate(next, depth + 1)}${ws()}`
      : `${ws()}"${pick(["k", "orderNo", "fare", "__proto__", `k${idx}`])}"${ws()}:${ws()}${generate(next, depth + 1)}${ws()}`,
  );
  return r < 0.65 ? `[${items.join(",")}]` : `{${items.join(",")}}`;
}

describe("the exact JSON parser", () => {
  it("reads what lossless-json reads, numbers as their text", () => {
    const value = parseJson('{"orderNo":"ATR-1","fare":{"originalAmount":1280.50,"big":12345678901234567890},"list":[1e2,-0.0]}');
    expect(value).toEqual({
      orderNo: "ATR-1",
      fare: { originalAmount: new JsonNumber("1280.50"), big: new JsonNumber("12345678901234567890") },
      list: [new JsonNumber("1e2"), new JsonNumber("-0.0")],
    });
  });

  it("refuses duplicate keys with different values, and keeps __proto__ as an ordinary key", () => {
    expect(() => parseJson('{"status":0,"status":1}')).toThrow(SyntaxError);
    expect(() => parseJson('{"a":{"x":1},"a":{"x":2}}')).toThrow(SyntaxError);
    expect(parseJson('{"a":[1,{"b":"c"}],"a":[1,{"b":"c"}]}')).toEqual({ a: [new JsonNumber("1"), { b: "c" }] });
    const o = parseJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.keys(o)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
  });

  it("reads a \\u0000 escape and a lone surrogate escape as U+FFFD, in values and keys; a pair stays", () => {
    expect(
      parseJson('{"lastName":"WA\\u0000NG","a\\u0000":"\\ud800x\\udc00","pair":"\\ud83d\\ude00","low-high":"\\ude00\\ud83d"}'),
    ).toEqual({
      lastName: "WA\uFFFDNG",
      "a\uFFFD": "\uFFFDx\uFFFD",
      pair: "\u{1F600}",
      "low-high": "\uFFFD\uFFFD",
    });
  });

  it.each([
    "",
    " ",
    "01",
    "-",
    "1.",
    ".5",
    "1e",
    "+1",
    "--1",
    "\ufeff{}",
    '{"a":1,}',
    "[1,]",
    "[,1]",
    '{"a" 1}',
    "{a:1}",
    "'x'",
    '"tab\there"',
    '"\\x"',
    '"\\u12G4"',
    '"open',
    "tru",
    "nul",
    "[1 2]",
    '{"a":1}x',
    "NaN",
    "Infinity",
  ])("refuses %j as lossless-json does", (text) => {
    expect(() => parseExactJson(text, asNum)).toThrow(SyntaxError);
    expectSame(text);
  });

  it("agrees with lossless-json on generated documents and on each of their one-character corruptions", () => {
    const next = random(24);
    const edits = ["", '"', "\\", ",", ":", "{", "}", "[", "]", "0", "-", ".", "e", " ", "\u0001", "x"];
    let compared = 0;
    for (let doc = 0; doc < 150; doc++) {
      const text = generate(next, 0);
      expectSame(text);
      compared++;
      for (let at = 0; at <= text.length; at++) {
        const edit = edits[Math.floor(next() * edits.length)];
        expectSame(text.slice(0, at) + edit + text.slice(at + 1));
        expectSame(text.slice(0, at) + edit + text.slice(at));
        compared += 2;
      }
    }
    expect(compared).toBeGreaterThan(3_000);
  });
});
