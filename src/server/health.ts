/**
 * /healthz: the process is alive. /readyz: the store and the pub/sub answer and the gateway is
 * not shutting down (503 otherwise). /metrics: Prometheus text format.
 */
import express from "express";
import type { PubSub } from "../pubsub/index.js";
import type { Metrics } from "../metrics.js";
import type { Store } from "../store/index.js";

/**
 * The operators' routes. /readyz checks the store and pub/sub on every call, so a balancer stops sending
 * requests to an instance whose store is away (docs/operating.md).
 */
export function healthRouter(opts: { store: Store; pubsub: PubSub; isShuttingDown: () => boolean; metrics: Metrics }): express.Router {
  const router = express.Router();
  router.get("/metrics", async (_req, res) => {
    try {
      res.setHeader("Content-Type", opts.metrics.registry.contentType);
      res.send(await opts.metrics.registry.metrics());
    } catch (err) {
      res.status(503).send(`# metrics unavailable: ${String((err as Error).message)}\n`);
    }
  });
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    if (opts.isShuttingDown()) {
      res.status(503).json({ status: "shutting down" });
      return;
    }
    const check = async (what: string, f: () => Promise<void>) => {
      try {
        await Promise.race([f(), new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 2000).unref())]);
        return [what, "ok"] as const;
      } catch (err) {
        return [what, String((err as Error).message ?? err)] as const;
      }
    };
    const results = Object.fromEntries(
      await Promise.all([check("store", () => opts.store.db.ping()), check("pubsub", () => opts.pubsub.ping())]),
    );
    const ok = Object.values(results).every((v) => v === "ok");
    res.status(ok ? 200 : 503).json({ status: ok ? "ready" : "not ready", ...results });
  });
  return router;
}
