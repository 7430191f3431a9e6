/**
 * Configuration from environment variables (docs/architecture.md "Configuration contract").
 * Every variable is one row (src/config-kit.ts): the gateway's own rows are here, each
 * supplier's in its descriptor (datasources/<name>/descriptor.ts). The rows parse (a default
 * is written once, in its row, and parsed like a given value), print in `--help`, write
 * `.env.example`, and a test checks docs/configuration.md's table against them. A bad value stops
 * start-up with a message naming the variable.
 */
import { z } from "zod";
import { DEFAULT_RESILIENCE, type ResilienceSettings } from "../datasources/resilience/index.js";
import type { SupplierDescriptor, SupplierSettings } from "../datasources/supplier.js";
import { SUPPLIERS } from "../datasources/suppliers.js";
import { apiKeysSchema, type ApiKeyEntry } from "./auth/api-keys.js";
import type { JwtSettings } from "./auth/jwt.js";
import { bool, ConfigError, httpUrl, isSet, port, positiveInt, read, text, variable, type Env, type VariableSpec } from "./config-kit.js";
import { DEFAULT_LIMITS, type QueryLimits } from "./server/limits.js";
import type { TrustedDocumentsPolicy } from "./server/trusted-documents.js";
import { TRUSTED_DOCUMENTS_MODES, type TrustedDocumentsMode } from "./trusted-documents/decide.js";
import { ManifestError, TrustedDocuments } from "./trusted-documents/manifest.js";
import { readTenantAccounts, type TenantAccountsConfig } from "./tenancy/accounts-config.js";
import { TRACKED_KINDS, type AnyKind } from "./tracking/kinds/index.js";
import { readPollPolicy, type PollPolicy } from "./tracking/schedule.js";

export { ConfigError };
export type { VariableSpec };

const ms = positiveInt;
const commaList = z.string().transform((v) =>
  v
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean),
);

