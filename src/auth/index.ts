/**
 * Authentication: `Authorization: Bearer <api key or JWT>` over HTTP and
 * `{"authorization": "Bearer …"}` in the graphql-ws connection_init payload. Scopes: `read`
 * for queries and subscriptions, `write` for mutations. Anonymous callers (tenant `demo`)
 * only when no credentials are configured and every supplier is a simulator.
 */
import { GatewayError } from "../vocabulary/errors.js";
import { ApiKeys } from "./api-keys.js";
import { JwtRejected, JwtVerifier, type JwtSettings } from "./jwt.js";
import { ANONYMOUS, type Principal, type Scope } from "./principal.js";

export type { Principal, Scope } from "./principal.js";
export interface AuthSettings {
  apiKeys?: ApiKeys;
  jwt?: JwtSettings;
  /** True only when nothing is configured and every supplier is a simulator. */
  allowAnonymous: boolean;
}

export class Authenticator {
  private readonly jwt?: JwtVerifier;

  constructor(private readonly settings: AuthSettings) {
    if (settings.jwt) this.jwt = new JwtVerifier(settings.jwt);
  }

  get anonymousAllowed(): boolean {
    return this.settings.allowAnonymous;
  }

  /**
   * The principal behind an Authorization value. No value: anonymous when allowed, else null.
   * A value that is not a valid credential throws UNAUTHENTICATED.
   */
  async authenticate(authorization: unknown): Promise<Principal | null> {
    if (authorization === undefined || authorization === null || authorization === "")
      return this.settings.allowAnonymous ? ANONYMOUS : null;
    const m = typeof authorization === "string" ? /^Bearer\s+(\S+)$/i.exec(authorization.trim()) : null;
    if (!m) throw unauthenticated("use 'Authorization: Bearer <api key or JWT>'");
    const token = m[1];
    const byKey = this.settings.apiKeys?.lookup(token);
    if (byKey) return byKey;
    if (this.jwt && token.split(".").length === 3) {
      try {
        return await this.jwt.verify(token);
      } catch (err) {
        if (err instanceof JwtRejected) throw unauthenticated(err.message);
        throw err;
      }
    }
    throw unauthenticated("the credential is not valid");
  }
}

export function unauthenticated(why: string): GatewayError {
  return new GatewayError("UNAUTHENTICATED", `Not authenticated: ${why}`);
}

/** Throws UNAUTHENTICATED without a principal, FORBIDDEN without the scope. */
export function requireScope(principal: Principal | null, scope: Scope): Principal {
  if (!principal) throw unauthenticated("send 'Authorization: Bearer <api key or JWT>'");
  if (!principal.scopes.has(scope))
    throw new GatewayError("FORBIDDEN", `This credential lacks the '${scope}' scope`, { requiredScope: scope });
  return principal;
}
