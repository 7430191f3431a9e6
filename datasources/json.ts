/**
 * Lossless JSON for supplier replies. JSON.parse turns 1280.50 into the float 1280.5 and
 * 12345678901234567890 into ...000; money must never drift, so numbers are kept as their
 * source text (JsonNumber) and each reply schema says whether a field is an integer, a
 * decimal amount or a 0/1 flag.
 */
import { z } from "zod";
import { parseExactJson } from "./exact-json.js";

/** A JSON number, exactly as the supplier wrote it. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

const toJsonNumber = (text: string) => new JsonNumber(text);

/** Parses JSON keeping every number as a JsonNumber. Throws SyntaxError on bad JSON. */
/** A JSON object (not an array, not null). */
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function parseJson(text: string): unknown {
  return parseExactJson(text, toJsonNumber);
}

/**
 * parseJson for a supplier's hint (a webhook): a name an object repeats with another value holds
 * neither (null), instead of the whole body being refused. A webhook is never sent again, and one
 * with `"k":1,"k":2` in a field the gateway never reads was lost (property-based probe,
 * thirty-second session); one that repeats a field the gateway reads is still refused, as it
 * names nothing for sure.
 */
export function parseJsonHint(text: string): unknown {
  return parseExactJson(text, toJsonNumber, () => null);
}

const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;
const JSON_NUMBER_TEXT = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * The most digits an exponent may add to a number when it is written out plainly. No amount
 * needs more; `1e999999999` would otherwise be a string of a billion zeros (or a RangeError).
 */
const MAX_ADDED_DIGITS = 64;

/**
 * Writes a JSON number's text as a plain decimal string, exactly: "1.2805e3" → "1280.5",
 * "1280.50" → "1280.50" (trailing zeros are what the supplier sent and are kept). Throws a
 * RangeError when the exponent would add more than MAX_ADDED_DIGITS digits.
 */
export function toPlainDecimal(text: string): string {
  const m = JSON_NUMBER_TEXT.exec(text);
  if (!m) throw new Error(`not a number: ${text}`);
  const [, sign, intPart, fracPart = "", expText] = m;
  if (expText === undefined) return normaliseSign(sign + stripLeadingZeros(intPart) + (fracPart ? `.${fracPart}` : ""));
  const exp = Number(expText);
  let digits = intPart + fracPart;
  let point = intPart.length + exp;
  if (point < 1 - MAX_ADDED_DIGITS || point > digits.length + MAX_ADDED_DIGITS)
    throw new RangeError(`${text.length > 32 ? `${text.slice(0, 32)}…` : text} has too large an exponent to be written out`);
  if (point <= 0) {
    digits = "0".repeat(1 - point) + digits;
    point = 1;
  } else if (point > digits.length) {
    digits = digits + "0".repeat(point - digits.length);
  }
  const whole = stripLeadingZeros(digits.slice(0, point));
  const frac = digits.slice(point);
  return normaliseSign(sign + whole + (frac ? `.${frac}` : ""));
}

function stripLeadingZeros(s: string): string {
  const t = s.replace(/^0+(?=\d)/, "");
  return t === "" ? "0" : t;
}

function normaliseSign(s: string): string {
  return /^-0(\.0+)?$/.test(s) ? s.slice(1) : s;
}

const jsonNumber = z.instanceof(JsonNumber, { message: "expected a number" });

/**
 * A JSON integer → number (also accepts an integer written as a string, as some suppliers do).
 * One past 2^53 would lose digits as a number, so it is refused rather than rounded: a code
 * reported with other digits than the supplier's would be a code it never sent.
 */
export const jsonInt = z
  .union([jsonNumber.transform((n) => n.text), z.string()])
  .refine((t) => /^-?\d+$/.test(t.trim()), { message: "expected an integer" })
  .transform((t) => Number(t.trim()))
  .refine(Number.isSafeInteger, { message: "expected an integer of at most 2^53 - 1" });

/** A JSON integer (or text) kept as text, every digit as sent: codes that are only ever reported, never counted. */
export const jsonIntegerText = z.union([
  z.string(),
  jsonNumber.refine((n) => /^-?\d+$/.test(n.text), { message: "expected an integer" }).transform((n) => n.text),
]);

/** A JSON number (or a decimal string) → an exact decimal string; a number too large or small to write out is refused. */
export const jsonDecimal = z.union([
  jsonNumber.transform((n, ctx) => {
    try {
      return toPlainDecimal(n.text);
    } catch (err) {
      ctx.issues.push({ code: "custom", message: (err as Error).message, input: n });
      return z.NEVER;
    }
  }),
  z.string().regex(DECIMAL_TEXT),
]);

/** A 0/1 flag (or a boolean) → boolean. */
export const jsonFlag = z.union([
  z.boolean(),
  jsonInt.refine((n) => n === 0 || n === 1, { message: "expected 0 or 1" }).transform((n) => n === 1),
]);

/**
 * A currency: "3-letter ISO currency code" (seed 002, every amount's `currency`). Read in either
 * case and given in upper case, as ISO 4217 writes it; anything else ("", "RMB1") is not a
 * currency, so the amount it belongs to cannot be read.
 */
export const jsonCurrency = z
  .string()
  .regex(/^[A-Za-z]{3}$/, { message: "not a 3-letter ISO 4217 currency code" })
  .transform((s) => s.toUpperCase());

/** Text that may be missing, null or empty → string | null. */
export const optionalText = z
  .string()
  .nullish()
  .transform((s) => (s === undefined || s === null || s === "" ? null : s));

/**
 * The first problem of a zod failure, as "path: what", in plain words: it reaches clients in
 * an error's message, so not in the validator's own ("Invalid input: expected boolean, received
 * undefined" is "missing, a boolean was expected").
 */
export function describeZodError(err: z.ZodError): string {
  const issue = err.issues[0];
  if (!issue) return "invalid";
  const path = issue.path.length ? issue.path.join(".") : "(root)";
  const type = /^Invalid input: expected (\w+), received (\w+)$/.exec(issue.message);
  if (type) {
    const got = type[2] === "undefined" ? "missing" : type[2] === "null" ? "null" : `${article(type[2])} ${type[2]}`;
    return `${path}: ${got}, ${article(type[1])} ${type[1]} was expected`;
  }
  const option = /^Invalid option: expected one of (.+)$/.exec(issue.message);
  return `${path}: ${option ? `not one of ${option[1]}` : issue.message}`;
}

const article = (noun: string) => (/^[aeiou]/.test(noun) ? "an" : "a");
