/**
 * Configuration from environment variables (ARCHITECTURE.md "Configuration contract").
 * Every variable is declared once in VARIABLES, with its default and meaning; `--help`
 * prints that table, and a bad value stops start-up with a message naming the variable.
 */
import { z } from "zod";
import { TOP_SIGN_METHODS, type TopSignMethod } from "../datasources/alitrip/sign.js";
import { apiKeysSchema, type ApiKeyEntry } from "./auth/api-keys.js";
import type { JwtSettings } from "./auth/jwt.js";
import { DEFAULT_RESILIENCE, type ResilienceSettings } from "../datasources/resilience/index.js";
import { DEFAULT_LIMITS, type QueryLimits } from "./server/limits.js";

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
  { name: "ALITRIP_URL", description: "TOP router URL, e.g. https://eco.taobao.com/router/rest (unset: the embedded simulator)" },
  { name: "ALITRIP_APP_KEY", description: "TOP app_key (required with ALITRIP_URL)" },
  { name: "ALITRIP_APP_SECRET", description: "TOP app secret, signs every call (required with ALITRIP_URL)", secret: true },
  { name: "ALITRIP_SESSION", description: "TOP session (user authorisation token; required with ALITRIP_URL)", secret: true },
  { name: "ALITRIP_SIGN_METHOD", default: "md5", description: "md5, hmac or hmac-sha256" },
  { name: "ALITRIP_SUB_CHANNEL", description: "Default sub_channel (corporate id) when a cancelOrder input has none" },
  { name: "ALITRIP_TIMEOUT_MS", description: "Per-call timeout for Alitrip (default: SUPPLIER_TIMEOUT_MS)" },
  { name: "CTT_BASE_URL", description: "CTT web API base URL (unset: the embedded simulator)" },
  { name: "CTT_SIGN_KEY", description: "The HMAC key of the CTT signature (required with CTT_BASE_URL)", secret: true },
  { name: "CTT_TIMEOUT_MS", description: "Per-call timeout for CTT (default: SUPPLIER_TIMEOUT_MS)" },
  { name: "ATRIP_TRACE_PROPAGATION", default: "true", description: "With tracing on (OTEL_*), send ATRIP the W3C trace context (traceparent); false: no trace header" },
  { name: "ALITRIP_TRACE_PROPAGATION", default: "true", description: "With tracing on (OTEL_*), send Alitrip the W3C trace context (traceparent); false: no trace header" },
  { name: "CTT_TRACE_PROPAGATION", default: "true", description: "With tracing on (OTEL_*), send CTT the W3C trace context (traceparent); false: no trace header" },
  { name: "ATRIP_WEBHOOK_TOKEN", description: "Secret last path segment of /webhooks/atrip/<token> (default: random per start)", secret: true },
  { name: "WEBHOOK_PUBLIC_URL", description: "Public base URL of this gateway; when set, /webhooks/atrip/<token> is registered with ATRIP at start-up" },
  { name: "WEBHOOK_RATE_LIMIT", default: "5000", description: "Webhooks accepted per second from one address (more: 429)" },
  { name: "GRAPHQL_MAX_DEPTH", default: "10", description: "Deepest selection an operation may have" },
  { name: "GRAPHQL_MAX_ALIASES", default: "15", description: "Most aliases in one operation" },
  { name: "GRAPHQL_MAX_COST", default: "5000", description: "Highest cost of one operation (graphql-armor's cost model)" },
  { name: "GRAPHQL_MAX_BODY_BYTES", default: "102400", description: "Largest GraphQL request body (larger: 413) and largest websocket message (larger: closed with 1009)" },
  { name: "CORS_ORIGINS", description: "Comma-separated browser origins allowed to call /graphql (unset: any)" },
  { name: "NODE_ENV", description: "production: no field suggestions in errors (stack traces and internal messages are never shown)" },
  { name: "WEBHOOK_MAX_BYTES", default: "65536", description: "Largest webhook body accepted (larger: 413)" },
  { name: "DATABASE_URL", description: "postgres://… (unset: embedded PGlite in DATA_DIR)", secret: true },
  { name: "DATABASE_SCHEMA", default: "public", description: "PostgreSQL schema the gateway uses" },
  { name: "DATA_DIR", default: "./data", description: "Embedded store location" },
  { name: "REDIS_URL", description: "redis://… for pub/sub between instances (unset: in-process)", secret: true },
  { name: "REDIS_PREFIX", default: "gateway:", description: "Prefix of the gateway's Redis channels" },
  { name: "VOID_POLL_MIN_MS", default: "60000", description: "First poll interval of an open void (sandbox: divided by SANDBOX_TIME_SCALE)" },
  { name: "VOID_POLL_MAX_MS", default: "1800000", description: "Longest poll interval (sandbox: divided by SANDBOX_TIME_SCALE)" },
  { name: "VOID_POLL_WATCHED_MS", default: "10000", description: "Poll interval of a void someone is subscribed to (at most)" },
  { name: "SCHEDULER_TICK_MS", default: "1000", description: "How often the pollers look for due work" },
  { name: "WS_KEEPALIVE_MS", default: "25000", description: "Websocket keep-alive ping interval; a connection that stops answering is closed within twice this" },
  { name: "WS_CONNECTION_INIT_TIMEOUT_MS", default: "5000", description: "How long a websocket may take to send connection_init before it is closed (4408)" },
  { name: "HTTP_KEEPALIVE_TIMEOUT_MS", default: "65000", description: "Idle keep-alive HTTP connections are kept this long: above load balancers' idle timeouts (60 s is common)" },
  { name: "EVENT_CATCHUP_MS", default: "1000", description: "While anyone subscribes, each instance reads the event log at least this often (heals a lost pub/sub wake-up)" },
  { name: "LEASE_MS", default: "30000", description: "How long an instance holds a record it polls; a crashed instance's work moves after this" },
  { name: "API_KEYS", description: 'JSON list of API keys: [{"key": "…" or "keySha256": "…", "tenant": "acme", "scopes": ["read","write"]}]', secret: true },
  { name: "JWT_SECRET", description: "HS256 secret of bearer JWTs", secret: true },
  { name: "JWT_JWKS_URL", description: "JWKS URL of bearer JWTs (instead of JWT_SECRET)" },
  { name: "JWT_ISSUER", description: "Required iss of bearer JWTs" },
  { name: "JWT_AUDIENCE", description: "Required aud of bearer JWTs" },
  { name: "JWT_TENANT_CLAIM", default: "tenant", description: "JWT claim that names the tenant" },
  { name: "SUPPLIER_READ_RETRIES", default: "2", description: "Retries of read-only supplier calls on retryable failures (never for state-changing calls)" },
  { name: "SUPPLIER_MAX_CONCURRENCY", default: "64", description: "Calls in flight per supplier (more wait in a queue of 512)" },
  { name: "CIRCUIT_THRESHOLD", default: "5", description: "Consecutive transport failures that open a supplier's circuit" },
  { name: "CIRCUIT_HALF_OPEN_MS", default: "10000", description: "How long an open circuit waits before one probe call" },
  { name: "SUPPLIER_TIMEOUT_MS", default: "10000", description: "Deadline of one supplier call for every supplier: the reply read and any retries included" },
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
  /** Send the trace context (traceparent) with every call when tracing is on. */
  tracePropagation: boolean;
}

