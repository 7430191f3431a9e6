/**
 * Configuration from environment variables (ARCHITECTURE.md "Configuration contract").
 * Every variable is declared once in VARIABLES, with its default and meaning; `--help`
 * prints that table, and a bad value stops start-up with a message naming the variable.
 */
import { z } from "zod";

export interface VariableSpec {
  name: string;
  /** Shown in --help; undefined means "unset". */
  default?: string;
  description: string;
  /** Never printed or logged. */
  secret?: boolean;
}

export const VARIABLES: VariableSpec[] = [
  { name: "PORT", default: "4000", description: "HTTP port of /graphql, /webhooks/…, /healthz" },
  { name: "HOST", default: "0.0.0.0", description: "Interface to listen on" },
  { name: "ATRIP_BASE_URL", description: "ATRIP base URL, e.g. https://sandbox.atriptech.com/ (unset: the embedded simulator)" },
  { name: "ATRIP_CLIENT_ID", description: "Sent as x-atlas-client-id (required with ATRIP_BASE_URL)" },
  { name: "ATRIP_CLIENT_SECRET", description: "Sent as x-atlas-client-secret (required with ATRIP_BASE_URL)", secret: true },
  { name: "ATRIP_TIMEOUT_MS", description: "Per-call timeout for ATRIP (default: SUPPLIER_TIMEOUT_MS)" },
  { name: "SUPPLIER_TIMEOUT_MS", default: "10000", description: "Per-call timeout for every supplier, including reading the reply" },
  { name: "STOP_CHECK_DELAY_MS", default: "480000", description: "When to ask for a stop-issuance outcome (sandbox: divided by SANDBOX_TIME_SCALE)" },
  { name: "SANDBOX_TIME_SCALE", default: "10", description: "How many times faster the simulators' clock runs" },
  { name: "LOG_LEVEL", default: "info", description: "pino level: fatal, error, warn, info, debug, trace, silent" },
];

export interface AtripSettings {
  /** Undefined: use the embedded simulator. */
  baseUrl?: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
}

export interface Config {
  port: number;
  host: string;
  atrip: AtripSettings;
  supplierTimeoutMs: number;
  /** Undefined when unset: the default is derived (480000, divided by the time scale in sandbox). */
  stopCheckDelayMs?: number;
  sandboxTimeScale: number;
  logLevel: string;
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

type Env = Record<string, string | undefined>;

function read<T>(env: Env, name: string, schema: z.ZodType<T>): T | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const r = schema.safeParse(raw.trim());
  if (!r.success) throw new ConfigError(name, r.error.issues[0]?.message ?? "invalid value");
  return r.data;
}

const positiveInt = z.coerce.number({ message: "must be a number" }).int("must be a whole number").positive("must be positive");
const port = z.coerce.number({ message: "must be a number" }).int().min(0).max(65535, "must be a port number (0-65535)");
const httpUrl = z.url({ protocol: /^https?$/, message: "must be an http(s) URL" });
const text = z.string().min(1);

export function loadConfig(env: Env = process.env): Config {
  const supplierTimeoutMs = read(env, "SUPPLIER_TIMEOUT_MS", positiveInt) ?? 10_000;
  const atripBase = read(env, "ATRIP_BASE_URL", httpUrl);
  const atripId = read(env, "ATRIP_CLIENT_ID", text);
  const atripSecret = read(env, "ATRIP_CLIENT_SECRET", text);
  if (atripBase && !atripId) throw new ConfigError("ATRIP_CLIENT_ID", "is required when ATRIP_BASE_URL is set");
  if (atripBase && !atripSecret) throw new ConfigError("ATRIP_CLIENT_SECRET", "is required when ATRIP_BASE_URL is set");
  const scale = read(env, "SANDBOX_TIME_SCALE", z.coerce.number({ message: "must be a number" }).positive("must be positive")) ?? 10;
  const logLevel = read(env, "LOG_LEVEL", z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])) ?? "info";
  return {
    port: read(env, "PORT", port) ?? 4000,
    host: read(env, "HOST", text) ?? "0.0.0.0",
    atrip: {
      baseUrl: atripBase,
      clientId: atripId ?? "sandbox-client",
      clientSecret: atripSecret ?? "sandbox-secret",
      timeoutMs: read(env, "ATRIP_TIMEOUT_MS", positiveInt) ?? supplierTimeoutMs,
    },
    supplierTimeoutMs,
    stopCheckDelayMs: read(env, "STOP_CHECK_DELAY_MS", positiveInt),
    sandboxTimeScale: scale,
    logLevel,
  };
}

/** The --help text: every variable, its default and meaning. Secrets show no value. */
export function helpText(): string {
  const width = Math.max(...VARIABLES.map((v) => v.name.length));
  const lines = VARIABLES.map((v) => `  ${v.name.padEnd(width)}  ${(v.default ?? "(unset)").padEnd(10)}  ${v.description}`);
  return ["Usage: npm start [-- --help]", "", "Configuration (environment variables):", ...lines, ""].join("\n");
}
