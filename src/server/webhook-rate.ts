/**
 * The webhook intake's cap per address (WEBHOOK_RATE_LIMIT a second), on node:http. The counting
 * is express-rate-limit's own: its MemoryStore (a fixed window per client) and its address key
 * (an IPv6 client counts by its /56, an IPv4-mapped one as IPv4). Its middleware needs express's
 * request and response, so the answer's headers — its IETF draft-8 `RateLimit` and
 * `RateLimit-Policy`, and `Retry-After` on a refusal — are written here, as it writes them.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ipKeyGenerator, MemoryStore, type Options } from "express-rate-limit";

/** Counts a request against its address's window. */
export interface RateCap {
  /** Counts `req`, sets the rate headers on `res`; false when the address is over its limit (answer 429). */
  take(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Stops the store's expiry timer. */
  close(): void;
}

/** express-rate-limit's partition key: a short digest of the client key, never the address itself. */
function partitionKey(key: string): string {
  return Buffer.from(createHash("sha256").update(key).digest("hex").slice(0, 12)).toString("base64");
}

/** A cap of `limit` requests per address per `windowMs` (under a minute). */
export function rateCap(limit: number, windowMs = 1000): RateCap {
  const store = new MemoryStore();
  store.init({ windowMs } as Options);
  const windowSeconds = Math.ceil(windowMs / 1000);
  const name = `${limit}-in-${windowMs / 1000}sec`;
  return {
    async take(req, res) {
      const key = ipKeyGenerator(req.socket.remoteAddress ?? "");
      const { totalHits, resetTime } = await store.increment(key);
      const resetSeconds = resetTime ? Math.max(0, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : windowSeconds;
      res.setHeader("RateLimit", `"${name}"; r=${Math.max(limit - totalHits, 0)}; t=${resetSeconds}`);
      res.setHeader("RateLimit-Policy", `"${name}"; q=${limit}; w=${windowSeconds}; pk=:${partitionKey(key)}:`);
      if (totalHits <= limit) return true;
      res.setHeader("Retry-After", String(resetSeconds));
      return false;
    },
    close() {
      store.shutdown();
    },
  };
}
