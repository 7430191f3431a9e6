/**
 * Alitrip (TOP router) as the gateway wires it (issue 13, part A): its variables, the cancel
 * adapter, tenants' own TOP apps and sessions.
 */
import { z } from "zod";
import { httpUrl, read, readTimeout, requireWith, text, timeoutVariable, variable } from "../../src/config-kit.js";
import type { SupplierDescriptor } from "../supplier.js";
import { alitripAccountKey, alitripCredentials, SUB_CHANNEL_RULE, type AlitripCredentials } from "./credentials.js";
import { createAlitripAdapter } from "./index.js";
import { TOP_SIGN_METHODS, type TopSignMethod } from "./sign.js";

export interface AlitripSettings {
  appKey: string;
  appSecret: string;
  session: string;
  signMethod: TopSignMethod;
  defaultSubChannel?: string;
  timeoutMs: number;
}

const ROUTER_URL = variable({
  name: "ALITRIP_URL",
  schema: httpUrl,
  description: "TOP router URL, e.g. https://eco.taobao.com/router/rest (unset: the embedded simulator)",
});
const APP_KEY = variable({ name: "ALITRIP_APP_KEY", schema: text, description: "TOP app_key (required with ALITRIP_URL)" });
const APP_SECRET = variable({
  name: "ALITRIP_APP_SECRET",
  schema: text,
  secret: true,
  description: "TOP app secret, signs every call (required with ALITRIP_URL)",
});
const SESSION = variable({
  name: "ALITRIP_SESSION",
  schema: text,
  secret: true,
  description: "TOP session (user authorisation token; required with ALITRIP_URL)",
});
const SIGN_METHOD = variable({
  name: "ALITRIP_SIGN_METHOD",
  default: "md5",
  schema: z.enum(TOP_SIGN_METHODS as [TopSignMethod, ...TopSignMethod[]], { message: "must be md5, hmac or hmac-sha256" }),
  description: "md5, hmac or hmac-sha256",
});
const SUB_CHANNEL = variable({
  name: "ALITRIP_SUB_CHANNEL",
  schema: z.string().regex(SUB_CHANNEL_RULE.pattern, `must be ${SUB_CHANNEL_RULE.rule}`),
  description: "Default sub_channel (corporate id) when a cancelOrder input has none",
});
const TIMEOUT = timeoutVariable("ALITRIP", "Alitrip");

/** The simulator's own app, when no real one is configured. */
const SANDBOX = { appKey: "sandbox-app-key", appSecret: "sandbox-app-secret", session: "sandbox-session" };

export const alitripSupplier: SupplierDescriptor<AlitripSettings, AlitripCredentials> = {
  name: "ALITRIP",
  description: "Alitrip business-travel flight distribution, via the Taobao Open Platform: cancel order",
  variables: [ROUTER_URL, APP_KEY, APP_SECRET, SESSION, SIGN_METHOD, SUB_CHANNEL, TIMEOUT],
  readSettings(env, shared) {
    const url = read(env, ROUTER_URL);
    for (const needed of [APP_KEY, APP_SECRET, SESSION]) requireWith(env, ROUTER_URL, needed);
    return {
      url,
      settings: {
        appKey: read(env, APP_KEY) ?? SANDBOX.appKey,
        appSecret: read(env, APP_SECRET) ?? SANDBOX.appSecret,
        session: read(env, SESSION) ?? SANDBOX.session,
        signMethod: read(env, SIGN_METHOD),
        defaultSubChannel: read(env, SUB_CHANNEL),
        timeoutMs: readTimeout(env, TIMEOUT, shared),
      },
    };
  },
  createAdapter(settings, url, sandbox, ctx, credentials) {
    const { subChannel, ...own } = credentials ?? {};
    return createAlitripAdapter(
      { ...settings, ...own, defaultSubChannel: subChannel ?? settings.defaultSubChannel, routerUrl: url },
      ctx.http,
      sandbox,
      {
        oddFields: ctx.oddFields,
      },
    );
  },
  accounts: { schema: alitripCredentials, key: alitripAccountKey, ownKey: alitripAccountKey },
};
