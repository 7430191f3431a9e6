/**
 * The floor of the embedded store's footprint (bench/footprint.ts): a process that only opens
 * PGlite on a data directory, with the gateway's default store settings (PGLITE_SHARED_BUFFERS),
 * says OPEN and idles.
 */
import { STORE } from "../src/config/store.js";
import { openPglite } from "../src/store/pglite.js";

const dir = process.argv[2];
if (!dir) throw new Error("usage: pglite-floor.js <data dir>");
const db = await openPglite({ dataDir: dir, sharedBuffers: STORE.rows.pgliteSharedBuffers.default, maintenance: false });
await db.query("SELECT 1");
process.stdout.write("OPEN\n");
process.on("SIGTERM", () => void db.close().then(() => process.exit(0)));
setInterval(() => undefined, 1 << 30);
