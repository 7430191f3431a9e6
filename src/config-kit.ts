/**
 * The vocabulary of configuration (issues 13 and 17): one row per environment variable — its
 * name, its default written once, its validation, its help text and whether it is a secret.
 * The same row parses the variable (a default is parsed like a given value), prints in
 * `--help`, writes `.env.example` and the table in docs/configuration.md. The gateway's own rows are in
 * src/config/ (one module per concern), each tracked kind's with its definition
 * (src/tracking/kinds/), each supplier's in its descriptor (datasources/<name>/descriptor.ts).
 */
import { z } from "zod";

export type Env = Record<string, string | undefined>;

export interface VariableSpec<T = unknown> {
  name: string;
  /** The default as --help, .env.example and docs/configuration.md show it; parsed like a given value. Undefined: unset. */
  default?: string;
  description: string;
  /** Never printed or logged. */
  secret?: boolean;
  /** Validates and converts a value (given, or the default). */
  schema: z.ZodType<T>;
}

/** A row with a default: reading it always yields a value. */
export type DefaultedVariable<T> = VariableSpec<T> & { default: string };

/** Declares a row (keeps the type of its value). */
export function variable<T>(spec: VariableSpec<T> & { default: string }): DefaultedVariable<T>;
export function variable<T>(spec: VariableSpec<T>): VariableSpec<T>;
export function variable<T>(spec: VariableSpec<T>): VariableSpec<T> {
  return spec;
}

/** A configuration problem, always naming the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = "ConfigError";
  }
}

/** True when the environment sets the variable (a blank value counts as unset). */
export function isSet(env: Env, v: VariableSpec): boolean {
  const raw = env[v.name];
  return raw !== undefined && raw.trim() !== "";
}

/** The variable's value: the given one, else its default; undefined when it has neither. */
export function read<T>(env: Env, v: DefaultedVariable<T>): T;
export function read<T>(env: Env, v: VariableSpec<T>): T | undefined;
export function read<T>(env: Env, v: VariableSpec<T>): T | undefined {
  const raw = isSet(env, v) ? (env[v.name] as string).trim() : v.default;
  if (raw === undefined) return undefined;
  const r = v.schema.safeParse(raw);
  if (!r.success) throw new ConfigError(v.name, r.error.issues[0]?.message ?? "invalid value");
  return r.data;
}

/** A supplier's own call deadline, `<PREFIX>_TIMEOUT_MS`; unset, it is SUPPLIER_TIMEOUT_MS (read it with `readTimeout`). */
export function timeoutVariable(prefix: string, label: string): VariableSpec<number> {
  return variable({
    name: `${prefix}_TIMEOUT_MS`,
    schema: positiveInt,
    description: `Deadline of one ${label} call (default: SUPPLIER_TIMEOUT_MS)`,
  });
}

/** The supplier's deadline: its own variable when set, else the shared SUPPLIER_TIMEOUT_MS. */
export function readTimeout(env: Env, v: VariableSpec<number>, shared: { timeoutMs: number }): number {
  return read(env, v) ?? shared.timeoutMs;
}

/** Throws, naming `needed`, when `given` is set and `needed` is not. */
export function requireWith(env: Env, given: VariableSpec, needed: VariableSpec): void {
  if (isSet(env, given) && !isSet(env, needed)) throw new ConfigError(needed.name, `is required when ${given.name} is set`);
}

/** The most a time in ms may be: Node's timers take no more (a larger delay became 1 ms, a busy loop). */
export const TIMER_MAX_MS = 2 ** 31 - 1;
export const TIMER_MAX_MESSAGE = `must be at most ${TIMER_MAX_MS} (as milliseconds, about 24.8 days)`;

/** A count, a size or a time in ms, at most TIMER_MAX_MS (no count or size here needs more). */
export const positiveInt = z.coerce
  .number({ message: "must be a number" })
  .int("must be a whole number")
  .positive("must be positive")
  .max(TIMER_MAX_MS, TIMER_MAX_MESSAGE);
export const port = z.coerce
  .number({ message: "must be a number" })
  .int("must be a port number (0-65535)")
  .min(0, "must be a port number (0-65535)")
  .max(65535, "must be a port number (0-65535)");
/**
 * An http(s) URL without a user name or password: nothing would send them (fetch and undici drop
 * or refuse them), and a supplier URL with them was accepted while its credentials went nowhere
 * (configuration probe, thirty-second session).
 */
export const httpUrl = z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }).refine((v) => {
  // zod runs this after a failed URL check too: that one already says what is wrong.
  if (!URL.canParse(v)) return true;
  const u = new URL(v);
  return u.username === "" && u.password === "";
}, "must not carry a user name or password (they would not be sent)");
export const text = z.string().min(1);
export const bool = z.enum(["true", "false"], { message: "must be true or false" }).transform((v) => v === "true");
/** A secret path segment (a webhook token): 16-128 URL-safe characters. */
export const pathToken = z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, "must be 16-128 letters, digits, '-' or '_'");

/** Rows of one concern, keyed by the name of the setting each one fills. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each row keeps its own value type
export type Rows = Readonly<Record<string, VariableSpec<any>>>;

/** What rows read as: each row's value under its key; undefined only for a row without a default. */
export type ValuesOf<R extends Rows> = {
  -readonly [K in keyof R]: R[K] extends DefaultedVariable<infer T> ? T : R[K] extends VariableSpec<infer T> ? T | undefined : never;
};

/** Reads every row of a concern: a new setting is one row, its value appears under its key. */
function readRows<R extends Rows>(env: Env, rows: R): ValuesOf<R> {
  return Object.fromEntries(Object.entries(rows).map(([key, row]) => [key, read(env, row)])) as ValuesOf<R>;
}

/**
 * One concern's configuration (issue 21, item 4): its rows and how its settings are read from
 * them — by default each row's value under its key; `derive` checks rows against each other or
 * builds what the rows describe (a parsed key list, loaded manifests).
 */
export interface Concern<R extends Rows = Rows, S = ValuesOf<R>> {
  readonly rows: R;
  read(env: Env): S;
}

export function concern<R extends Rows>(rows: R): Concern<R, ValuesOf<R>>;
export function concern<R extends Rows, S>(rows: R, derive: (values: ValuesOf<R>, env: Env) => S): Concern<R, S>;
export function concern<R extends Rows, S>(rows: R, derive?: (values: ValuesOf<R>, env: Env) => S): Concern<R, S | ValuesOf<R>> {
  return { rows, read: (env) => (derive ? derive(readRows(env, rows), env) : readRows(env, rows)) };
}

/** A comma-separated list, blanks dropped. */
export const commaList = z.string().transform((v) =>
  v
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean),
);
