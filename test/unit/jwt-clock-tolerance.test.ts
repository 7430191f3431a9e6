/** JWT_CLOCK_TOLERANCE_SECONDS: leeway on a bearer JWT's exp and nbf, and the socket expiry it implies. */
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { JwtRejected, JwtVerifier } from "../../src/auth/jwt.js";
import { loadConfig } from "../../src/config/index.js";

const SECRET = "jwt-secret-for-tests-0123456789abcdef";
const now = () => Math.floor(Date.now() / 1000);

function token(claims: { exp: number; nbf?: number }): Promise<string> {
  const jwt = new SignJWT({ tenant: "initech", scope: "read" }).setProtectedHeader({ alg: "HS256" }).setExpirationTime(claims.exp);
  if (claims.nbf !== undefined) jwt.setNotBefore(claims.nbf);
  return jwt.sign(new TextEncoder().encode(SECRET));
}

const verifier = (clockToleranceSeconds?: number) => new JwtVerifier({ secret: SECRET, tenantClaim: "tenant", clockToleranceSeconds });

describe("JWT clock tolerance", () => {
  it("without it, a token not yet valid or just expired is refused", async () => {
    await expect(verifier().verify(await token({ exp: now() + 600, nbf: now() + 10 }))).rejects.toBeInstanceOf(JwtRejected);
    await expect(verifier(0).verify(await token({ exp: now() - 10 }))).rejects.toThrow("the token has expired");
  });

  it("with 30 s, an issuer's clock 10 s ahead or behind is accepted, and the socket expiry moves with it", async () => {
    const early = await verifier(30).verify(await token({ exp: now() + 600, nbf: now() + 10 }));
    expect(early.tenant).toBe("initech");
    const exp = now() - 10;
    const late = await verifier(30).verify(await token({ exp }));
    expect(late.expiresAt?.getTime()).toBe((exp + 30) * 1000);
  });

  it("with 30 s, a token expired a minute ago or valid only in a minute is still refused", async () => {
    await expect(verifier(30).verify(await token({ exp: now() - 60 }))).rejects.toThrow("the token has expired");
    await expect(verifier(30).verify(await token({ exp: now() + 600, nbf: now() + 60 }))).rejects.toBeInstanceOf(JwtRejected);
  });

  it("JWT_CLOCK_TOLERANCE_SECONDS is read, 0 by default, and bounded", () => {
    const base = { JWT_SECRET: SECRET };
    expect(loadConfig(base).auth.jwt?.clockToleranceSeconds).toBe(0);
    expect(loadConfig({ ...base, JWT_CLOCK_TOLERANCE_SECONDS: "30" }).auth.jwt?.clockToleranceSeconds).toBe(30);
    expect(() => loadConfig({ ...base, JWT_CLOCK_TOLERANCE_SECONDS: "301" })).toThrow(/JWT_CLOCK_TOLERANCE_SECONDS.*at most 300/);
    expect(() => loadConfig({ ...base, JWT_CLOCK_TOLERANCE_SECONDS: "-1" })).toThrow(/JWT_CLOCK_TOLERANCE_SECONDS/);
  });
});
