/**
 * A tenant's own Alitrip (TOP) account (hardening issue, item 4): app key, app secret and the
 * session (the user's authorisation), docs/suppliers/alitrip.md "System parameters"; optionally the tenant's
 * default sub_channel (its corporate id). The secret and the session are never logged.
 */
import { z } from "zod";

/** A TOP sub_channel (corporate id): the rule, and its wording for a message. */
export const SUB_CHANNEL_RULE = { pattern: /^[A-Za-z0-9_-]{1,64}$/, rule: "1-64 letters, digits, '-' or '_'" };

export const alitripCredentials = z.strictObject({
  appKey: z.string().min(1, "appKey must not be empty"),
  appSecret: z.string().min(1, "appSecret must not be empty"),
  session: z.string().min(1, "session must not be empty"),
  subChannel: z.string().regex(SUB_CHANNEL_RULE.pattern, `subChannel must be ${SUB_CHANNEL_RULE.rule}`).optional(),
});

export type AlitripCredentials = z.infer<typeof alitripCredentials>;

/** What identifies the account at the platform: the app and the authorised user's session. */
export const alitripAccountKey = (c: Pick<AlitripCredentials, "appKey" | "session">): string => `${c.appKey}\u0000${c.session}`;
