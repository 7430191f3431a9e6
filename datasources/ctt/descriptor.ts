/**
 * CTT (China Train Tickets web API) as the gateway wires it (issue 13, part A): its
 * variables, the cancel adapter, tenants' own signing keys.
 */
import { z } from "zod";
import { httpUrl, positiveInt, read, readTimeout, requireWith, text, timeoutVariable, variable } from "../../src/config-kit.js";
import type { SupplierDescriptor } from "../supplier.js";
import { cttAccountKey, cttCredentials, type CttCredentials } from "./credentials.js";
import { createCttAdapter } from "./index.js";
import { DEFAULT_CTT_SIGNING, type CttSigning } from "./sign.js";

export interface CttSettings {
  signKey: string;
  timeoutMs: number;
  signing: CttSigning;
}

const BASE_URL = variable({ name: "CTT_BASE_URL", schema: httpUrl, description: "CTT web API base URL (unset: the embedded simulator)" });
const SIGN_KEY = variable({
  name: "CTT_SIGN_KEY",
  schema: text,
  secret: true,
  description: "The HMAC key of the CTT signature (required with CTT_BASE_URL)",
});
const TIMEOUT = timeoutVariable("CTT", "CTT");
// CTT.md: the signature is unconfirmed (read from CTT's own front-end), so its parts stay configurable.
const TERMINAL = variable({
  name: "CTT_TERMINAL",
  default: String(DEFAULT_CTT_SIGNING.terminal),
  schema: positiveInt,
  description: "The `terminal` CTT requests send and sign (1 = WEBPAGEEnum, the only value seen)",
});
const UTC_OFFSET = variable({
  name: "CTT_TIME_STAMP_UTC_OFFSET_MINUTES",
  default: String(DEFAULT_CTT_SIGNING.utcOffsetMinutes),
  schema: z.coerce
    .number({ message: "must be a number" })
    .int("must be a whole number")
    .min(-720, "must be a UTC offset in minutes")
    .max(840, "must be a UTC offset in minutes"),
  description: "Time zone of the signed time_stamp, in minutes east of UTC (0: UTC, as CTT's front-end; 480: China)",
});
const SIGN_STRING = variable({
  name: "CTT_SIGN_STRING",
  default: DEFAULT_CTT_SIGNING.template,
  schema: text.refine(
    (t) => ["{random}", "{timestamp}", "{terminal}"].every((p) => t.includes(p)),
    "must contain {random}, {timestamp} and {terminal}",
  ),
  description: "The string whose MD5 is signed, with {random}, {timestamp} and {terminal} in it",
});

/** The simulator's own key, when no real one is configured. */
const SANDBOX_SIGN_KEY = "sandbox-sign-key";

export const cttSupplier: SupplierDescriptor<CttSettings, CttCredentials> = {
  name: "CTT",
  description: "China Train Tickets web API: cancel an order more than 30 days out",
  variables: [BASE_URL, SIGN_KEY, TIMEOUT, TERMINAL, UTC_OFFSET, SIGN_STRING],
  readSettings(env, shared) {
    const url = read(env, BASE_URL);
    requireWith(env, BASE_URL, SIGN_KEY);
    const signing = { terminal: read(env, TERMINAL), utcOffsetMinutes: read(env, UTC_OFFSET), template: read(env, SIGN_STRING) };
    return { url, settings: { signKey: read(env, SIGN_KEY) ?? SANDBOX_SIGN_KEY, timeoutMs: readTimeout(env, TIMEOUT, shared), signing } };
  },
  createAdapter(settings, url, sandbox, ctx, credentials) {
    return createCttAdapter({ ...settings, ...credentials, baseUrl: url }, ctx.http, sandbox);
  },
  accounts: { schema: cttCredentials, key: cttAccountKey, ownKey: cttAccountKey },
};
