/**
 * What a supplier said in the body of a reply with a non-2xx status, for `supplierMessage`
 * (docs/errors.md: null only when the supplier said nothing). Read the same for every supplier,
 * since no supplier document describes these bodies: a JSON object's message field (`message`,
 * ASP.NET's `Message`, `msg`, RFC 9457's `detail` or `title`, OAuth's `error_description`,
 * `error`), at its top or in an object one level down (an envelope such as
 * `{"error_response": {"msg": …}}`), or a short text/plain body. An HTML error page or anything
 * else says nothing. Runs of control characters and spaces become one space; at most 300 characters are kept.
 */
import { isRecord } from "./json.js";

const KEYS = ["message", "Message", "msg", "detail", "error_description", "title", "error"];
const MAX_CHARS = 300;

function messageOf(o: Record<string, unknown>): string | undefined {
  for (const k of KEYS) {
    const v = o[k];
    if (typeof v === "string" && v.trim()) return v;
  }
  return undefined;
}

function clean(text: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- what is replaced is exactly the control characters
  const flat = text.replace(/[\s\u0000-\u001f\u007f]+/g, " ").trim();
  if (!flat) return undefined;
  return flat.length > MAX_CHARS ? `${flat.slice(0, MAX_CHARS)}…` : flat;
}

export function statusBodyMessage(text: string, contentType: string | undefined): string | undefined {
  const type = (contentType ?? "").split(";")[0].trim().toLowerCase();
  if (type === "text/plain") return text.length <= 4 * MAX_CHARS ? clean(text) : undefined;
  if (type !== "application/json" && !type.endsWith("+json")) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(body)) return undefined;
  const top = messageOf(body);
  if (top !== undefined) return clean(top);
  for (const v of Object.values(body)) {
    const nested = isRecord(v) ? messageOf(v) : undefined;
    if (nested !== undefined) return clean(nested);
  }
  return undefined;
}
