/**
 * ATRIP as the gateway wires it (issue 13, part A): its variables, its adapter, tenants' own
 * accounts, the `order.void` / `order.ticketed` webhook, the stop outcome delay.
 */
import { httpUrl, pathToken, read, readTimeout, requireWith, text, timeoutVariable, variable } from "../../src/config-kit.js";
import type { SupplierDescriptor } from "../supplier.js";
import { atripAccountKey, atripCredentials, type AtripCredentials } from "./credentials.js";
import { createAtripAdapter } from "./index.js";

export interface AtripSettings {
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  /** The secret last path segment of /webhooks/atrip/<token>; undefined: random per start. */
  webhookToken?: string;
}

const BASE_URL = variable({
  name: "ATRIP_BASE_URL",
  schema: httpUrl,
  description: "ATRIP base URL, e.g. https://sandbox.atriptech.com/ (unset: the embedded simulator)",
});
const CLIENT_ID = variable({
  name: "ATRIP_CLIENT_ID",
  schema: text,
  description: "Sent as x-atlas-client-id (required with ATRIP_BASE_URL)",
});
const CLIENT_SECRET = variable({
  name: "ATRIP_CLIENT_SECRET",
  schema: text,
  secret: true,
  description: "Sent as x-atlas-client-secret (required with ATRIP_BASE_URL)",
});
const TIMEOUT = timeoutVariable("ATRIP", "ATRIP");
const WEBHOOK_TOKEN = variable({
  name: "ATRIP_WEBHOOK_TOKEN",
  schema: pathToken,
  secret: true,
  description: "Secret last path segment of /webhooks/atrip/<token> (default: random per start)",
});

/** The simulator's own account, when no real one is configured. */
const SANDBOX = { clientId: "sandbox-client", clientSecret: "sandbox-secret" };

export const atripSupplier: SupplierDescriptor<AtripSettings, AtripCredentials> = {
  name: "ATRIP",
  description: "ATRIP (Atlas API): void and stop ticket issuance",
  variables: [BASE_URL, CLIENT_ID, CLIENT_SECRET, TIMEOUT, WEBHOOK_TOKEN],
  readSettings(env, shared) {
    const url = read(env, BASE_URL);
    requireWith(env, BASE_URL, CLIENT_ID);
    requireWith(env, BASE_URL, CLIENT_SECRET);
    return {
      url,
      settings: {
        clientId: read(env, CLIENT_ID) ?? SANDBOX.clientId,
        clientSecret: read(env, CLIENT_SECRET) ?? SANDBOX.clientSecret,
        timeoutMs: readTimeout(env, TIMEOUT, shared),
        webhookToken: read(env, WEBHOOK_TOKEN),
      },
    };
  },
  createAdapter(settings, url, sandbox, ctx, credentials) {
    return createAtripAdapter({ ...settings, ...credentials, baseUrl: url }, ctx.http, sandbox, { oddFields: ctx.oddFields });
  },
  accounts: { schema: atripCredentials, key: atripAccountKey, ownKey: atripAccountKey },
  webhooks: { segment: "atrip", token: (settings) => settings.webhookToken },
  // "The result of stopping ticket issuance needs to be obtained … after 8 minutes" (seed 000);
  // a void's acceptance "通常可在 5 分钟内看到" (usually shows within 5 minutes, seed 002).
  timing: { stopOutcomeDelayMs: 8 * 60_000, acceptanceVisibleMs: 5 * 60_000 },
};
