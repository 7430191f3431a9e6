/** Start-up step: the store — PostgreSQL when DATABASE_URL is set, else the embedded PGlite in DATA_DIR. */
import type { Config } from "../config/index.js";
import type { Logger } from "../logger.js";
import { openStore, type Store } from "../store/index.js";

export function openConfiguredStore(config: Config, log: Logger): Promise<Store> {
  return openStore({
    ...config.store,
    onMaintenanceError: (err) =>
      log.warn({ err: String(err) }, "embedded store maintenance (vacuum, analyze) failed; the next round tries again"),
    onMigrated: ({ applied, newer }) => {
      if (applied.length) log.info({ migrations: applied }, "store schema migrated");
      if (newer.length)
        log.warn(
          { unknownMigrations: newer },
          "the store was migrated by a newer build of the gateway: this build does not keep what those migrations added up to date; run the newer build again soon",
        );
    },
  });
}
