/**
 * The TOP router protocol as the simulator reads docs/suppliers/alitrip.md ("System
 * parameters", "Signing") and seed 003 (docs/suppliers/alitrip.md "Sources"). Written apart from datasources/alitrip/
 * on purpose (issue B.11): the simulator is a second, independent reading of the documents,
 * so a test can catch the gateway and the documents disagreeing. Import nothing from
 * datasources/ here.
 */
import { createHash, createHmac } from "node:crypto";

/** The `sign_method` values docs/suppliers/alitrip.md lists. */
const SIGN_METHODS = ["md5", "hmac", "hmac-sha256"] as const;
/** One of SIGN_METHODS. */
export type SignMethod = (typeof SIGN_METHODS)[number];

/** The one method the simulator serves (seed 003, docs/suppliers/alitrip.md "Sources"). */
export const CANCEL_METHOD = "alitrip.btrip.flight.distribution.order.cancel";

/** True when a request's `sign_method` is one the platform knows. */
export function isSignMethod(s: string): s is SignMethod {
  return (SIGN_METHODS as readonly string[]).includes(s);
}

/**
 * The signature a request should carry, following docs/suppliers/alitrip.md "Signing": every parameter but
 * `sign`, empty values dropped, names in ASCII order (the default sort compares UTF-16 code
 * units, which is ASCII order for ASCII names), `name + value` concatenated with raw values,
 * then the digest of the chosen method in upper-case hex.
 */
export function expectedSign(form: Readonly<Record<string, string>>, secret: string, method: SignMethod): string {
  const names = Object.keys(form)
    .filter((name) => name !== "sign" && form[name] !== "")
    .sort();
  let text = "";
  for (const name of names) text += name + form[name];
  const digest =
    method === "md5"
      ? createHash("md5").update(Buffer.from(secret + text + secret, "utf8"))
      : createHmac(method === "hmac" ? "md5" : "sha256", Buffer.from(secret, "utf8")).update(Buffer.from(text, "utf8"));
  return digest.digest("hex").toUpperCase();
}

const EIGHT_HOURS_MS = 8 * 3_600_000;
const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** An instant as TOP writes it: `yyyy-MM-dd HH:mm:ss` in GMT+8 (docs/suppliers/alitrip.md, `timestamp`). */
export function formatGmt8(epochMs: number): string {
  const t = new Date(epochMs + EIGHT_HOURS_MS);
  const date = `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
  return `${date} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
}

/** Reads a GMT+8 `yyyy-MM-dd HH:mm:ss` back into epoch ms; null when it is not a real time. */
export function parseGmt8(text: string): number | null {
  const parts = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text)?.slice(1).map(Number);
  if (!parts) return null;
  const [y, mo, d, h, mi, s] = parts;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 2026-02-30 over to March: a changed day means the date does not exist.
  if (new Date(ms).getUTCDate() !== d) return null;
  return ms - EIGHT_HOURS_MS;
}

/** The root key of a method's json reply: dots to underscores, then `_response` (docs/suppliers/alitrip.md). */
export function responseKeyOf(method: string): string {
  return `${method.split(".").join("_")}_response`;
}