/** The gateway's own variables, one row each. */
export const V = {
  PORT: variable({ name: "PORT", default: "4000", schema: port, description: "HTTP port of /graphql, /webhooks/…, /healthz" }),
  HOST: variable({ name: "HOST", default: "0.0.0.0", schema: text, description: "Interface to listen on" }),
  WEBHOOK_PUBLIC_URL: variable({
    name: "WEBHOOK_PUBLIC_URL",
    schema: httpUrl,
    description:
      "Public base URL of this gateway; when set, each supplier's /webhooks/<supplier>/<token> is registered with it at start-up",
  }),
  WEBHOOK_RATE_LIMIT: variable({
    name: "WEBHOOK_RATE_LIMIT",
    default: "5000",
    schema: positiveInt,
    description: "Webhooks accepted per second from one address (more: 429)",
  }),
  WEBHOOK_MAX_BYTES: variable({
    name: "WEBHOOK_MAX_BYTES",
    default: "65536",
    schema: positiveInt,
    description: "Largest webhook body accepted (larger: 413)",
  }),
  GRAPHQL_MAX_DEPTH: variable({
    name: "GRAPHQL_MAX_DEPTH",
    default: String(DEFAULT_LIMITS.maxDepth),
    schema: positiveInt,
    description: "Deepest selection an operation may have",
  }),
  GRAPHQL_MAX_ALIASES: variable({
    name: "GRAPHQL_MAX_ALIASES",
    default: String(DEFAULT_LIMITS.maxAliases),
    schema: positiveInt,
    description: "Most aliases in one operation",
  }),
  GRAPHQL_MAX_COST: variable({
    name: "GRAPHQL_MAX_COST",
    default: String(DEFAULT_LIMITS.maxCost),
    schema: positiveInt,
    description: "Highest cost of one operation (graphql-armor's cost model)",
  }),
  GRAPHQL_MAX_BODY_BYTES: variable({
    name: "GRAPHQL_MAX_BODY_BYTES",
    default: "102400",
    schema: positiveInt,
    description: "Largest GraphQL request body (larger: 413) and largest websocket message (larger: closed with 1009)",
  }),
  TRUSTED_DOCUMENTS: variable({
    name: "TRUSTED_DOCUMENTS",
    schema: commaList,
    description: "Comma-separated paths of operation manifests (Apollo persisted query manifest format), one per app release in use",
  }),
  TRUSTED_DOCUMENTS_MODE: variable({
    name: "TRUSTED_DOCUMENTS_MODE",
    default: "allow",
    schema: z.enum(TRUSTED_DOCUMENTS_MODES as unknown as [TrustedDocumentsMode, ...TrustedDocumentsMode[]], {
      message: "must be off, allow or safelist",
    }),
    description:
      "off, allow (manifest ids resolve; other documents and APQ too) or safelist (only manifest documents, except for credentials with the documents:any scope)",
  }),
  FEDERATION_SUBGRAPH: variable({
    name: "FEDERATION_SUBGRAPH",
    default: "false",
    schema: bool,
    description: "true: serve the schema as an Apollo Federation 2 subgraph (_service, _entities, @key)",
  }),
  CORS_ORIGINS: variable({
    name: "CORS_ORIGINS",
    schema: commaList.pipe(z.array(httpUrl).min(1, "list at least one origin")),
    description: "Comma-separated browser origins allowed to call /graphql (unset: any)",
  }),
  NODE_ENV: variable({
    name: "NODE_ENV",
    schema: z.string(),
    description: "production: no field suggestions in errors (stack traces and internal messages are never shown)",
  }),
  DATABASE_URL: variable({
    name: "DATABASE_URL",
    schema: z.url({ protocol: /^postgres(ql)?$/, message: "must be a postgres:// URL" }),
    secret: true,
    description: "postgres://… (unset: embedded PGlite in DATA_DIR)",
  }),
  DATABASE_SCHEMA: variable({
    name: "DATABASE_SCHEMA",
    default: "public",
    schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a lower-case SQL identifier"),
    description: "PostgreSQL schema the gateway uses",
  }),
  DATA_DIR: variable({ name: "DATA_DIR", default: "./data", schema: text, description: "Embedded store location" }),
  REDIS_URL: variable({
    name: "REDIS_URL",
    schema: z.url({ protocol: /^rediss?$/, message: "must be a redis:// URL" }),
    secret: true,
    description: "redis://… for pub/sub between instances (unset: in-process)",
  }),
  REDIS_PREFIX: variable({
    name: "REDIS_PREFIX",
    default: "gateway:",
    schema: text,
    description: "Prefix of the gateway's Redis channels",
  }),
  SCHEDULER_TICK_MS: variable({
    name: "SCHEDULER_TICK_MS",
    default: "1000",
    schema: ms,
    description: "How often the pollers look for due work",
  }),
  WS_KEEPALIVE_MS: variable({
    name: "WS_KEEPALIVE_MS",
    default: "25000",
    schema: ms,
    description: "Websocket keep-alive ping interval; a connection that stops answering is closed within twice this",
  }),
  WS_CONNECTION_INIT_TIMEOUT_MS: variable({
    name: "WS_CONNECTION_INIT_TIMEOUT_MS",
    default: "5000",
    schema: ms,
    description: "How long a websocket may take to send connection_init before it is closed (4408)",
  }),
  HTTP_KEEPALIVE_TIMEOUT_MS: variable({
    name: "HTTP_KEEPALIVE_TIMEOUT_MS",
    default: "65000",
    schema: ms,
    description: "Idle keep-alive HTTP connections are kept this long: above load balancers' idle timeouts (60 s is common)",
  }),
  EVENT_CATCHUP_MS: variable({
    name: "EVENT_CATCHUP_MS",
    default: "1000",
    schema: ms,
    description: "While anyone subscribes, each instance reads the event log at least this often (heals a lost pub/sub wake-up)",
  }),
  LEASE_MS: variable({
    name: "LEASE_MS",
    default: "30000",
    schema: ms,
    description: "How long an instance holds a record it polls; a crashed instance's work moves after this",
  }),
  API_KEYS: variable({
    name: "API_KEYS",
    schema: text,
    secret: true,
    description:
      'JSON list of API keys: [{"key": "…" or "keySha256": "…", "tenant": "acme", "scopes": ["read","write"]}] (scope "documents:any": free-form documents under a safelist)',
  }),
  JWT_SECRET: variable({
    name: "JWT_SECRET",
    schema: z.string().min(32, "must have at least 32 characters"),
    secret: true,
    description: "HS256 secret of bearer JWTs",
  }),
  JWT_JWKS_URL: variable({ name: "JWT_JWKS_URL", schema: httpUrl, description: "JWKS URL of bearer JWTs (instead of JWT_SECRET)" }),
  JWT_ISSUER: variable({ name: "JWT_ISSUER", schema: text, description: "Required iss of bearer JWTs" }),
  JWT_AUDIENCE: variable({ name: "JWT_AUDIENCE", schema: text, description: "Required aud of bearer JWTs" }),
  JWT_TENANT_CLAIM: variable({ name: "JWT_TENANT_CLAIM", default: "tenant", schema: text, description: "JWT claim that names the tenant" }),
  TENANT_SUPPLIER_ACCOUNTS: variable({
    name: "TENANT_SUPPLIER_ACCOUNTS",
    schema: text,
    secret: true,
    description:
      'Tenants\' own supplier accounts, JSON: {"<tenant>": {"<SUPPLIER>": {<that supplier\'s credentials>}}} (unset: every tenant shares the gateway\'s accounts)',
  }),
  TENANT_SUPPLIER_ACCOUNTS_FILE: variable({
    name: "TENANT_SUPPLIER_ACCOUNTS_FILE",
    schema: text,
    secret: true,
    description: "A file holding TENANT_SUPPLIER_ACCOUNTS's JSON (instead of the variable)",
  }),
  MAX_SUBSCRIPTIONS_PER_CONNECTION: variable({
    name: "MAX_SUBSCRIPTIONS_PER_CONNECTION",
    default: "100",
    schema: positiveInt,
    description: "Subscriptions one websocket may have open (more: TOO_MANY_SUBSCRIPTIONS)",
  }),
  MAX_SUBSCRIPTIONS_PER_TENANT: variable({
    name: "MAX_SUBSCRIPTIONS_PER_TENANT",
    default: "20000",
    schema: positiveInt,
    description: "Subscriptions one tenant may have open on one instance (more: TOO_MANY_SUBSCRIPTIONS)",
  }),
  SUPPLIER_READ_RETRIES: variable({
    name: "SUPPLIER_READ_RETRIES",
    default: String(DEFAULT_RESILIENCE.retry.maxRetries),
    schema: z.coerce.number({ message: "must be a number" }).int().min(0).max(10),
    description: "Retries of read-only supplier calls on retryable failures (never for state-changing calls)",
  }),
  SUPPLIER_MAX_CONCURRENCY: variable({
    name: "SUPPLIER_MAX_CONCURRENCY",
    default: String(DEFAULT_RESILIENCE.concurrency),
    schema: positiveInt,
    description: `Calls in flight per supplier, shared fairly between tenants (each tenant may have ${DEFAULT_RESILIENCE.queue} more waiting)`,
  }),
  CIRCUIT_THRESHOLD: variable({
    name: "CIRCUIT_THRESHOLD",
    default: String(DEFAULT_RESILIENCE.breaker.threshold),
    schema: positiveInt,
    description: "Consecutive transport failures that open a supplier's circuit",
  }),
  CIRCUIT_HALF_OPEN_MS: variable({
    name: "CIRCUIT_HALF_OPEN_MS",
    default: String(DEFAULT_RESILIENCE.breaker.halfOpenAfterMs),
    schema: ms,
    description: "How long an open circuit waits before one probe call",
  }),
  SUPPLIER_TIMEOUT_MS: variable({
    name: "SUPPLIER_TIMEOUT_MS",
    default: "10000",
    schema: ms,
    description: "Deadline of one supplier call for every supplier: the reply read and any retries included",
  }),
  STOP_CHECK_DELAY_MS: variable({
    name: "STOP_CHECK_DELAY_MS",
    schema: ms,
    description:
      "When a stop request is first checked, its checkAfter (unset: each supplier's documented delay, in sandbox divided by SANDBOX_TIME_SCALE); STOP_POLL_* after that",
  }),
  SANDBOX_TIME_SCALE: variable({
    name: "SANDBOX_TIME_SCALE",
    default: "10",
    schema: z.coerce.number({ message: "must be a number" }).positive("must be positive"),
    description: "How many times faster the simulators' clock runs",
  }),
  LOG_LEVEL: variable({
    name: "LOG_LEVEL",
    default: "info",
    schema: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
    description: "pino level: fatal, error, warn, info, debug, trace, silent",
  }),
} as const;

