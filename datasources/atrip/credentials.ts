/**
 * A tenant's own ATRIP account (hardening issue, item 4): the client id and secret sent as
 * x-atlas-client-id / x-atlas-client-secret (docs/suppliers/atrip.md "Transport"). The secret is never logged.
 */
import { z } from "zod";

export const atripCredentials = z.strictObject({
  clientId: z.string().min(1, "clientId must not be empty"),
  clientSecret: z.string().min(1, "clientSecret must not be empty"),
});

export type AtripCredentials = z.infer<typeof atripCredentials>;

/** What identifies the account at ATRIP: its client id. */
export const atripAccountKey = (c: AtripCredentials): string => c.clientId;
