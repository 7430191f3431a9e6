/**
 * What PostgreSQL's jsonb (and PGlite's) can never store: the character U+0000 and strings
 * that are not well-formed UTF-16 (a lone surrogate, e.g. from the JSON escape "\ud800").
 * Webhook bodies holding either used to be answered 503 "could not store", which a supplier
 * retries forever; they are the sender's mistake and get a 400 (hardening issue, item 6).
 */

/** Why a parsed JSON value cannot be stored as jsonb, or undefined when it can. */
export function unstorableInJsonb(value: unknown): string | undefined {
  // Iterative, not recursive: a 64 KB body may nest thousands of levels deep.
  const pending: unknown[] = [value];
  while (pending.length) {
    const v = pending.pop();
    if (typeof v === "string") {
      const why = badString(v);
      if (why) return why;
    } else if (Array.isArray(v)) {
      pending.push(...v);
    } else if (v !== null && typeof v === "object") {
      for (const [key, inner] of Object.entries(v)) {
        const why = badString(key);
        if (why) return why;
        pending.push(inner);
      }
    }
  }
  return undefined;
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function badString(s: string): string | undefined {
  if (s.includes("\u0000")) return "the body contains the character U+0000 (\\u0000), which cannot be stored";
  if (LONE_SURROGATE.test(s)) return "the body contains an unpaired UTF-16 surrogate (e.g. \\ud800), which cannot be stored";
  return undefined;
}
