/**
 * Headless Chromium for the browser tests: Debian's package (or CHROMIUM_PATH), driven by
 * playwright-core, with the flags this machine's closed network needs. Outside CI a missing
 * Chromium skips a browser test, saying why; in CI it fails it (.ci/run installs the package).
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
const inCi = process.env.CI === "true";

const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** True when `what` must be skipped here (no Chromium, not in CI); prints why. */
export function skipWithoutChromium(what: string): boolean {
  const skip = !haveChromium && !inCi;
  if (skip) console.log(`${what} skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  return skip;
}

/** A headless Chromium with a fresh profile; throws (fails the test) where there is none. */
export async function launchChromium(): Promise<BrowserContext> {
  if (!haveChromium) throw new Error(`no Chromium at ${CHROMIUM}: .ci/run installs Debian's chromium package`);
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "chromium-profile-")), {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
  });
}
