/**
 * A JSON parser that hands every number to the caller as its source text, for supplier replies
 * whose amounts must not pass through a float (json.ts). It accepts and rejects what
 * lossless-json 4 does — the same grammar, duplicate keys refused unless their values are equal,
 * `__proto__` kept as an ordinary key — and a differential test holds it to that
 * (test/unit/exact-json.test.ts). It exists because lossless-json builds every string one
 * character at a time: on a `voidQuote`, 17 of the 138–161 KB the gateway allocated per call
 * went to the reply's strings (issue 24; bench/RESULTS.md, "Issue 24, seventh session"). Here a
 * string without escapes is one slice of the text.
 *
 * One difference from lossless-json: a `\u0000` escape, and a `\uD800`–`\uDFFF` escape that is not
 * half of a surrogate pair, become U+FFFD. Neither can be stored (PostgreSQL's text and jsonb
 * refuse both), and a supplier's reply ends up in the store; one such character in a passenger's
 * name froze the tracking of every void polled with it (black-box probe, thirtieth session).
 * Raw, unescaped, neither can occur: JSON refuses a raw U+0000, and the text is decoded UTF-8.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const ESCAPES: Record<number, string> = {
  [QUOTE]: '"',
  [BACKSLASH]: "\\",
  [SLASH]: "/",
  0x62: "\b",
  0x66: "\f",
  0x6e: "\n",
  0x72: "\r",
  0x74: "\t",
};

const isDigit = (c: number) => c >= ZERO && c <= NINE;
const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/**
 * Parses `text`; each number becomes `number(itsText)`. Throws SyntaxError on anything that is not
 * JSON, and on a name an object repeats with another value, unless `duplicate` says what such a
 * name holds instead (a webhook: neither value, see ./json.ts `parseJsonHint`).
 */
export function parseExactJson(text: string, number: (text: string) => unknown, duplicate?: () => unknown): unknown {
  let i = 0;

  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at position ${i}`);
  };

  function skipWhitespace(): void {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x09 && c !== 0x0d) return;
      i++;
    }
  }

  function parseString(): string {
    const start = ++i;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) return text.slice(start, i++);
      if (c === BACKSLASH) break;
      if (!(c >= 0x20)) fail(c < 0x20 ? "Invalid character in string" : "End of string expected");
      i++;
    }
    // Escapes: build it from the runs between them.
    let out = text.slice(start, i);
    let run = i;
    let unicode = false;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        out += text.slice(run, i++);
        return unicode ? storableText(out) : out;
      }
      if (c === BACKSLASH) {
        out += text.slice(run, i);
        const e = text.charCodeAt(i + 1);
        const simple = ESCAPES[e];
        if (simple !== undefined) i += 2;
        else if (e === 0x75) {
          for (let k = 2; k < 6; k++) if (!isHex(text.charCodeAt(i + k))) fail("Invalid unicode escape");
          out += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16));
          unicode = true;
          i += 6;
          run = i;
          continue;
        } else fail("Invalid escape character");
        out += simple;
        run = i;
        continue;
      }
      if (!(c >= 0x20)) fail(c < 0x20 ? "Invalid character in string" : "End of string expected");
      i++;
    }
  }

  function expectDigit(): void {
    if (!isDigit(text.charCodeAt(i))) fail("Invalid number, expecting a digit");
  }

  function parseNumber(): unknown {
    const start = i;
    if (text.charCodeAt(i) === MINUS) {
      i++;
      expectDigit();
    }
    if (text.charCodeAt(i) === ZERO) i++;
    else while (isDigit(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) === DOT) {
      i++;
      expectDigit();
      while (isDigit(text.charCodeAt(i))) i++;
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      i++;
      const sign = text.charCodeAt(i);
      if (sign === MINUS || sign === PLUS) i++;
      expectDigit();
      while (isDigit(text.charCodeAt(i))) i++;
    }
    return number(text.slice(start, i));
  }

  function parseObject(): Record<string, unknown> {
    i++;
    skipWhitespace();
    const object: Record<string, unknown> = {};
    if (text.charCodeAt(i) === CLOSE_BRACE) {
      i++;
      return object;
    }
    for (;;) {
      if (text.charCodeAt(i) !== QUOTE) fail("Quoted object key expected");
      const keyAt = i;
      const key = parseString();
      skipWhitespace();
      if (text.charCodeAt(i) !== COLON) fail("Colon ':' expected after property name");
      i++;
      const value = parseValue();
      if (Object.hasOwn(object, key)) {
        if (!isDeepEqual(object[key], value)) {
          if (!duplicate) throw new SyntaxError(`Duplicate key '${key}' encountered at position ${keyAt + 1}`);
          object[key] = duplicate();
        }
      } else if (key === "__proto__") {
        Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
      } else object[key] = value;
      const c = text.charCodeAt(i);
      if (c === CLOSE_BRACE) {
        i++;
        return object;
      }
      if (c !== COMMA) fail("Comma ',' or '}' expected after value");
      i++;
      skipWhitespace();
    }
  }

  function parseArray(): unknown[] {
    i++;
    skipWhitespace();
    const array: unknown[] = [];
    if (text.charCodeAt(i) === CLOSE_BRACKET) {
      i++;
      return array;
    }
    for (;;) {
      array.push(parseValue());
      const c = text.charCodeAt(i);
      if (c === CLOSE_BRACKET) {
        i++;
        return array;
      }
      if (c !== COMMA) fail("Comma ',' or ']' expected after value");
      i++;
    }
  }

  function keyword<T>(word: string, value: T): T {
    if (!text.startsWith(word, i)) fail("JSON value expected");
    i += word.length;
    return value;
  }

  /** A value with the whitespace around it. */
  function parseValue(): unknown {
    skipWhitespace();
    let value: unknown;
    const c = text.charCodeAt(i);
    if (c === QUOTE) value = parseString();
    else if (c === OPEN_BRACE) value = parseObject();
    else if (c === OPEN_BRACKET) value = parseArray();
    else if (c === MINUS || isDigit(c)) value = parseNumber();
    else if (c === 0x74) value = keyword("true", true);
    else if (c === 0x66) value = keyword("false", false);
    else if (c === 0x6e) value = keyword("null", null);
    else fail("JSON value expected");
    skipWhitespace();
    return value;
  }

  const value = parseValue();
  if (i < text.length) fail("Expected end of input");
  return value;
}

/** A lone surrogate: a high one not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `s` with U+0000 and lone surrogates as U+FFFD: what PostgreSQL's text and jsonb can keep. Here
 * only `\u` escapes produce them; the webhook intake uses it too (src/server/jsonb.ts).
 */
export function storableText(s: string): string {
  return s.replaceAll("\u0000", "\uFFFD").replace(LONE_SURROGATE, "\uFFFD");
}

/** Structural equality of parsed values (numbers compared by their text through their objects' fields). */
function isDeepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, k) => isDeepEqual(item, b[k]));
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const x = a as Record<string, unknown>;
    const y = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
    for (const k of keys) if (!isDeepEqual(x[k], y[k])) return false;
    return true;
  }
  return false;
}