/**
 * A supplier's switch for sending it the trace context (tracing, issue 16): one row per
 * supplier in the list, `<SUPPLIER>_TRACE_PROPAGATION`.
 */
function tracePropagationVariable(supplier: string) {
  return variable({
    name: `${supplier}_TRACE_PROPAGATION`,
    default: "true",
    schema: bool,
    description: `With tracing on (OTEL_*), send ${supplier} the W3C trace context (traceparent); false: no trace header`,
  });
}

/** Every variable: the gateway's, each tracked kind's schedule, then each supplier's (its own and its trace switch). */
function variables(suppliers: readonly SupplierDescriptor[] = SUPPLIERS, kinds: readonly AnyKind[] = TRACKED_KINDS): VariableSpec[] {
  return [
    ...Object.values(V),
    ...kinds.flatMap((k) => Object.values(k.poll)),
    ...suppliers.flatMap((s) => [...s.variables, tracePropagationVariable(s.name)]),
  ];
}

/** Every variable of the gateway and its suppliers (the wiring list's). */
export const VARIABLES: VariableSpec[] = variables();

export interface Config {
  port: number;
  host: string;
  /** Each supplier's settings, by name (its descriptor reads them). */
  suppliers: Record<string, SupplierSettings<unknown>>;
  /** Suppliers that must not be sent the trace context (<SUPPLIER>_TRACE_PROPAGATION=false). */
  noTracePropagation: ReadonlySet<string>;
  apiKeys?: ApiKeyEntry[];
  jwt?: JwtSettings;
  /** Tenants' own supplier accounts (TENANT_SUPPLIER_ACCOUNTS[_FILE]); undefined: all share the gateway's. */
  tenantAccounts?: TenantAccountsConfig;
  maxSubscriptionsPerConnection: number;
  maxSubscriptionsPerTenant: number;
  webhookPublicUrl?: string;
  webhookMaxBytes: number;
  webhookRateLimit: number;
  limits: QueryLimits;
  maxBodyBytes: number;
  corsOrigins?: string[];
  /** Undefined: no manifests loaded (or TRUSTED_DOCUMENTS_MODE=off). */
  trustedDocuments?: TrustedDocumentsPolicy;
  /** Serve the schema as an Apollo Federation 2 subgraph. */
  federationSubgraph: boolean;
  production: boolean;
  databaseUrl?: string;
  databaseSchema: string;
  dataDir: string;
  redisUrl?: string;
  redisPrefix: string;
  /** Each tracked kind's poll intervals, by kind name; in sandbox divided by the time scale unless the variable was set. */
  polls: Record<string, PollPolicy>;
  schedulerTickMs: number;
  leaseMs: number;
  eventCatchUpMs: number;
  wsKeepAliveMs: number;
  wsConnectionInitTimeoutMs: number;
  httpKeepAliveTimeoutMs: number;
  resilience: ResilienceSettings;
  supplierTimeoutMs: number;
  /** Undefined when unset: each supplier's documented delay. */
  stopCheckDelayMs?: number;
  sandboxTimeScale: number;
  logLevel: string;
  /** The variables the environment set (the rest have their defaults). */
  given: ReadonlySet<string>;
}

