import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { voidDefinition } from "../../src/tracking/kinds/void.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { envExample, withConfigTable } from "../../src/config-docs.js";
import { allowsAnonymous, ConfigError, helpText, loadConfig, VARIABLES } from "../../src/config/index.js";
import { HTTP, LIMITS } from "../../src/config/http.js";
import { SUPPLIER_CALLS } from "../../src/config/supplier-calls.js";
import { concern, positiveInt, variable } from "../../src/config-kit.js";
import { TRACKING } from "../../src/config/tracking.js";

/** What loading `env` throws (undefined if it loads). */
function loadError(env: Record<string, string>): unknown {
  try {
    loadConfig(env);
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("configuration", () => {
  it("defaults to the embedded setup", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      http: { port: 4000, host: "0.0.0.0" },
      store: { dataDir: "./data", databaseUrl: undefined },
      pubsub: { redisUrl: undefined },
    });
    expect(Object.keys(c.suppliers)).toEqual(["ATRIP", "ALITRIP", "CTT"]);
    expect(Object.values(c.suppliers).every((s) => s.url === undefined)).toBe(true);
    expect((c.suppliers.ALITRIP.settings as { signMethod: string }).signMethod).toBe("md5");
  });

  it.each([
    [{ ALITRIP_SIGN_METHOD: "sha1" }, "ALITRIP_SIGN_METHOD"],
    [{ ATRIP_BASE_URL: "not a url" }, "ATRIP_BASE_URL"],
    [{ ATRIP_BASE_URL: "https://atrip.example" }, "ATRIP_CLIENT_ID"],
    [{ ALITRIP_URL: "https://eco.taobao.com/router/rest", ALITRIP_APP_KEY: "k" }, "ALITRIP_APP_SECRET"],
    [{ CTT_BASE_URL: "https://ctt.example" }, "CTT_SIGN_KEY"],
    [{ CTT_SIGN_STRING: "random={random}&terminal={terminal}" }, "CTT_SIGN_STRING"],
    [{ CTT_TIME_STAMP_UTC_OFFSET_MINUTES: "900" }, "CTT_TIME_STAMP_UTC_OFFSET_MINUTES"],
    [{ PORT: "70000" }, "PORT"],
    [{ PORT: "-1" }, "PORT", "PORT: must be a port number (0-65535)"],
    [{ PORT: "1.5" }, "PORT", "PORT: must be a port number (0-65535)"],
    [{ SUPPLIER_READ_RETRIES: "11" }, "SUPPLIER_READ_RETRIES", "SUPPLIER_READ_RETRIES: must be 0 to 10"],
    [{ HEAP_GROWING_PERCENT: "5000" }, "HEAP_GROWING_PERCENT", "HEAP_GROWING_PERCENT: must be 0 to 1000"],
    [{ HEAP_HEADROOM_MB: "-1" }, "HEAP_HEADROOM_MB", "HEAP_HEADROOM_MB: must be 0 to 4096"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [{ VOID_POLL_MIN_MS: "-5" }, "VOID_POLL_MIN_MS"],
    [{ HTTP_SUBSCRIPTION_HEARTBEAT_MS: "6000" }, "HTTP_SUBSCRIPTION_HEARTBEAT_MS"],
    [{ ATRIP_WEBHOOK_TOKEN: "short" }, "ATRIP_WEBHOOK_TOKEN"],
    // Over what Node's timers take (a larger delay became 1 ms: a busy loop).
    [{ SCHEDULER_TICK_MS: "3000000000" }, "SCHEDULER_TICK_MS", "SCHEDULER_TICK_MS: must be at most 2147483647"],
    [{ EVENT_CATCHUP_MS: "2147483648" }, "EVENT_CATCHUP_MS"],
    // Compared with the Origin header as browsers write it: these would never match.
    [
      { CORS_ORIGINS: "https://app.example/" },
      "CORS_ORIGINS",
      'is not an origin (scheme://host[:port], nothing after): use "https://app.example"',
    ],
    [{ CORS_ORIGINS: "https://ok.example,https://App.Example:443/web" }, "CORS_ORIGINS", 'use "https://app.example"'],
    [{ CORS_ORIGINS: "app.example" }, "CORS_ORIGINS", "CORS_ORIGINS: must be an http(s) URL"],
    [{ CORS_ORIGINS: "chrome-extension://abc" }, "CORS_ORIGINS", "CORS_ORIGINS: must be an http(s) URL"],
    // Bounded (configuration probe): values the embedded engine, the timers or PostgreSQL refuse later.
    [{ PGLITE_SHARED_BUFFERS: "2GB" }, "PGLITE_SHARED_BUFFERS", "must be 128kB to 512MB"],
    [{ PGLITE_SHARED_BUFFERS: "0MB" }, "PGLITE_SHARED_BUFFERS", "must be 128kB to 512MB"],
    [{ SANDBOX_TIME_SCALE: "1e-300" }, "SANDBOX_TIME_SCALE", "must be 0.01 to 100000"],
    [{ SANDBOX_TIME_SCALE: "9007199254740993" }, "SANDBOX_TIME_SCALE", "must be 0.01 to 100000"],
    [{ HTTP_KEEPALIVE_TIMEOUT_MS: "2147483647" }, "HTTP_KEEPALIVE_TIMEOUT_MS", "must be at most 2147482647"],
    [{ DATABASE_SCHEMA: "pg_gateway" }, "DATABASE_SCHEMA", "must not start with pg_"],
    // The webhook paths are appended to it: a query or fragment would swallow the token (configuration probe).
    [{ WEBHOOK_PUBLIC_URL: "https://gw.example.com/base?x=1" }, "WEBHOOK_PUBLIC_URL", "without a query or fragment"],
    [{ WEBHOOK_PUBLIC_URL: "https://gw.example.com/#frag" }, "WEBHOOK_PUBLIC_URL", "without a query or fragment"],
    // Credentials in a URL would not be sent: refused, and never echoed.
    [{ WEBHOOK_PUBLIC_URL: "https://user:Pw-Qx9@gw.example.com/" }, "WEBHOOK_PUBLIC_URL", "must not carry a user name or password"],
    [
      {
        ATRIP_BASE_URL: "http://user:Pw-Qx9@atrip.example/",
        ATRIP_CLIENT_ID: "i",
        ATRIP_CLIENT_SECRET: "s",
        API_KEYS: '[{"key":"0123456789abcdef","tenant":"a","scopes":["read"]}]',
      },
      "ATRIP_BASE_URL",
      "must not carry a user name or password",
    ],
  ])("rejects %j naming %s (a number out of range: saying which range)", (env, variable, message?: string) => {
    const err = loadError(env);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe(variable);
    expect((err as Error).message).toContain(message ?? variable);
    expect((err as Error).message).not.toContain("Pw-Qx9");
  });

  it("--help lists every variable, and so does .env.example", () => {
    const help = helpText();
    const example = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
    for (const v of VARIABLES) {
      expect(help).toContain(v.name);
      expect(example).toContain(`${v.name}=`);
    }
  });

  it("one row per variable feeds .env.example and the table of docs/configuration.md, which agree with the rows (issue 17, item 2)", () => {
    expect(new Set(VARIABLES.map((v) => v.name)).size).toBe(VARIABLES.length);
    expect(readFileSync(new URL("../../.env.example", import.meta.url), "utf8")).toBe(envExample(VARIABLES));
    const doc = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");
    expect(doc).toBe(withConfigTable(doc, VARIABLES));
  });

  it("a setting is one row: a concern reads each row's value under its key, parsed, with its default (issue 21, item 4)", () => {
    const demo = concern({
      everyMs: variable({ name: "DEMO_EVERY_MS", default: "250", schema: positiveInt, description: "demo" }),
      label: variable({ name: "DEMO_LABEL", schema: positiveInt, description: "demo, no default" }),
    });
    expect(demo.read({})).toEqual({ everyMs: 250, label: undefined });
    expect(demo.read({ DEMO_EVERY_MS: " 40 ", DEMO_LABEL: "7" })).toEqual({ everyMs: 40, label: 7 });
    expect(() => demo.read({ DEMO_EVERY_MS: "soon" })).toThrow(/DEMO_EVERY_MS/);
  });

  it("every default is a valid value of its own row, and is what the configuration holds when nothing is set", () => {
    for (const v of VARIABLES) if (v.default !== undefined) expect(v.schema.safeParse(v.default).success, v.name).toBe(true);
    const c = loadConfig({});
    expect(c.http.port).toBe(Number(HTTP.rows.port.default));
    expect(c.polls.void.minMs).toBe(Number(voidDefinition.poll.minMs.default));
    expect(c.polls.stop).toEqual({ minMs: 60_000, maxMs: 1_800_000, watchedMs: 10_000 });
    expect(c.limits.maxCost).toBe(Number(LIMITS.rows.maxCost.default));
    expect(c.supplierCalls.resilience.concurrency).toBe(Number(SUPPLIER_CALLS.rows.maxConcurrency.default));
    expect(c.tracking.eventCatchUpMs).toBe(Number(TRACKING.rows.eventCatchUpMs.default));
    expect(c.subscriptions).toEqual({
      wsKeepAliveMs: 25_000,
      wsConnectionInitTimeoutMs: 5_000,
      maxPerConnection: 100,
      maxPerTenant: 20_000,
      httpHeartbeatMs: 4_500,
      httpMaxBufferedBytes: 1_048_576,
    });
    expect(Object.keys(c.http)).not.toContain("nodeEnv");
    expect(c.given.size).toBe(0);
    expect(loadConfig({ LEASE_MS: "5000" }).given).toEqual(new Set(["LEASE_MS"]));
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
    // Named: which entry and field (configuration probe).
    ['[{"key":"0123456789abcdef","tenant":"a","scope":["read"]}]', /entry 0(\.scopes)?: .*|Unrecognized key/],
    // A field the gateway does not know (an "expires" it would ignore, the key never expiring).
    ['[{"key":"0123456789abcdef","tenant":"a","scopes":["read"],"expires":"2020-01-01"}]', /entry 0: Unrecognized key: "expires"/],
    // The same key for two tenants, as a key or as its digest: the last used to win without a word.
    [
      '[{"key":"0123456789abcdef","tenant":"a","scopes":["read","write"]},{"key":"0123456789abcdef","tenant":"b","scopes":["read"]}]',
      /entry 1: entries 0 and 1 give the same key/,
    ],
    [
      `[{"key":"0123456789abcdef","tenant":"a","scopes":["read"]},{"keySha256":"${createHash("sha256").update("0123456789abcdef").digest("hex").toUpperCase()}","tenant":"b","scopes":["read"]}]`,
      /entries 0 and 1 give the same key/,
    ],
    // A field named twice: JSON.parse kept the last, the key going to tenant "b".
    ['[{"key":"0123456789abcdef","tenant":"a","tenant":"b","scopes":["read"]}]', /names one field twice/],
  ])("rejects malformed API_KEYS %s", (raw, why) => {
    expect(() => loadConfig({ API_KEYS: raw })).toThrow(why);
    expect(() => loadConfig({ API_KEYS: raw })).toThrow(/API_KEYS/);
    expect(() => loadConfig({ API_KEYS: raw })).not.toThrow(/0123456789abcdef/);
  });

  describe("tenants' own supplier accounts (hardening issue, item 4)", () => {
    const accounts = { acme: { ATRIP: { clientId: "acme-id", clientSecret: "acme-secret-Qx1" }, CTT: { signKey: "ctt-key-Qx2" } } };

    it("reads TENANT_SUPPLIER_ACCOUNTS or the file TENANT_SUPPLIER_ACCOUNTS_FILE names", () => {
      expect(loadConfig({}).tenantAccounts).toBeUndefined();
      expect(loadConfig({ TENANT_SUPPLIER_ACCOUNTS: JSON.stringify(accounts) }).tenantAccounts).toEqual(accounts);
      // The same tenant twice with the same accounts says one thing: taken.
      const twice = `{"acme": ${JSON.stringify(accounts.acme)}, "acme": ${JSON.stringify(accounts.acme)}}`;
      expect(loadConfig({ TENANT_SUPPLIER_ACCOUNTS: twice }).tenantAccounts).toEqual({ acme: accounts.acme });
      const file = join(mkdtempSync(join(tmpdir(), "accounts-")), "accounts.json");
      writeFileSync(file, JSON.stringify(accounts));
      expect(loadConfig({ TENANT_SUPPLIER_ACCOUNTS_FILE: file }).tenantAccounts).toEqual(accounts);
    });

    it.each([
      [
        { TENANT_SUPPLIER_ACCOUNTS: '{"acme": {"ATRIP": {"clientId": "acme-id", "clientSecret": "secret-Zz9' },
        "TENANT_SUPPLIER_ACCOUNTS",
        /not valid JSON/,
      ],
      [
        { TENANT_SUPPLIER_ACCOUNTS: '{"acme": {"ATRIP": {"clientId": "acme-id"}}}' },
        "TENANT_SUPPLIER_ACCOUNTS",
        /acme\.ATRIP\.clientSecret/,
      ],
      [{ TENANT_SUPPLIER_ACCOUNTS: '{"acme": {"NOSUCH": {"key": "secret-Zz9"}}}' }, "TENANT_SUPPLIER_ACCOUNTS", /NOSUCH/],
      [{ TENANT_SUPPLIER_ACCOUNTS: '{"a b": {"CTT": {"signKey": "secret-Zz9"}}}' }, "TENANT_SUPPLIER_ACCOUNTS", /tenant/],
      [{ TENANT_SUPPLIER_ACCOUNTS: '{"acme": {"CTT": {"signKey": 7}}}' }, "TENANT_SUPPLIER_ACCOUNTS", /acme\.CTT\.signKey/],
      // A tenant named twice: JSON.parse kept the last, the first's accounts dropped without a word.
      [
        { TENANT_SUPPLIER_ACCOUNTS: '{"acme": {"CTT": {"signKey": "secret-Zz9"}}, "acme": {"CTT": {"signKey": "secret-Zz9b"}}}' },
        "TENANT_SUPPLIER_ACCOUNTS",
        /names one field twice/,
      ],
      [{ TENANT_SUPPLIER_ACCOUNTS_FILE: "/nonexistent/accounts.json" }, "TENANT_SUPPLIER_ACCOUNTS_FILE", /cannot read/],
      [{ TENANT_SUPPLIER_ACCOUNTS: "{}", TENANT_SUPPLIER_ACCOUNTS_FILE: "/x" }, "TENANT_SUPPLIER_ACCOUNTS_FILE", /not both/],
      [{ MAX_SUBSCRIPTIONS_PER_CONNECTION: "0" }, "MAX_SUBSCRIPTIONS_PER_CONNECTION", /positive/],
      [{ MAX_SUBSCRIPTIONS_PER_TENANT: "many" }, "MAX_SUBSCRIPTIONS_PER_TENANT", /number/],
    ])("rejects %j naming the variable, never the secret", (env, variable, why) => {
      const err = loadError(env);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variable).toBe(variable);
      expect((err as Error).message).toMatch(why);
      expect((err as Error).message).not.toContain("secret-Zz9");
    });

    it("are secret: --help and .env.example show no value", () => {
      for (const name of ["TENANT_SUPPLIER_ACCOUNTS", "TENANT_SUPPLIER_ACCOUNTS_FILE"]) {
        const v = VARIABLES.find((x) => x.name === name);
        expect(v?.secret).toBe(true);
        expect(v?.default).toBeUndefined();
      }
      expect(loadConfig({}).subscriptions).toMatchObject({ maxPerConnection: 100, maxPerTenant: 20_000 });
    });
  });
});
