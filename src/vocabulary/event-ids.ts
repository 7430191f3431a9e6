/**
 * What an event id is: the decimal text of a PostgreSQL bigint (VoidStatusEvent.id, the SSE
 * `id:` lines). A leaf: it imports nothing, so the HTTP server can check a `Last-Event-ID`
 * header without loading the schema's decorated inputs.
 */

/** The largest event id: ids are PostgreSQL bigints. */
export const MAX_EVENT_ID = 9223372036854775807n;

/**
 * Whether `value` is an event id: digits, at most MAX_EVENT_ID. Leading zeros are allowed ("01"
 * was taken and a 20-digit "000…01" was not; property-based probe), up to 64 digits in all.
 */
export const isEventId = (value: unknown): value is string =>
  typeof value === "string" && /^0*\d{1,19}$/.test(value) && value.length <= 64 && BigInt(value) <= MAX_EVENT_ID;

/** An event id (isEventId) as the log writes it: without leading zeros. */
export const canonicalEventId = (id: string): string => BigInt(id).toString();