export function loadConfig(
  env: Env = process.env,
  suppliers: readonly SupplierDescriptor[] = SUPPLIERS,
  kinds: readonly AnyKind[] = TRACKED_KINDS,
): Config {
  const supplierTimeoutMs = read(env, V.SUPPLIER_TIMEOUT_MS);
  const apiKeysRaw = read(env, V.API_KEYS);
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
  const jwtSecret = read(env, V.JWT_SECRET);
  const jwksUrl = read(env, V.JWT_JWKS_URL);
  if (jwtSecret && jwksUrl) throw new ConfigError("JWT_JWKS_URL", "set either JWT_SECRET or JWT_JWKS_URL, not both");
  const jwt: JwtSettings | undefined =
    jwtSecret || jwksUrl
      ? {
          secret: jwtSecret,
          jwksUrl,
          issuer: read(env, V.JWT_ISSUER),
          audience: read(env, V.JWT_AUDIENCE),
          tenantClaim: read(env, V.JWT_TENANT_CLAIM),
        }
      : undefined;
  const tenantAccounts = readTenantAccounts(read(env, V.TENANT_SUPPLIER_ACCOUNTS), read(env, V.TENANT_SUPPLIER_ACCOUNTS_FILE), suppliers);
  return {
    port: read(env, V.PORT),
    host: read(env, V.HOST),
    suppliers: Object.fromEntries(suppliers.map((s) => [s.name, s.readSettings(env, { timeoutMs: supplierTimeoutMs })])),
    noTracePropagation: new Set(suppliers.filter((s) => !read(env, tracePropagationVariable(s.name))).map((s) => s.name)),
    apiKeys,
    jwt,
    tenantAccounts,
    maxSubscriptionsPerConnection: read(env, V.MAX_SUBSCRIPTIONS_PER_CONNECTION),
    maxSubscriptionsPerTenant: read(env, V.MAX_SUBSCRIPTIONS_PER_TENANT),
    webhookPublicUrl: read(env, V.WEBHOOK_PUBLIC_URL),
    webhookMaxBytes: read(env, V.WEBHOOK_MAX_BYTES),
    webhookRateLimit: read(env, V.WEBHOOK_RATE_LIMIT),
    limits: {
      maxDepth: read(env, V.GRAPHQL_MAX_DEPTH),
      maxAliases: read(env, V.GRAPHQL_MAX_ALIASES),
      maxCost: read(env, V.GRAPHQL_MAX_COST),
    },
    maxBodyBytes: read(env, V.GRAPHQL_MAX_BODY_BYTES),
    corsOrigins: read(env, V.CORS_ORIGINS),
    trustedDocuments: readTrustedDocuments(env),
    federationSubgraph: read(env, V.FEDERATION_SUBGRAPH),
    production: env.NODE_ENV === "production",
    databaseUrl: read(env, V.DATABASE_URL),
    databaseSchema: read(env, V.DATABASE_SCHEMA),
    dataDir: read(env, V.DATA_DIR),
    redisUrl: read(env, V.REDIS_URL),
    redisPrefix: read(env, V.REDIS_PREFIX),
    polls: Object.fromEntries(kinds.map((k) => [k.name, readPollPolicy(env, k.poll)])),
    schedulerTickMs: read(env, V.SCHEDULER_TICK_MS),
    leaseMs: read(env, V.LEASE_MS),
    eventCatchUpMs: read(env, V.EVENT_CATCHUP_MS),
    wsKeepAliveMs: read(env, V.WS_KEEPALIVE_MS),
    wsConnectionInitTimeoutMs: read(env, V.WS_CONNECTION_INIT_TIMEOUT_MS),
    httpKeepAliveTimeoutMs: read(env, V.HTTP_KEEPALIVE_TIMEOUT_MS),
    resilience: {
      ...DEFAULT_RESILIENCE,
      retry: { ...DEFAULT_RESILIENCE.retry, maxRetries: read(env, V.SUPPLIER_READ_RETRIES) },
      concurrency: read(env, V.SUPPLIER_MAX_CONCURRENCY),
      breaker: { threshold: read(env, V.CIRCUIT_THRESHOLD), halfOpenAfterMs: read(env, V.CIRCUIT_HALF_OPEN_MS) },
    },
    supplierTimeoutMs,
    stopCheckDelayMs: read(env, V.STOP_CHECK_DELAY_MS),
    sandboxTimeScale: read(env, V.SANDBOX_TIME_SCALE),
    logLevel: read(env, V.LOG_LEVEL),
    given: new Set(
      variables(suppliers, kinds)
        .filter((v) => isSet(env, v))
        .map((v) => v.name),
    ),
  };
}

