/**
 * The gateway's start-up, as `npm start` runs it (through ./main.ts): with no configuration,
 * starts the supplier simulators on loopback and the gateway against them, then prints the
 * GraphQL URL and the demo orders. Setting a supplier's URL and credentials points the gateway
 * at the real supplier instead. `node dist/src/run.js` runs it from the built modules, never the
 * bundle.
 */
import { startFailureText } from "./startup/failure.js";
import { tracingRequested } from "./telemetry/switch.js";

// Tracing (OTEL_* variables) is decided before anything else loads, so the instrumentations
// patch modules before the gateway imports them; with it off, no OpenTelemetry module loads.
const tracing = tracingRequested() ? await (await import("./telemetry/sdk.js")).startTracing() : undefined;
const { allowsAnonymous, ConfigError, helpText, loadConfig } = await import("./config/index.js");

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

// A first start on the embedded store copies the prepared data directory into an empty DATA_DIR:
// begun now, the copy (in libuv's thread pool) overlaps loading the gateway's modules, and the
// store's open waits for it (issue 22, ready time; src/store/seed.ts). A failure (another process
// holds DATA_DIR) is reported by the store's open.
if (!config.store.databaseUrl) void (await import("./store/seed.js")).seedDataDir(config.store.dataDir).catch(() => undefined);
const { startGateway } = await import("./gateway.js");
const { createLogger } = await import("./logger.js");

const log = createLogger(config.runtime.logLevel);
// Memory under load and after it (issue 22, item 2): the heap's growth step, set before the gateway
// loads. Its headroom (HEAP_HEADROOM_MB) applies once the gateway is ready: during start-up a larger
// step left more of loading's garbage for later and a first start idled higher (docs/memory.md).
const { limitHeapGrowth, startIdleGc } = await import("./reliability/memory.js");
const heapGrowth = limitHeapGrowth({
  percent: config.runtime.heapGrowingPercent,
  onChange: (capped, live) =>
    log.debug(
      { liveHeapMb: Math.round(live / 2 ** 20) },
      capped ? "heap growth capped again (small heap)" : "heap growth cap lifted (large live heap)",
    ),
});
const started = Date.now();
// The simulators stand in for suppliers without a URL; with every supplier configured, no
// sandbox module loads (issue 21, item 3).
const needsSandbox = Object.values(config.suppliers).some((s) => s.url === undefined);
const { sandbox, gateway } = await (async () => {
  try {
    const sandbox = needsSandbox ? await (await import("./sandbox/index.js")).startSandbox(config) : undefined;
    return { sandbox, gateway: await startGateway(config, log, sandbox?.urls) };
  } catch (err) {
    // One line saying why (src/startup/failure.ts), after what the start opened was closed.
    process.stderr.write(startFailureText(err));
    process.exit(1);
  }
})();

heapGrowth.setMinStep(config.runtime.heapHeadroomMb * 2 ** 20);

// Memory back after a burst of work, when the process idles.
const stopIdleGc = startIdleGc({
  everyMs: config.runtime.idleGcMs,
  onCollect: (before, after, ms) =>
    log.debug(
      { heapBeforeMb: Math.round(before / 2 ** 20), heapAfterMb: Math.round(after / 2 ** 20), ms: Math.round(ms) },
      "idle full collection",
    ),
});

const { explorerHint } = await import("./server/explorer.js");
const banner = [
  "",
  `Gateway ready in ${Date.now() - started} ms: ${gateway.url}${explorerHint(config.http.explorer)}`,
  ...(sandbox?.describe() ?? []),
  "",
];
process.stdout.write(`${banner.join("\n")}\n`);
// `bundled`: whether this is the one-file build main.ts prefers (scripts/bundle.mjs).
log.info({ url: gateway.url, startupMs: Date.now() - started, bundled: import.meta.url.includes("/bundle/") }, "gateway started");

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
  stopIdleGc();
  await gateway.close();
  await sandbox?.close();
  await tracing?.shutdown().catch((err: unknown) => log.warn({ err: String(err) }, "could not export the last spans"));
  log.info("stopped");
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
