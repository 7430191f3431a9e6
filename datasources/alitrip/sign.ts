/**
 * TOP request signing (docs/suppliers/alitrip.md "Signing"): every parameter except `sign`, empty values
 * dropped, sorted by name in ASCII order, concatenated as name1value1name2value2… with raw
 * values; then md5(secret + s + secret), HMAC-MD5(secret, s) or HMAC-SHA256(secret, s), in
 * upper-case hex. Object parameters are signed as the JSON string that is sent.
 */
import { createHash, createHmac } from "node:crypto";

export type TopSignMethod = "md5" | "hmac" | "hmac-sha256";
export const TOP_SIGN_METHODS: readonly TopSignMethod[] = ["md5", "hmac", "hmac-sha256"];

/** The string that gets signed. */
export function topSignBase(params: Record<string, string | undefined>): string {
  return Object.keys(params)
    .filter((k) => k !== "sign" && params[k] !== undefined && params[k] !== "")
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((k) => `${k}${params[k]}`)
    .join("");
}

export function topSign(params: Record<string, string | undefined>, secret: string, method: TopSignMethod): string {
  const base = topSignBase(params);
  switch (method) {
    case "md5":
      return createHash("md5")
        .update(secret + base + secret, "utf8")
        .digest("hex")
        .toUpperCase();
    case "hmac":
      return createHmac("md5", secret).update(base, "utf8").digest("hex").toUpperCase();
    case "hmac-sha256":
      return createHmac("sha256", secret).update(base, "utf8").digest("hex").toUpperCase();
  }
}

const GMT8_MS = 8 * 60 * 60 * 1000;

/** TOP's timestamp: yyyy-MM-dd HH:mm:ss in GMT+8, whatever the host's time zone. */
export function topTimestamp(at: Date = new Date()): string {
  return new Date(at.getTime() + GMT8_MS).toISOString().slice(0, 19).replace("T", " ");
}

/** Parses a TOP GMT+8 "yyyy-MM-dd HH:mm:ss" back into an instant; null when malformed. */
export function parseTopTime(text: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  // Not Date.UTC, which takes years 0-99 as 1900-1999.
  const local = new Date(0);
  local.setUTCFullYear(y, mo - 1, d);
  if (local.getUTCMonth() !== mo - 1 || local.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  local.setUTCHours(h, mi, s);
  return new Date(local.getTime() - GMT8_MS);
}
