/**
 * The CTT request signature as the simulator reads docs/suppliers/ctt.md "Signing"
 * (itself unconfirmed: taken from CTT's own web front-end). Written apart from
 * datasources/ctt/ on purpose (issue B.11) so the simulator checks the gateway against the
 * document, not against the gateway's own code. Import nothing from datasources/ here.
 */
import { createHash, createHmac } from "node:crypto";

/**
 * `s = "random=" + random + "&timestamp=" + time_stamp + "&terminal=" + terminal` (the label
 * is `timestamp` although the JSON field is `time_stamp`); the signature is the lower-case hex
 * HMAC-SHA256, keyed by the account's signing key, of the lower-case hex MD5 of `s`.
 */
export function expectedCttSign(signKey: string, random: number, timeStamp: string, terminal: number): string {
  const s = "random=" + String(random) + "&timestamp=" + timeStamp + "&terminal=" + String(terminal);
  const md5Hex = createHash("md5").update(Buffer.from(s, "utf8")).digest("hex");
  return createHmac("sha256", Buffer.from(signKey, "utf8")).update(Buffer.from(md5Hex, "utf8")).digest("hex");
}

/** Reads CTT's `time_stamp` (UTC `yyyyMMddHHmmss`) into epoch ms; null when malformed. */
export function parseCttTimeStamp(s: string): number | null {
  const parts = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s)?.slice(1).map(Number);
  if (!parts) return null;
  const [y, mo, d, h, mi, se] = parts;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return null;
  const ms = Date.UTC(y, mo - 1, d, h, mi, se);
  return new Date(ms).getUTCDate() === d ? ms : null;
}
