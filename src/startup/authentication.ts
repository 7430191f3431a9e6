/** Start-up step: who may call the gateway (API keys, JWTs, or the demo's anonymous tenant). */
import { ApiKeys } from "../auth/api-keys.js";
import { Authenticator } from "../auth/index.js";
import { allowsAnonymous, type Config } from "../config/index.js";
import type { Logger } from "../logger.js";

/** The authenticator of the configured credentials; anonymous access only when none are configured and every supplier is simulated. */
export function buildAuthenticator(config: Config, log: Logger): Authenticator {
  const allowAnonymous = allowsAnonymous(config);
  if (allowAnonymous)
    log.warn("no API_KEYS or JWT configured: anonymous access as tenant 'demo' (allowed only because every supplier is a simulator)");
  return new Authenticator({
    apiKeys: config.auth.apiKeys ? new ApiKeys(config.auth.apiKeys) : undefined,
    jwt: config.auth.jwt,
    allowAnonymous,
  });
}
