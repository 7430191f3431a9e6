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

/**
 * JSON lines to stdout; human-readable (pino-pretty) only when stdout is a terminal and
 * NODE_ENV is not production.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = { level, redact: { paths: REDACT, censor: "[redacted]" }, base: undefined };
  if (!destination && process.stdout.isTTY && process.env.NODE_ENV !== "production") {
    return pino({ ...options, transport: { target: "pino-pretty", options: { translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" } } });
  }
  return pino(options, destination as never);
}
