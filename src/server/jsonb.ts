/**
 * What PostgreSQL's jsonb (and PGlite's) can never store: the character U+0000 and strings
 * that are not well-formed UTF-16 (a lone surrogate, e.g. from the JSON escape "\ud800").
 * Webhook bodies holding either used to be answered 503 "could not store", which a supplier
 * retries forever (hardening issue, item 6), then 400, which lost the webhook: a supplier may not
 * send one again, and a void whose `void.do` reply was lost is adopted only from its webhook.
 * Supplier replies holding them are read with U+FFFD in their place (datasources/exact-json.ts);
 * a webhook body now is stored the same way (black-box probe, thirtieth session).
 */

import { storableText } from "../../datasources/exact-json.js";

/**
 * A parsed JSON value made storable as jsonb, in place: U+0000 and lone surrogates, in strings
 * and keys, become U+FFFD. Returns the value and whether anything was replaced.
 */
export function makeStorable(value: unknown): { value: unknown; replaced: boolean } {
  let replaced = false;
  const fix = (s: string): string => {
    const t = storableText(s);
    if (t !== s) replaced = true;
    return t;
  };
  if (typeof value === "string") return { value: fix(value), replaced };
  // Iterative, not recursive: a 64 KB body may nest thousands of levels deep.
  const pending: unknown[] = [value];
  while (pending.length) {
    const v = pending.pop();
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        if (typeof v[i] === "string") v[i] = fix(v[i] as string);
        else if (v[i] !== null && typeof v[i] === "object") pending.push(v[i]);
      }
    } else if (v !== null && typeof v === "object") {
      const o = v as Record<string, unknown>;
      for (const key of Object.keys(o)) {
        const inner = o[key];
        const fixedInner = typeof inner === "string" ? fix(inner) : inner;
        const fixedKey = fix(key);
        if (fixedKey !== key) {
          delete o[key];
          Object.defineProperty(o, fixedKey, { value: fixedInner, enumerable: true, writable: true, configurable: true });
        } else if (fixedInner !== inner) o[key] = fixedInner;
        if (inner !== null && typeof inner === "object") pending.push(inner);
      }
    }
  }
  return { value, replaced };
}
