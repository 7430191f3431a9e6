/**
 * Who may call the gateway (API keys, JWTs) and tenants' own supplier accounts (issue 21, item 4).
 * API_KEYS is parsed and checked here; a tenant's accounts are checked against the suppliers'
 * own credential schemas where the configuration is assembled (./index.ts).
 */
import { z } from "zod";
import { apiKeysSchema, type ApiKeyEntry } from "../auth/api-keys.js";
import type { JwtSettings } from "../auth/jwt.js";
import { ConfigError, concern, httpUrl, text, variable } from "../config-kit.js";
import { parseJsonSetting } from "./json-setting.js";

export const AUTH = concern(
  {
    apiKeys: variable({
      name: "API_KEYS",
      schema: text,
      secret: true,
      description:
        'JSON list of API keys: [{"key": "…" (at least 16 characters) or "keySha256": "…" (its SHA-256, 64 hex digits), "tenant": "acme", "scopes": ["read","write"]}] (scope "documents:any": free-form documents under a safelist); each key once, no other fields',
    }),
    jwtSecret: variable({
      name: "JWT_SECRET",
      schema: z.string().min(32, "must have at least 32 characters"),
      secret: true,
      description: "HS256 secret of bearer JWTs",
    }),
    jwksUrl: variable({ name: "JWT_JWKS_URL", schema: httpUrl, description: "JWKS URL of bearer JWTs (instead of JWT_SECRET)" }),
    issuer: variable({ name: "JWT_ISSUER", schema: text, description: "Required iss of bearer JWTs" }),
    audience: variable({ name: "JWT_AUDIENCE", schema: text, description: "Required aud of bearer JWTs" }),
    tenantClaim: variable({ name: "JWT_TENANT_CLAIM", default: "tenant", schema: text, description: "JWT claim that names the tenant" }),
    clockToleranceSeconds: variable({
      name: "JWT_CLOCK_TOLERANCE_SECONDS",
      default: "0",
      schema: z.coerce
        .number({ message: "must be a number" })
        .int("must be a whole number")
        .min(0, "must be 0 or more")
        .max(300, "must be at most 300 (5 minutes)"),
      description:
        "Seconds of clock difference allowed when checking a bearer JWT's exp and nbf (the issuer's clock against the gateway's); a socket's or stream's token then expires that much later too",
    }),
  },
  (v): { apiKeys?: ApiKeyEntry[]; jwt?: JwtSettings } => {
    if (v.jwtSecret && v.jwksUrl) throw new ConfigError("JWT_JWKS_URL", "set either JWT_SECRET or JWT_JWKS_URL, not both");
    const jwt =
      v.jwtSecret || v.jwksUrl
        ? {
            secret: v.jwtSecret,
            jwksUrl: v.jwksUrl,
            issuer: v.issuer,
            audience: v.audience,
            tenantClaim: v.tenantClaim,
            clockToleranceSeconds: v.clockToleranceSeconds,
          }
        : undefined;
    return { apiKeys: v.apiKeys === undefined ? undefined : parseApiKeys(v.apiKeys), jwt };
  },
);

function parseApiKeys(raw: string): ApiKeyEntry[] {
  const parsed = apiKeysSchema.safeParse(parseJsonSetting("API_KEYS", raw));
  if (!parsed.success) {
    // Which entry and field, as the other JSON settings say it (a key's value is never quoted).
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `entry ${issue.path.join(".")}: ` : "";
    throw new ConfigError("API_KEYS", `${where}${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

/** Tenants' own supplier accounts, as given (checked against each supplier's credential schema in ./index.ts). */
export const TENANT_ACCOUNTS = concern({
  json: variable({
    name: "TENANT_SUPPLIER_ACCOUNTS",
    schema: text,
    secret: true,
    description:
      'Tenants\' own supplier accounts, JSON: {"<tenant>": {"<SUPPLIER>": {<that supplier\'s credentials>}}} (unset: every tenant shares the gateway\'s accounts)',
  }),
  file: variable({
    name: "TENANT_SUPPLIER_ACCOUNTS_FILE",
    schema: text,
    secret: true,
    description: "A file holding TENANT_SUPPLIER_ACCOUNTS's JSON (instead of the variable)",
  }),
});
