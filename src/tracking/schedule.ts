/**
 * When to ask a supplier again: from a kind's `<PREFIX>_POLL_MIN_MS` doubling towards its
 * `<PREFIX>_POLL_MAX_MS` while nothing changes (1, 2, 4, 8, 16, 30 min with the defaults), at
 * most `<PREFIX>_POLL_WATCHED_MS` while someone is subscribed. A little jitter keeps many records
 * from coming due together. Each kind has its own three rows (issue 21, item 5).
 */
import { ConfigError, isSet, positiveInt, read, variable, type DefaultedVariable, type Env } from "../config-kit.js";

/** The check intervals of a kind (`<PREFIX>_POLL_MIN_MS`, `_MAX_MS`, `_WATCHED_MS`). */
export interface PollPolicy {
  /** The first wait, after a record starts or changes. */
  minMs: number;
  /** The longest wait while nothing changes. */
  maxMs: number;
  /** The longest wait while someone is subscribed to the record. */
  watchedMs: number;
}

/**
 * The wait before check number `attempt + 1` of a record, up to `jitter` shorter so records spread out.
 * @param jitter fraction the wait may be shortened by, at random. @default 0.1
 */
export function pollDelayMs(policy: PollPolicy, attempt: number, watched: boolean, jitter = 0.1): number {
  const backoff = Math.min(policy.maxMs, policy.minMs * 2 ** Math.min(attempt, 30));
  const base = watched ? Math.min(backoff, policy.watchedMs) : backoff;
  return Math.round(base * (1 - jitter * Math.random()));
}

/** A kind's three schedule rows. */
export type PollVariables = Readonly<Record<keyof PollPolicy, DefaultedVariable<number>>>;

/**
 * The rows of a kind's schedule, `<prefix>_POLL_MIN_MS`, `_MAX_MS` and `_WATCHED_MS`, with their
 * defaults written once here. `records` names the kind's records in the help text; `first`
 * describes the first interval where a kind's first check is not a poll.
 */
export function pollVariables(prefix: string, records: string, first = `First poll interval of ${records}`): PollVariables {
  return {
    minMs: variable({
      name: `${prefix}_POLL_MIN_MS`,
      default: "60000",
      schema: positiveInt,
      description: `${first} (sandbox: divided by SANDBOX_TIME_SCALE unless set)`,
    }),
    maxMs: variable({
      name: `${prefix}_POLL_MAX_MS`,
      default: "1800000",
      schema: positiveInt,
      description: `Longest poll interval of ${records} (sandbox: divided by SANDBOX_TIME_SCALE unless set)`,
    }),
    watchedMs: variable({
      name: `${prefix}_POLL_WATCHED_MS`,
      default: "10000",
      schema: positiveInt,
      description: `Poll interval of ${records} someone is subscribed to (at most)`,
    }),
  };
}

/** Reads a kind's schedule; a first interval over the longest one names both variables. */
export function readPollPolicy(env: Env, v: PollVariables): PollPolicy {
  const policy = { minMs: read(env, v.minMs), maxMs: read(env, v.maxMs), watchedMs: read(env, v.watchedMs) };
  // Both set: with one of them a default, a simulator's time scale shortens that one at start-up.
  if (isSet(env, v.minMs) && isSet(env, v.maxMs) && policy.minMs > policy.maxMs)
    throw new ConfigError(v.minMs.name, `must not exceed ${v.maxMs.name}`);
  return policy;
}
