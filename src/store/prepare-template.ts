/**
 * `npm run build`'s last step (issue 22): prepares the embedded store's data directory once —
 * initdb and every migration — beside the built code (dist/pglite-template), so a first start
 * copies it instead of running initdb in the serving process.
 */
import { rmSync } from "node:fs";
import { migrate } from "./migrations.js";
import { openPglite } from "./pglite.js";
import { BUILT_TEMPLATE } from "./seed.js";

rmSync(BUILT_TEMPLATE, { recursive: true, force: true });
const db = await openPglite({ dataDir: BUILT_TEMPLATE, templateDir: false, maintenance: false });
await migrate(db);
// A checkpoint, so the copy starts from a clean state and replays no WAL on its first open.
await db.query("CHECKPOINT");
await db.close();
