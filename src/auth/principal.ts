/** Who is calling: a tenant and what it may do. */
export type Scope = "read" | "write";

export interface Principal {
  tenant: string;
  scopes: ReadonlySet<Scope>;
  /** When the credential stops being valid (JWT exp); undefined for API keys. */
  expiresAt?: Date;
  /** How the caller authenticated, for logs (never the credential itself). */
  via: "api-key" | "jwt" | "anonymous";
  /**
   * The credential carries the `documents:any` scope: free-form documents are accepted from it
   * even when trusted documents are in safelist mode (Apollo Sandbox, internal tools).
   */
  freeformDocuments?: boolean;
}

/** The scope that allows free-form documents in safelist mode (src/trusted-documents). */
export const FREEFORM_DOCUMENTS_SCOPE = "documents:any";

/** Tenants become parts of pub/sub topics and keys: the same rule as other identifiers. */
export const TENANT_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The tenant of anonymous callers, allowed only when every supplier is a simulator. */
export const ANONYMOUS: Principal = { tenant: "demo", scopes: new Set(["read", "write"]), via: "anonymous" };
