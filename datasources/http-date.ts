/**
 * HTTP dates (RFC 9110 §5.6.7): a recipient must accept all three formats, and every one is UTC —
 * the asctime form, which names no zone, included. Anything else is not an HTTP date: `Date.parse`
 * reads zone-less text in the host's time zone and rolls impossible dates over, so it is not used.
 */
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTH = `(${MONTHS.join("|")})`;
const TIME = String.raw`(\d{2}):(\d{2}):(\d{2})`;
/** Sun, 06 Nov 1994 08:49:37 GMT */
const IMF_FIXDATE = new RegExp(String.raw`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ${MONTH} (\d{4}) ${TIME} GMT$`);
/** Sunday, 06-Nov-94 08:49:37 GMT */
const RFC850 = new RegExp(String.raw`^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{2})-${MONTH}-(\d{2}) ${TIME} GMT$`);
/** Sun Nov  6 08:49:37 1994 */
const ASCTIME = new RegExp(String.raw`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MONTH} ([ \d]\d) ${TIME} (\d{4})$`);

/** The instant an HTTP date names (ms since the epoch); undefined when `text` is not one, or names no real time. */
export function parseHttpDate(text: string, now = Date.now()): number | undefined {
  let m = IMF_FIXDATE.exec(text);
  if (m) return utc(Number(m[3]), m[2], Number(m[1]), m.slice(4, 7));
  m = RFC850.exec(text);
  if (m) {
    // A two-digit year more than 50 years ahead is the latest past year with those digits (RFC 9110).
    const thisYear = new Date(now).getUTCFullYear();
    let year = thisYear - (thisYear % 100) + Number(m[3]);
    if (year > thisYear + 50) year -= 100;
    return utc(year, m[2], Number(m[1]), m.slice(4, 7));
  }
  m = ASCTIME.exec(text);
  if (m) return utc(Number(m[6]), m[1], Number(m[2].trim()), m.slice(3, 6));
  return undefined;
}

function utc(year: number, month: string, day: number, [h, mi, s]: string[]): number | undefined {
  const [hours, minutes, seconds] = [h, mi, s].map(Number);
  if (hours > 23 || minutes > 59 || seconds > 60) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, MONTHS.indexOf(month), day);
  // An impossible day (31 Feb) rolls over: not a date.
  if (date.getUTCDate() !== day) return undefined;
  // A leap second (:60) is the next second's start.
  date.setUTCHours(hours, minutes, seconds);
  return date.getTime();
}
