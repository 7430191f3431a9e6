/**
 * CTT (China Train Tickets web API) as the gateway wires it (issue 13, part A): its
 * variables, the cancel adapter, tenants' own signing keys.
 */
import { httpUrl, read, readTimeout, requireWith, text, timeoutVariable, variable } from "../../src/config-kit.js";
import type { SupplierDescriptor } from "../supplier.js";
import { cttAccountKey, cttCredentials, type CttCredentials } from "./credentials.js";
import { createCttAdapter } from "./index.js";

export interface CttSettings {
  signKey: string;
  timeoutMs: number;
}

const BASE_URL = variable({ name: "CTT_BASE_URL", schema: httpUrl, description: "CTT web API base URL (unset: the embedded simulator)" });
const SIGN_KEY = variable({
  name: "CTT_SIGN_KEY",
  schema: text,
  secret: true,
  description: "The HMAC key of the CTT signature (required with CTT_BASE_URL)",
});
const TIMEOUT = timeoutVariable("CTT", "CTT");

/** The simulator's own key, when no real one is configured. */
const SANDBOX_SIGN_KEY = "sandbox-sign-key";

export const cttSupplier: SupplierDescriptor<CttSettings, CttCredentials> = {
  name: "CTT",
  description: "China Train Tickets web API: cancel order",
  variables: [BASE_URL, SIGN_KEY, TIMEOUT],
  readSettings(env, shared) {
    const url = read(env, BASE_URL);
    requireWith(env, BASE_URL, SIGN_KEY);
    return { url, settings: { signKey: read(env, SIGN_KEY) ?? SANDBOX_SIGN_KEY, timeoutMs: readTimeout(env, TIMEOUT, shared) } };
  },
  createAdapter(settings, url, sandbox, ctx, credentials) {
    return createCttAdapter({ ...settings, ...credentials, baseUrl: url }, ctx.http, sandbox);
  },
  accounts: { schema: cttCredentials, key: cttAccountKey, ownKey: cttAccountKey },
};
