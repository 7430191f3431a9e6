/**
 * pino JSON logs to stdout. Secrets never reach a log line: known secret-bearing keys are
 * redacted wherever they appear, and code never logs headers or supplier credentials.
 */
import { pino, type Logger } from "pino";

export type { Logger };

const REDACT = [
  "secret",
  "clientSecret",
  "appSecret",
  "signKey",
  "session",
  "authorization",
  "apiKey",
  "token",
  "*.secret",
  "*.clientSecret",
  "*.appSecret",
  "*.signKey",
  "*.session",
  "*.authorization",
  "*.apiKey",
  "*.token",
  'headers["x-atlas-client-secret"]',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: "[redacted]" }, base: undefined }, destination as never);
}
