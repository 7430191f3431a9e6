/**
 * CTT request signature (docs/suppliers/ctt.md "Signing", unconfirmed: taken from the supplier's own web
 * front-end): s = "random=<random>&timestamp=<time_stamp>&terminal=<terminal>" (the label is
 * `timestamp`, the JSON field `time_stamp`); sign = lower-hex HMAC-SHA256(key, lower-hex MD5(s)).
 * Business fields are not signed.
 *
 * CTT.md asks that what is unconfirmed stay configurable: the terminal, the time stamp's time
 * zone and the signed string are settings (`CttSigning`, CTT_TERMINAL, CTT_TIME_STAMP_UTC_OFFSET_MINUTES,
 * CTT_SIGN_STRING in ./descriptor.ts), their defaults what the front-end does.
 */
import { createHash, createHmac, randomInt } from "node:crypto";

/** What of the signature is configurable. */
export interface CttSigning {
  /** The `terminal` sent and signed: 1 = WEBPAGEEnum, the only value seen. */
  terminal: number;
  /** The time stamp's zone, as minutes east of UTC (the front-end uses UTC: 0). */
  utcOffsetMinutes: number;
  /** The signed string, with {random}, {timestamp} and {terminal} in it. */
  template: string;
}

export const DEFAULT_CTT_SIGNING: CttSigning = {
  terminal: 1,
  utcOffsetMinutes: 0,
  template: "random={random}&timestamp={timestamp}&terminal={terminal}",
};

/** Terminal enum: 1 = WEBPAGEEnum, the only value seen. */
export const CTT_TERMINAL = DEFAULT_CTT_SIGNING.terminal;

export function cttSignBase(
  random: number,
  timeStamp: string,
  terminal: number = CTT_TERMINAL,
  template = DEFAULT_CTT_SIGNING.template,
): string {
  return template.replaceAll("{random}", String(random)).replaceAll("{timestamp}", timeStamp).replaceAll("{terminal}", String(terminal));
}

export function cttSign(
  key: string,
  random: number,
  timeStamp: string,
  terminal: number = CTT_TERMINAL,
  template = DEFAULT_CTT_SIGNING.template,
): string {
  const digest = createHash("md5")
    .update(cttSignBase(random, timeStamp, terminal, template), "utf8")
    .digest("hex");
  return createHmac("sha256", key).update(digest, "utf8").digest("hex");
}

/** The time as yyyyMMddHHmmss, in UTC or `utcOffsetMinutes` east of it. */
export function cttTimeStamp(at: Date = new Date(), utcOffsetMinutes = 0): string {
  return new Date(at.getTime() + utcOffsetMinutes * 60_000).toISOString().slice(0, 19).replace(/[-T:]/g, "");
}

/** An integer in 10000–19999, as the front-end draws it. */
export function cttRandom(): number {
  return randomInt(10000, 20000);
}
