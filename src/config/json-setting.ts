/**
 * A setting written as JSON (API_KEYS, TENANT_SUPPLIER_ACCOUNTS). JSON.parse keeps the last of a
 * name an object repeats, so `{"acme":{…},"acme":{…}}` silently dropped one tenant's accounts, and
 * `{"tenant":"a","tenant":"b"}` gave a key to the last tenant named (configuration probe,
 * thirty-second session). A name repeated with another value is refused; with the same value it
 * says one thing and is taken. Errors name the variable only: the text may hold secrets.
 */
import { parseExactJson } from "../../datasources/exact-json.js";
import { ConfigError } from "../config-kit.js";

export function parseJsonSetting(variable: string, text: string): unknown {
  try {
    return parseExactJson(text, Number);
  } catch (err) {
    // The parser's message names the key or quotes nothing; still, say it in our own words.
    const repeated = err instanceof SyntaxError && err.message.startsWith("Duplicate key");
    throw new ConfigError(variable, repeated ? "an object names one field twice, with different values" : "is not valid JSON");
  }
}
