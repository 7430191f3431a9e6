/** Credentials for tests that run the gateway with authentication on. */
export const KEYS = {
  acmeWrite: "acme-write-key-0123456789",
  acmeRead: "acme-read-key-0123456789",
  globexWrite: "globex-write-key-0123456789",
};

export const API_KEYS = JSON.stringify([
  { key: KEYS.acmeWrite, tenant: "acme", scopes: ["read", "write"] },
  { key: KEYS.acmeRead, tenant: "acme", scopes: ["read"] },
  { key: KEYS.globexWrite, tenant: "globex", scopes: ["read", "write"] },
]);

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
