/** The hardening helpers on their own: closed labels, long timers, JWT expiry, jsonb, event ids. */
import "reflect-metadata";
import { getOperationAST, parse } from "graphql";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { optionalEventId, resumePoint } from "../../resolvers/validate.js";
import { expiryOf } from "../../src/auth/jwt.js";
import { buildGatewaySchema } from "../../src/schema.js";
import { outcomeLabel } from "../../src/vocabulary/errors.js";
import { MAX_TIMER_MS, runAt } from "../../src/server/expiry.js";
import { makeStorable } from "../../src/server/jsonb.js";
import { OperationLabels } from "../../src/server/operation-label.js";

describe("operation labels (item 1)", () => {
  let labels: OperationLabels;
  beforeAll(async () => {
    labels = new OperationLabels(await buildGatewaySchema());
  });
  const label = (query: string, operationName?: string) => {
    const doc = parse(query);
    return labels.of(doc, getOperationAST(doc, operationName));
  };

  it.each([
    ["query AnyName { suppliers { supplier } }", "suppliers"],
    [
      'mutation M { a: voidQuote(input: {supplier: ATRIP, orderNo: "X"}) { orderNo } b: voidQuote(input: {supplier: ATRIP, orderNo: "Y"}) { orderNo } }',
      "voidQuote",
    ],
    ["subscription { voidStatusChanged { id } }", "voidStatusChanged"],
    ['{ ...F } fragment F on Query { voidOrders(orderNo: "X") { voidCode } }', "voidOrders"],
    ["{ ... on Query { suppliers { supplier } } __typename }", "suppliers"],
    ['{ suppliers { supplier } voidOrders(orderNo: "X") { voidCode } }', "multiple"],
    ["{ __schema { queryType { name } } }", "introspection"],
    ["{ __typename }", "introspection"],
    ["{ notAField }", "unknown"],
  ])("%s → %s", (query, expected) => {
    expect(label(query)).toBe(expected);
    expect(labels.all()).toContain(expected);
  });

  it("an operationName that names no operation → unknown; no document → unknown", () => {
    expect(label("query A { suppliers { supplier } }", "B")).toBe("unknown");
    expect(labels.of(undefined, undefined)).toBe("unknown");
  });

  it("outcomes are OK, a code of the closed set, or OTHER", () => {
    expect(outcomeLabel("OK")).toBe("OK");
    expect(outcomeLabel("VOID_OFFER_EXPIRED")).toBe("VOID_OFFER_EXPIRED");
    expect(outcomeLabel("GRAPHQL_VALIDATION_FAILED")).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(outcomeLabel("SERVICE_UNAVAILABLE")).toBe("SERVICE_UNAVAILABLE");
    expect(outcomeLabel("x".repeat(30))).toBe("OTHER");
    expect(outcomeLabel(undefined)).toBe("OTHER");
  });
});

describe("timers beyond setTimeout's range (item 5)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("fires a callback 30 days away after 30 days, not at once", () => {
    vi.useFakeTimers();
    const day = 24 * 3600 * 1000;
    const fn = vi.fn();
    runAt(new Date(Date.now() + 30 * day), fn);
    vi.advanceTimersByTime(1);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(MAX_TIMER_MS);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(30 * day - MAX_TIMER_MS - 2);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("cancel stops it; a past or invalid time fires at once (failing closed)", () => {
    vi.useFakeTimers();
    const later = vi.fn();
    runAt(new Date(Date.now() + 1000), later).cancel();
    vi.advanceTimersByTime(2000);
    expect(later).not.toHaveBeenCalled();
    const past = vi.fn();
    runAt(new Date(Date.now() - 1), past);
    expect(past).toHaveBeenCalledTimes(1);
    const invalid = vi.fn();
    runAt(new Date(NaN), invalid);
    expect(invalid).toHaveBeenCalledTimes(1);
  });

  it("a JWT exp of 1e20 is a valid, far-away expiry", () => {
    vi.useFakeTimers();
    const at = expiryOf(1e20);
    expect(Number.isNaN(at.getTime())).toBe(false);
    expect(at.getTime()).toBeGreaterThan(Date.now() + 1e15);
    const fn = vi.fn();
    runAt(at, fn);
    vi.advanceTimersByTime(10 * MAX_TIMER_MS);
    expect(fn).not.toHaveBeenCalled();
    expect(expiryOf(1_800_000_000).toISOString()).toBe("2027-01-15T08:00:00.000Z");
  });
});

