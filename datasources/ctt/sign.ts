/**
 * CTT request signature (docs/suppliers/ctt.md "Signing", unconfirmed: taken from the supplier's own web
 * front-end): s = "random=<random>&timestamp=<time_stamp>&terminal=<terminal>" (the label is
 * `timestamp`, the JSON field `time_stamp`); sign = lower-hex HMAC-SHA256(key, lower-hex MD5(s)).
 * Business fields are not signed.
 */
import { createHash, createHmac, randomInt } from "node:crypto";

/** Terminal enum: 1 = WEBPAGEEnum, the only value seen. */
export const CTT_TERMINAL = 1;

export function cttSignBase(random: number, timeStamp: string, terminal: number = CTT_TERMINAL): string {
  return `random=${random}&timestamp=${timeStamp}&terminal=${terminal}`;
}

export function cttSign(key: string, random: number, timeStamp: string, terminal: number = CTT_TERMINAL): string {
  const digest = createHash("md5")
    .update(cttSignBase(random, timeStamp, terminal), "utf8")
    .digest("hex");
  return createHmac("sha256", key).update(digest, "utf8").digest("hex");
}

/** Current UTC time as yyyyMMddHHmmss. */
export function cttTimeStamp(at: Date = new Date()): string {
  return at.toISOString().slice(0, 19).replace(/[-T:]/g, "");
}

/** An integer in 10000–19999, as the front-end draws it. */
export function cttRandom(): number {
  return randomInt(10000, 20000);
}
