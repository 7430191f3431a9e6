/**
 * `npm start`: with no configuration, starts the supplier simulators on loopback and the
 * gateway against them, then prints the GraphQL URL and the demo orders. Setting a supplier's
 * URL and credentials points the gateway at the real supplier instead.
 */
import { allowsAnonymous, ConfigError, helpText, loadConfig } from "./config.js";
import { startGateway } from "./gateway.js";
import { createLogger } from "./logger.js";
import { startSandbox } from "./sandbox/index.js";

if (process.argv.includes("--help") || process.argv.includes("-h")) {
  process.stdout.write(helpText());
  process.exit(0);
}

let config;
try {
  config = loadConfig();
  allowsAnonymous(config);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${err.message}\n\n${helpText()}`);
    process.exit(2);
  }
  throw err;
}

const log = createLogger(config.logLevel);
const started = Date.now();
const sandbox = await startSandbox(config);
const gateway = await startGateway(config, log, sandbox.urls);

const banner = [
  "",
  `Gateway ready in ${Date.now() - started} ms: ${gateway.url}  (open it in a browser for Apollo Sandbox)`,
  ...sandbox.describe(),
  "",
];
process.stdout.write(`${banner.join("\n")}\n`);
log.info({ url: gateway.url, startupMs: Date.now() - started }, "gateway started");

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "shutting down");
  const force = setTimeout(() => {
    log.error("shutdown took too long; exiting");
    process.exit(1);
  }, 15_000);
  force.unref();
  await gateway.close();
  await sandbox.close();
  log.info("stopped");
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
