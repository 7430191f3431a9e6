/** Tenants' own supplier accounts (hardening issue, item 4): credentials naming one account are one account. */
import { describe, expect, it } from "vitest";
import type { SupplierAdapter } from "../../datasources/ports.js";
import { buildTenantAccounts, type AccountBuilder } from "../../src/tenancy/accounts.js";

const fake = (name: string) => ({ name }) as unknown as SupplierAdapter;
function builder<C>(key: (c: C) => string, sharedKey: string): AccountBuilder<C> & { built: C[] } {
  const built: C[] = [];
  return { key, sharedKey, built, build: (c) => (built.push(c), fake(key(c))) };
}

describe("tenant accounts", () => {
  it("one account per credentials; the gateway's credentials are its shared account; a group of tenants shares one", () => {
    const atrip = builder((c: { clientId: string; clientSecret: string }) => c.clientId, "gateway-client");
    const alitrip = builder((c: { appKey: string; appSecret: string; session: string }) => `${c.appKey}/${c.session}`, "gw-app/gw-session");
    const ctt = builder((c: { signKey: string }) => c.signKey, "gw-key");
    const out = buildTenantAccounts(
      {
        acme: { ATRIP: { clientId: "acme", clientSecret: "s1" }, CTT: { signKey: "k1" } },
        beta: { ATRIP: { clientId: "acme", clientSecret: "s1" } },
        gamma: { ATRIP: { clientId: "gateway-client", clientSecret: "x" }, ALITRIP: { appKey: "g", appSecret: "s", session: "z" } },
      },
      { ATRIP: atrip, ALITRIP: alitrip, CTT: ctt },
    );
    expect(out.get("acme")?.get("ATRIP")?.account).toEqual({ id: "own:acme", exclusive: false });
    expect(out.get("beta")?.get("ATRIP")?.account).toEqual({ id: "own:acme", exclusive: false });
    expect(out.get("acme")?.get("CTT")?.account).toEqual({ id: "own:acme", exclusive: true });
    // gamma's ATRIP credentials are the gateway's own: it stays on the shared account.
    expect(out.get("gamma")?.has("ATRIP")).toBe(false);
    expect(out.get("gamma")?.get("ALITRIP")?.account).toEqual({ id: "own:gamma", exclusive: true });
    expect(atrip.built).toHaveLength(2);
  });
});