describe("what jsonb cannot store (item 6), made storable", () => {
  it.each([
    [{ a: ["x", { b: "a\u0000b" }] }, { a: ["x", { b: "a\uFFFDb" }] }],
    [
      { "k\u0000": 1, __proto__x: 2 },
      { "k\uFFFD": 1, __proto__x: 2 },
    ],
    [{ a: "\ud800" }, { a: "\uFFFD" }],
    [{ a: "x\udc00" }, { a: "x\uFFFD" }],
    [["\ud83d"], ["\uFFFD"]],
    ["a\u0000", "a\uFFFD"],
  ])("%j becomes %j", (value, storable) => {
    expect(makeStorable(value)).toEqual({ value: storable, replaced: true });
  });

  it("leaves ordinary values alone, surrogate pairs and a __proto__ key included, and walks deep nesting without recursion", () => {
    const plain = JSON.parse('{"a":["😀",1,null,true,{"b":"中文"}],"__proto__":{"c":"d"}}') as Record<string, unknown>;
    expect(makeStorable(plain)).toEqual({ value: plain, replaced: false });
    expect(Object.keys(plain)).toEqual(["a", "__proto__"]);
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    let deep: unknown = ["end\u0000"];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(makeStorable(deep).replaced).toBe(true);
  });
});

describe("event ids (item 6)", () => {
  it("accepts the largest bigint and refuses anything beyond", () => {
    expect(optionalEventId("afterEventId", "9223372036854775807")).toBe("9223372036854775807");
    expect(optionalEventId("afterEventId", "0")).toBe("0");
    expect(optionalEventId("afterEventId", null)).toBeUndefined();
    // Leading zeros are digits too, whatever the count (up to 64 digits): the id as the log writes it.
    expect(optionalEventId("afterEventId", "01")).toBe("1");
    expect(optionalEventId("afterEventId", "00000000000000000001")).toBe("1");
    expect(optionalEventId("afterEventId", `${"0".repeat(45)}9223372036854775807`)).toBe("9223372036854775807");
    for (const v of [
      "9223372036854775808",
      "9999999999999999999",
      "99999999999999999999",
      "",
      "1.5",
      7,
      `${"0".repeat(64)}1`,
      "00009223372036854775808",
    ]) {
      expect(() => optionalEventId("afterEventId", v), String(v)).toThrow(/afterEventId: must be an event id/);
    }
  });

  it("resumes after the later of afterEventId and Last-Event-ID; a Last-Event-ID that is no event id is ignored, an afterEventId refused", () => {
    expect(resumePoint("5", "9")).toEqual({ afterEventId: "5", lastEventId: "9" });
    expect(resumePoint("12", "9")).toEqual({ afterEventId: "12" });
    expect(resumePoint(undefined, "9")).toEqual({ lastEventId: "9" });
    expect(resumePoint(null, undefined)).toEqual({});
    for (const header of ["abc", "9223372036854775808", "9999999999999999999", "-1", ""]) {
      expect(resumePoint("5", header), header).toEqual({ afterEventId: "5" });
      expect(resumePoint(undefined, header), header).toEqual({});
    }
    expect(() => resumePoint("abc", "9")).toThrow(/afterEventId: must be an event id/);
    expect(resumePoint("005", "0009")).toEqual({ afterEventId: "5", lastEventId: "9" });
  });
});