/** Loads TRUSTED_DOCUMENTS' manifests for TRUSTED_DOCUMENTS_MODE; a bad manifest names its file. */
function readTrustedDocuments(env: Env): TrustedDocumentsPolicy | undefined {
  const mode = read(env, V.TRUSTED_DOCUMENTS_MODE);
  const paths = read(env, V.TRUSTED_DOCUMENTS);
  if (mode === "safelist" && !paths?.length)
    throw new ConfigError("TRUSTED_DOCUMENTS", "safelist mode needs at least one operation manifest");
  if (mode === "off" || !paths?.length) return undefined;
  try {
    return { mode, documents: TrustedDocuments.load(paths) };
  } catch (err) {
    if (err instanceof ManifestError) throw new ConfigError("TRUSTED_DOCUMENTS", err.message);
    throw err;
  }
}

/** The --help text: every variable, its default and meaning. Secrets show no value. */
export function helpText(suppliers: readonly SupplierDescriptor[] = SUPPLIERS, kinds: readonly AnyKind[] = TRACKED_KINDS): string {
  const all = variables(suppliers, kinds);
  const width = Math.max(...all.map((v) => v.name.length));
  const lines = all.map((v) => `  ${v.name.padEnd(width)}  ${(v.default ?? "(unset)").padEnd(10)}  ${v.description}`);
  return ["Usage: npm start [-- --help]", "", "Configuration (environment variables):", ...lines, ""].join("\n");
}

/** True when every supplier is the embedded simulator. */
function allSandbox(c: Config): boolean {
  return Object.values(c.suppliers).every((s) => s.url === undefined);
}

/**
 * Anonymous access (tenant `demo`) only when no credentials are configured and every supplier
 * is a simulator; with a real supplier and no credentials the gateway must not start.
 */
export function allowsAnonymous(c: Config): boolean {
  const credentials = c.apiKeys !== undefined || c.jwt !== undefined;
  if (!credentials && !allSandbox(c)) {
    throw new ConfigError(
      "API_KEYS",
      "a real supplier is configured, so callers must authenticate: set API_KEYS or JWT_SECRET / JWT_JWKS_URL (anonymous access is only for the simulators)",
    );
  }
  return !credentials;
}
