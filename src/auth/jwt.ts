/**
 * Bearer JWTs (jose): HS256 with JWT_SECRET, or keys from JWT_JWKS_URL. exp (and nbf) are
 * always checked, with JWT_CLOCK_TOLERANCE_SECONDS of leeway (RFC 7519 §4.1.4-5 allow "some small
 * leeway"); iss and aud when configured. The tenant comes from JWT_TENANT_CLAIM, the
 * scopes from the `scope` claim ("read write" or an array).
 */
import type { JWTPayload, JWTVerifyGetKey } from "jose";
import { GatewayError } from "../vocabulary/errors.js";
import { FREEFORM_DOCUMENTS_SCOPE, TENANT_PATTERN, type Principal, type Scope } from "./principal.js";

/**
 * jose's codes of a key set it could not fetch or read (a timeout, an answer that is not 200 or
 * not a key set); a fetch that failed outright has no code. None says anything of the token.
 */
const KEYS_UNAVAILABLE = new Set(["ERR_JWKS_TIMEOUT", "ERR_JWKS_INVALID", "ERR_JOSE_GENERIC"]);

/** The answer while the key set cannot be had: the token may be good, so it is not refused as bad. */
function keysUnavailable(): GatewayError {
  return new GatewayError(
    "SERVICE_UNAVAILABLE",
    "The keys that sign bearer tokens (JWT_JWKS_URL) could not be fetched, so the token could not be checked; try again shortly",
    { retryable: true },
  );
}

export interface JwtSettings {
  secret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  tenantClaim: string;
  /** Leeway on exp and nbf, in seconds (0: none). */
  clockToleranceSeconds?: number;
}

/** The latest instant a Date can hold (year 275760); a later `exp` would be an invalid Date. */
const LATEST_DATE_MS = 8.64e15;

/**
 * When a token with this `exp` (seconds) expires. An absurdly far `exp` (e.g. 1e20) is capped
 * at the latest Date, so it means "far away" instead of NaN, which closed the socket at once
 * (hardening issue, item 5).
 */
export function expiryOf(exp: number): Date {
  return new Date(Math.min(exp * 1000, LATEST_DATE_MS));
}

/** A JWT that is not acceptable; the message says why, without the token. */
export class JwtRejected extends Error {}

export class JwtVerifier {
  /** jose and the key, loaded on first use: a gateway without JWTs never loads jose (issue 22). */
  private readonly loaded: Promise<{ jose: typeof import("jose"); key: Uint8Array | JWTVerifyGetKey }>;

  constructor(private readonly settings: JwtSettings) {
    if (!settings.jwksUrl && !settings.secret) throw new Error("JwtVerifier needs JWT_SECRET or JWT_JWKS_URL");
    this.loaded = import("jose").then((jose) => ({
      jose,
      key: settings.jwksUrl ? jose.createRemoteJWKSet(new URL(settings.jwksUrl)) : new TextEncoder().encode(settings.secret),
    }));
  }

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    const { jose, key } = await this.loaded;
    try {
      const opts = {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: this.settings.jwksUrl ? undefined : ["HS256"],
        requiredClaims: ["exp"],
        clockTolerance: this.settings.clockToleranceSeconds ?? 0,
      };
      ({ payload } = typeof key === "function" ? await jose.jwtVerify(token, key, opts) : await jose.jwtVerify(token, key, opts));
    } catch (err) {
      const given = (err as { code?: unknown }).code;
      if (this.settings.jwksUrl && (given === undefined || KEYS_UNAVAILABLE.has(String(given)))) throw keysUnavailable();
      const code = typeof given === "string" ? given : "ERR_JWT_INVALID";
      throw new JwtRejected(code === "ERR_JWT_EXPIRED" ? "the token has expired" : `the token is not valid (${code})`);
    }
    const tenant = payload[this.settings.tenantClaim];
    if (typeof tenant !== "string" || !TENANT_PATTERN.test(tenant))
      throw new JwtRejected(`the token has no valid "${this.settings.tenantClaim}" claim`);
    const raw = payload.scope;
    const list = Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(/\s+/) : [];
    const scopes = new Set(list.filter((s): s is Scope => s === "read" || s === "write"));
    const freeform = list.includes(FREEFORM_DOCUMENTS_SCOPE);
    return {
      tenant,
      scopes,
      via: "jwt",
      expiresAt: expiryOf((payload.exp as number) + (this.settings.clockToleranceSeconds ?? 0)),
      ...(freeform ? { freeformDocuments: true } : {}),
    };
  }
}
