/**
 * Connections to PostgreSQL and Redis whose peer goes silent without closing them (a failover, a
 * NAT's idle timeout, a hung pooler): the gateway notices and opens fresh ones by itself
 * (black-box probe: webhook processing stopped for good, every instance stayed not ready).
 */
import { randomBytes } from "node:crypto";
import { createServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { RedisPubSub } from "../../src/pubsub/redis.js";
import type { SqlDb } from "../../src/store/db.js";
import { StoreUnavailableError } from "../../src/store/errors.js";
import { openPostgres } from "../../src/store/postgres.js";
import { eventually } from "../helpers/atrip.js";
import { SilencingRelay } from "../helpers/relay.js";
import { DATABASE_URL, REDIS_URL, skipReason } from "../helpers/store.js";

const noPostgres = DATABASE_URL ? false : skipReason("silent PostgreSQL connection", "TEST_DATABASE_URL");
const noRedis = REDIS_URL ? false : skipReason("silent Redis connection", "TEST_REDIS_URL");

/** `url` with its host and port replaced by the relay's. */
function through(url: string, relay: SilencingRelay): string {
  const u = new URL(url);
  u.hostname = "127.0.0.1";
  u.port = String(relay.port);
  return u.toString();
}

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
  cleanup = [];
});

describe("silent connections", () => {
  it.skipIf(noPostgres)(
    "PostgreSQL: a statement on a connection gone silent fails as the store unavailable, and the pool opens fresh connections",
    async () => {
      const target = new URL(DATABASE_URL!);
      const relay = await SilencingRelay.start(Number(target.port || 5432), target.hostname);
      cleanup.push(() => relay.close());
      const schema = `t_${randomBytes(6).toString("hex")}`;
      const db: SqlDb = await openPostgres({ connectionString: through(DATABASE_URL!, relay), schema, max: 2, statementTimeoutMs: 1000 });
      cleanup.push(async () => {
        await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await db.close();
      });
      await Promise.all([db.query("SELECT pg_sleep(0.05)"), db.query("SELECT pg_sleep(0.05)")]);
      expect(relay.silence()).toBe(2);

      const started = Date.now();
      await expect(db.query("SELECT 1 AS one")).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(3000);
      // The silent connections are dropped: the store answers again, on new ones, with nothing restarted.
      expect(await eventually(() => db.query<{ one: number }>("SELECT 1 AS one"), 5000)).toEqual([{ one: 1 }]);
      await db.ping();
    },
  );

  it.skipIf(noPostgres)(
    "PostgreSQL: a statement running past the timeout is cancelled on the server too (its locks released), and is the store unavailable",
    async () => {
      const schema = `t_${randomBytes(6).toString("hex")}`;
      const db: SqlDb = await openPostgres({ connectionString: DATABASE_URL!, schema, max: 2, statementTimeoutMs: 1000 });
      cleanup.push(async () => {
        await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await db.close();
      });
      const tag = randomBytes(4).toString("hex");
      await expect(db.query(`SELECT pg_sleep(3), '${tag}'`)).rejects.toBeInstanceOf(StoreUnavailableError);
      const running = await db.query(
        `SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pg_sleep(3), ''${tag}''%' AND pid <> pg_backend_pid()`,
      );
      expect(running).toEqual([]);
      // Migrations (transactions) are not cut short on the server.
      expect(await db.tx((sql) => sql.query<{ ok: string }>("SELECT pg_sleep(1.2)::text, 'done' AS ok"))).toEqual([
        { pg_sleep: "", ok: "done" },
      ]);
    },
  );

  it("Redis that takes connections and never answers: a subscription does not wait on it, and the connections are reported down", async () => {
    const sockets: Socket[] = [];
    const hung = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => hung.listen(0, "127.0.0.1", resolve));
    cleanup.push(
      () =>
        new Promise((resolve) => {
          for (const socket of sockets) socket.destroy();
          hung.close(resolve);
        }),
    );
    const news: boolean[] = [];
    const pubsub = new RedisPubSub(
      `redis://127.0.0.1:${(hung.address() as { port: number }).port}`,
      "hung:",
      undefined,
      (n) => news.push(n.up),
      100,
      200,
    );
    cleanup.push(() => pubsub.close());
    // The gateway's start subscribes: it waited here for ever, serving with no tracking (configuration probe).
    const started = Date.now();
    await pubsub.subscribe("topic", () => undefined);
    expect(Date.now() - started).toBeLessThan(1000);
    await eventually(() => news.includes(false), 5000);
    await expect(pubsub.ping()).rejects.toThrow();
  });

  it.skipIf(noRedis)(
    "Redis: connections gone silent are dropped and reconnected; the subscriber subscribes again and hears publishes",
    async () => {
      const target = new URL(REDIS_URL!);
      const relay = await SilencingRelay.start(Number(target.port || 6379), target.hostname);
      cleanup.push(() => relay.close());
      const prefix = `silent-${randomBytes(4).toString("hex")}:`;
      const news: boolean[] = [];
      const silent = new RedisPubSub(through(REDIS_URL!, relay), prefix, undefined, (n) => news.push(n.up), 200, 300);
      const direct = new RedisPubSub(REDIS_URL!, prefix);
      cleanup.push(
        () => silent.close(),
        () => direct.close(),
      );
      const got: unknown[] = [];
      await silent.subscribe("topic", (p) => got.push(p));
      await direct.publish("topic", { n: 1 });
      await eventually(() => got.length === 1);
      await silent.ping();
      expect(relay.silence()).toBe(2);

      // Reported down, then up again, and delivering: a publish after the silence is heard.
      await eventually(() => news.includes(false) && news.at(-1) === true, 8000);
      await silent.ping();
      await eventually(async () => {
        await direct.publish("topic", { n: 2 });
        return got.some((p) => (p as { n: number }).n === 2);
      }, 5000);
    },
  );
});
