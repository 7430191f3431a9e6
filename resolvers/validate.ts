/** Checks for arguments type-graphql does not validate (subscription arguments). */
import { badInput } from "../src/vocabulary/errors.js";
import {
  ID_LENGTH_MESSAGE,
  ID_MAX,
  ID_PATTERN,
  ID_PATTERN_MESSAGE,
  TOKEN_LENGTH_MESSAGE,
  TOKEN_PATTERN_MESSAGE,
} from "../schema/inputs.js";
import { TOKEN_MAX, TOKEN_PATTERN } from "../src/vocabulary/tokens.js";
import { canonicalEventId, isEventId, MAX_EVENT_ID } from "../src/vocabulary/event-ids.js";

interface Rule {
  max: number;
  pattern: RegExp;
  lengthMessage: string;
  patternMessage: string;
}

const ID: Rule = { max: ID_MAX, pattern: ID_PATTERN, lengthMessage: ID_LENGTH_MESSAGE, patternMessage: ID_PATTERN_MESSAGE };
const TOKEN: Rule = { max: TOKEN_MAX, pattern: TOKEN_PATTERN, lengthMessage: TOKEN_LENGTH_MESSAGE, patternMessage: TOKEN_PATTERN_MESSAGE };

function optional(rule: Rule, field: string, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  // A federation representation is raw JSON: its key may be any type.
  if (typeof value !== "string") throw badInput(field, `must be a string, not ${Array.isArray(value) ? "a list" : typeof value}`);
  if (value.length < 1 || value.length > rule.max) throw badInput(field, rule.lengthMessage);
  if (!rule.pattern.test(value)) throw badInput(field, rule.patternMessage);
  return value;
}

/** An optional identifier: null/undefined passes; anything else must follow the identifier rule. */
export function optionalId(field: string, value: unknown): string | undefined {
  return optional(ID, field, value);
}

/** An optional supplier token (a voidCode): null/undefined passes; anything else must follow the token rule. */
export function optionalToken(field: string, value: unknown): string | undefined {
  return optional(TOKEN, field, value);
}

/**
 * An optional event id (`from` names where a client gets one): digits only, at most the largest
 * bigint. A larger one used to reach the store and fail there as an internal error (hardening
 * issue, item 6).
 */
export function optionalEventId(field: string, value: unknown, from = "VoidStatusEvent.id"): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (!isEventId(value))
    throw badInput(field, `must be an event id from ${from} (digits, at most ${MAX_EVENT_ID}; leading zeros allowed, 64 digits in all)`);
  return canonicalEventId(value);
}

/**
 * Where a subscription asks to resume: after `afterEventId`, checked, and after the `Last-Event-ID`
 * a reconnecting EventSource sends (the id line the stream last gave it: GatewayContext.lastEventId),
 * kept only when it is the later of the two. A header that is not an event id is ignored: refused,
 * the EventSource would reconnect with it every few seconds, forever. Which one the stream
 * resumes after is decided against the log (src/tracking/subscriptions.ts `stream`).
 */
export function resumePoint(
  afterEventId: unknown,
  lastEventId: string | undefined,
  from?: string,
): { afterEventId?: string; lastEventId?: string } {
  const asked = optionalEventId("afterEventId", afterEventId, from);
  const seen =
    isEventId(lastEventId) && (asked === undefined || BigInt(lastEventId) > BigInt(asked)) ? canonicalEventId(lastEventId) : undefined;
  return { ...(asked === undefined ? {} : { afterEventId: asked }), ...(seen === undefined ? {} : { lastEventId: seen }) };
}
