import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { allowsAnonymous, ConfigError, helpText, loadConfig, VARIABLES } from "../../src/config.js";

describe("configuration", () => {
  it("defaults to the embedded setup", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 4000, host: "0.0.0.0", dataDir: "./data", databaseUrl: undefined, redisUrl: undefined });
    expect(c.atrip.baseUrl).toBeUndefined();
    expect(c.alitrip.signMethod).toBe("md5");
  });

  it.each([
    [{ ALITRIP_SIGN_METHOD: "sha1" }, "ALITRIP_SIGN_METHOD"],
    [{ ATRIP_BASE_URL: "not a url" }, "ATRIP_BASE_URL"],
    [{ ATRIP_BASE_URL: "https://atrip.example" }, "ATRIP_CLIENT_ID"],
    [{ ALITRIP_URL: "https://eco.taobao.com/router/rest", ALITRIP_APP_KEY: "k" }, "ALITRIP_APP_SECRET"],
    [{ CTT_BASE_URL: "https://ctt.example" }, "CTT_SIGN_KEY"],
    [{ PORT: "70000" }, "PORT"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [{ VOID_POLL_MIN_MS: "-5" }, "VOID_POLL_MIN_MS"],
    [{ ATRIP_WEBHOOK_TOKEN: "short" }, "ATRIP_WEBHOOK_TOKEN"],
  ])("rejects %j naming %s", (env, variable) => {
    let err: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe(variable);
    expect((err as Error).message).toContain(variable);
  });

  it("--help lists every variable, and so does .env.example", () => {
    const help = helpText();
    const example = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
    for (const v of VARIABLES) {
      expect(help).toContain(v.name);
      expect(example).toContain(`${v.name}=`);
    }
  });

  it("anonymous only when every supplier is a simulator and nothing is configured", () => {
    expect(allowsAnonymous(loadConfig({}))).toBe(true);
    expect(allowsAnonymous(loadConfig({ API_KEYS: '[{"key":"0123456789abcdef","tenant":"a","scopes":["read"]}]' }))).toBe(false);
    const real = loadConfig({ CTT_BASE_URL: "https://ctt.example", CTT_SIGN_KEY: "k" });
    expect(() => allowsAnonymous(real)).toThrow(/API_KEYS/);
    expect(allowsAnonymous(loadConfig({ CTT_BASE_URL: "https://ctt.example", CTT_SIGN_KEY: "k", JWT_SECRET: "x".repeat(32) }))).toBe(false);
  });

  it.each([
    ["not json", /not valid JSON/],
    ['[{"key":"short","tenant":"a","scopes":["read"]}]', /16 characters/],
    ['[{"key":"0123456789abcdef","tenant":"a b","scopes":["read"]}]', /tenant/],
    ['[{"key":"0123456789abcdef","tenant":"a","scopes":["admin"]}]', /./],
  ])("rejects malformed API_KEYS %s", (raw, why) => {
    expect(() => loadConfig({ API_KEYS: raw })).toThrow(why);
    expect(() => loadConfig({ API_KEYS: raw })).toThrow(/API_KEYS/);
  });
});