export interface AlitripSettings {
  /** Undefined: use the embedded simulator. */
  routerUrl?: string;
  appKey: string;
  appSecret: string;
  session: string;
  signMethod: TopSignMethod;
  defaultSubChannel?: string;
  timeoutMs: number;
  /** Send the trace context (traceparent) with every call when tracing is on. */
  tracePropagation: boolean;
}

export interface CttSettings {
  /** Undefined: use the embedded simulator. */
  baseUrl?: string;
  signKey: string;
  timeoutMs: number;
  /** Send the trace context (traceparent) with every call when tracing is on. */
  tracePropagation: boolean;
}

export interface Config {
  port: number;
  host: string;
  atrip: AtripSettings;
  alitrip: AlitripSettings;
  ctt: CttSettings;
  apiKeys?: ApiKeyEntry[];
  jwt?: JwtSettings;
  webhookToken?: string;
  webhookPublicUrl?: string;
  webhookMaxBytes: number;
  webhookRateLimit: number;
  limits: QueryLimits;
  maxBodyBytes: number;
  corsOrigins?: string[];
  production: boolean;
  databaseUrl?: string;
  databaseSchema: string;
  dataDir: string;
  redisUrl?: string;
  redisPrefix: string;
  /** Undefined when unset: derived (scaled in sandbox). */
  voidPollMinMs?: number;
  voidPollMaxMs?: number;
  voidPollWatchedMs: number;
  schedulerTickMs: number;
  leaseMs: number;
  eventCatchUpMs: number;
  wsKeepAliveMs: number;
  wsConnectionInitTimeoutMs: number;
  httpKeepAliveTimeoutMs: number;
  resilience: ResilienceSettings;
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
const bool = z.enum(["true", "false"], { message: "must be true or false" }).transform((v) => v === "true");

export function loadConfig(env: Env = process.env): Config {
  const supplierTimeoutMs = read(env, "SUPPLIER_TIMEOUT_MS", positiveInt) ?? 10_000;
  const atripBase = read(env, "ATRIP_BASE_URL", httpUrl);
  const atripId = read(env, "ATRIP_CLIENT_ID", text);
  const atripSecret = read(env, "ATRIP_CLIENT_SECRET", text);
  if (atripBase && !atripId) throw new ConfigError("ATRIP_CLIENT_ID", "is required when ATRIP_BASE_URL is set");
  if (atripBase && !atripSecret) throw new ConfigError("ATRIP_CLIENT_SECRET", "is required when ATRIP_BASE_URL is set");
  const aliUrl = read(env, "ALITRIP_URL", httpUrl);
  const aliKey = read(env, "ALITRIP_APP_KEY", text);
  const aliSecret = read(env, "ALITRIP_APP_SECRET", text);
  const aliSession = read(env, "ALITRIP_SESSION", text);
  if (aliUrl && !aliKey) throw new ConfigError("ALITRIP_APP_KEY", "is required when ALITRIP_URL is set");
  if (aliUrl && !aliSecret) throw new ConfigError("ALITRIP_APP_SECRET", "is required when ALITRIP_URL is set");
  if (aliUrl && !aliSession) throw new ConfigError("ALITRIP_SESSION", "is required when ALITRIP_URL is set");
  const signMethod = read(env, "ALITRIP_SIGN_METHOD", z.enum(TOP_SIGN_METHODS as [TopSignMethod, ...TopSignMethod[]], { message: "must be md5, hmac or hmac-sha256" })) ?? "md5";
  const cttUrl = read(env, "CTT_BASE_URL", httpUrl);
  const cttKey = read(env, "CTT_SIGN_KEY", text);
  if (cttUrl && !cttKey) throw new ConfigError("CTT_SIGN_KEY", "is required when CTT_BASE_URL is set");
  const apiKeysRaw = read(env, "API_KEYS", text);
  let apiKeys: ApiKeyEntry[] | undefined;
  if (apiKeysRaw !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(apiKeysRaw);
    } catch {
      throw new ConfigError("API_KEYS", "is not valid JSON");
    }
    const parsed = apiKeysSchema.safeParse(json);
    if (!parsed.success) throw new ConfigError("API_KEYS", parsed.error.issues[0]?.message ?? "invalid");
    apiKeys = parsed.data;
  }
  const jwtSecret = read(env, "JWT_SECRET", z.string().min(32, "must have at least 32 characters"));
  const jwksUrl = read(env, "JWT_JWKS_URL", httpUrl);
  if (jwtSecret && jwksUrl) throw new ConfigError("JWT_JWKS_URL", "set either JWT_SECRET or JWT_JWKS_URL, not both");
  const jwt: JwtSettings | undefined =
    jwtSecret || jwksUrl
      ? {
          secret: jwtSecret,
          jwksUrl,
          issuer: read(env, "JWT_ISSUER", text),
          audience: read(env, "JWT_AUDIENCE", text),
          tenantClaim: read(env, "JWT_TENANT_CLAIM", text) ?? "tenant",
        }
      : undefined;
  const pollMin = read(env, "VOID_POLL_MIN_MS", positiveInt);
  const pollMax = read(env, "VOID_POLL_MAX_MS", positiveInt);
  if (pollMin !== undefined && pollMax !== undefined && pollMin > pollMax) throw new ConfigError("VOID_POLL_MIN_MS", "must not exceed VOID_POLL_MAX_MS");
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
      tracePropagation: read(env, "ATRIP_TRACE_PROPAGATION", bool) ?? true,
    },
    alitrip: {
      routerUrl: aliUrl,
      appKey: aliKey ?? "sandbox-app-key",
      appSecret: aliSecret ?? "sandbox-app-secret",
      session: aliSession ?? "sandbox-session",
      signMethod,
      defaultSubChannel: read(env, "ALITRIP_SUB_CHANNEL", z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 letters, digits, '-' or '_'")),
      timeoutMs: read(env, "ALITRIP_TIMEOUT_MS", positiveInt) ?? supplierTimeoutMs,
      tracePropagation: read(env, "ALITRIP_TRACE_PROPAGATION", bool) ?? true,
    },
    ctt: {
      baseUrl: cttUrl,
      signKey: cttKey ?? "sandbox-sign-key",
      timeoutMs: read(env, "CTT_TIMEOUT_MS", positiveInt) ?? supplierTimeoutMs,
      tracePropagation: read(env, "CTT_TRACE_PROPAGATION", bool) ?? true,
    },
    apiKeys,
    jwt,
    webhookToken: read(env, "ATRIP_WEBHOOK_TOKEN", z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, "must be 16-128 letters, digits, '-' or '_'")),
    webhookPublicUrl: read(env, "WEBHOOK_PUBLIC_URL", httpUrl),
    webhookMaxBytes: read(env, "WEBHOOK_MAX_BYTES", positiveInt) ?? 65_536,
    webhookRateLimit: read(env, "WEBHOOK_RATE_LIMIT", positiveInt) ?? 5000,
    limits: {
      maxDepth: read(env, "GRAPHQL_MAX_DEPTH", positiveInt) ?? DEFAULT_LIMITS.maxDepth,
      maxAliases: read(env, "GRAPHQL_MAX_ALIASES", positiveInt) ?? DEFAULT_LIMITS.maxAliases,
      maxCost: read(env, "GRAPHQL_MAX_COST", positiveInt) ?? DEFAULT_LIMITS.maxCost,
    },
    maxBodyBytes: read(env, "GRAPHQL_MAX_BODY_BYTES", positiveInt) ?? 102_400,
    corsOrigins: read(env, "CORS_ORIGINS", z.string().transform((v) => v.split(",").map((o) => o.trim()).filter(Boolean)).pipe(z.array(httpUrl).min(1, "list at least one origin"))),
    production: env.NODE_ENV === "production",
    databaseUrl: read(env, "DATABASE_URL", z.url({ protocol: /^postgres(ql)?$/, message: "must be a postgres:// URL" })),
    databaseSchema: read(env, "DATABASE_SCHEMA", z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a lower-case SQL identifier")) ?? "public",
    dataDir: read(env, "DATA_DIR", text) ?? "./data",
    redisUrl: read(env, "REDIS_URL", z.url({ protocol: /^rediss?$/, message: "must be a redis:// URL" })),
    redisPrefix: read(env, "REDIS_PREFIX", text) ?? "gateway:",
    voidPollMinMs: pollMin,
    voidPollMaxMs: pollMax,
    voidPollWatchedMs: read(env, "VOID_POLL_WATCHED_MS", positiveInt) ?? 10_000,
    schedulerTickMs: read(env, "SCHEDULER_TICK_MS", positiveInt) ?? 1000,
    leaseMs: read(env, "LEASE_MS", positiveInt) ?? 30_000,
    eventCatchUpMs: read(env, "EVENT_CATCHUP_MS", positiveInt) ?? 1000,
    wsKeepAliveMs: read(env, "WS_KEEPALIVE_MS", positiveInt) ?? 25_000,
    wsConnectionInitTimeoutMs: read(env, "WS_CONNECTION_INIT_TIMEOUT_MS", positiveInt) ?? 5000,
    httpKeepAliveTimeoutMs: read(env, "HTTP_KEEPALIVE_TIMEOUT_MS", positiveInt) ?? 65_000,
    resilience: {
      ...DEFAULT_RESILIENCE,
      retry: { ...DEFAULT_RESILIENCE.retry, maxRetries: read(env, "SUPPLIER_READ_RETRIES", z.coerce.number().int().min(0).max(10)) ?? DEFAULT_RESILIENCE.retry.maxRetries },
      concurrency: read(env, "SUPPLIER_MAX_CONCURRENCY", positiveInt) ?? DEFAULT_RESILIENCE.concurrency,
      breaker: {
        threshold: read(env, "CIRCUIT_THRESHOLD", positiveInt) ?? DEFAULT_RESILIENCE.breaker.threshold,
        halfOpenAfterMs: read(env, "CIRCUIT_HALF_OPEN_MS", positiveInt) ?? DEFAULT_RESILIENCE.breaker.halfOpenAfterMs,
      },
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

/** True when every supplier is the embedded simulator. */
export function allSandbox(c: Config): boolean {
  return !c.atrip.baseUrl && !c.alitrip.routerUrl && !c.ctt.baseUrl;
}

/**
 * Anonymous access (tenant `demo`) only when no credentials are configured and every supplier
 * is a simulator; with a real supplier and no credentials the gateway must not start.
 */
export function allowsAnonymous(c: Config): boolean {
  const credentials = c.apiKeys !== undefined || c.jwt !== undefined;
  if (!credentials && !allSandbox(c)) {
    throw new ConfigError("API_KEYS", "a real supplier is configured, so callers must authenticate: set API_KEYS or JWT_SECRET / JWT_JWKS_URL (anonymous access is only for the simulators)");
  }
  return !credentials;
}
