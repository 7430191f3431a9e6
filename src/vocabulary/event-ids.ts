/**
 * What an event id is: the decimal text of a PostgreSQL bigint (VoidStatusEvent.id, the SSE
 * `id:` lines). A leaf: it imports nothing, so the HTTP server can check a `Last-Event-ID`
 * header without loading the schema's decorated inputs.
 */

/** The largest event id: ids are PostgreSQL bigints. */
export const MAX_EVENT_ID = 9223372036854775807n;

/** Whether `value` is an event id: 1 to 19 digits, at most MAX_EVENT_ID. */
export const isEventId = (value: unknown): value is string =>
  typeof value === "string" && /^\d{1,19}$/.test(value) && BigInt(value) <= MAX_EVENT_ID;
