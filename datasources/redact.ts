/**
 * Credentials out of supplier replies (datasources/http.ts `HttpCall.secrets`). A supplier, or a
 * proxy before it, that echoes the request must not hand the gateway's credentials on to a
 * client, a log, a span or the store: they are replaced in the reply's text before anything
 * reads it, and again in the strings parsed out of its JSON when the text has escapes that
 * could hide one (`\u002B` for `+`, `\/` for `/`).
 */
import { JsonNumber } from "./json.js";

/** What a credential found in a supplier's reply is replaced by. */
const REDACTED = "[redacted]";
/** Shorter credentials are not looked for: one could match a reply's own text by chance. */
const MIN_REDACTED_LENGTH = 8;
/** The ways each credential with characters that are escaped or encoded may be written back, computed once per credential. */
const writtenForms = new Map<string, readonly string[]>();
/** Characters that JSON and URL encoding both leave as they are: such a credential has one written form. */
const UNENCODED = /^[\w.-]*$/;
const HEX = /^[0-9a-f]+$/i;

function formsOf(secret: string): readonly string[] {
  // A request's own sign (hex, written back in either case) is one of these: nothing kept per call.
  if (UNENCODED.test(secret)) return HEX.test(secret) ? [...new Set([secret, secret.toLowerCase(), secret.toUpperCase()])] : [secret];
  let forms = writtenForms.get(secret);
  if (!forms) {
    const escaped = JSON.stringify(secret).slice(1, -1);
    const encoded = encodeURIComponent(secret);
    // Inside a JSON string quoted twice or once, as sent, URL-encoded (either case) and form-encoded.
    const set = new Set([
      JSON.stringify(escaped).slice(1, -1),
      escaped,
      secret,
      encoded,
      encoded.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
      new URLSearchParams({ s: secret }).toString().slice(2),
    ]);
    forms = [...set];
    if (writtenForms.size >= 1024) writtenForms.clear();
    writtenForms.set(secret, forms);
  }
  return forms;
}

/** `text` with every credential of `secrets` (of at least MIN_REDACTED_LENGTH characters), in any written form, replaced by REDACTED. */
export function redactSecrets(text: string, secrets: readonly string[] | undefined): string {
  if (!secrets) return text;
  for (const secret of secrets) {
    if (secret.length < MIN_REDACTED_LENGTH) continue;
    for (const form of formsOf(secret)) if (text.includes(form)) text = text.replaceAll(form, REDACTED);
  }
  return text;
}

/** JSON escapes that can write a credential's characters otherwise than the forms above. */
const HIDING_ESCAPE = /\\u|\\\//;

/**
 * `value`, parsed from `text`, with the credentials redacted in every string it holds (in
 * place), when `text` has an escape that could have hidden one from redactSecrets.
 */
export function redactParsed<T>(value: T, text: string, secrets: readonly string[] | undefined): T {
  if (!secrets?.length || !HIDING_ESCAPE.test(text)) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return redactSecrets(v, secrets);
    if (v === null || typeof v !== "object" || v instanceof JsonNumber) return v;
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) o[k] = walk(o[k]);
    return v;
  };
  return walk(value) as T;
}
