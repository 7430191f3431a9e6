/**
 * A tenant's own CTT account (hardening issue, item 4): the HMAC key of CTT's signature
 * (docs/suppliers/ctt.md "Signing": "the signing key is a secret of the account"). Never logged.
 */
import { z } from "zod";

export const cttCredentials = z.strictObject({
  signKey: z.string().min(1, "signKey must not be empty"),
});

export type CttCredentials = z.infer<typeof cttCredentials>;

/** What identifies the account at CTT: its signing key (kept in memory only). */
export const cttAccountKey = (c: CttCredentials): string => c.signKey;
